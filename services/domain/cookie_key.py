"""The one rule for a sign-in cookie's signing key (``DEMO_FACTORY_COOKIE_KEY``, and the
``[auth] cookie_secret`` Streamlit signs its own sign-in cookie with in OIDC mode), used at
start (the app refuses to start with a weak key) and by the config doctor (which says why and
how to fix it)."""

from __future__ import annotations

MIN_COOKIE_KEY = 32
MIN_DISTINCT_CHARS = 8
# Values copied from examples and tutorials (the first is the secrets example file's):
# anyone could forge cookies signed with them.
KNOWN_PLACEHOLDERS = frozenset({
    "replace-with-a-long-random-value", "changeme", "change-me", "change_me", "secret",
    "some_signature_key", "random_signature_key", "signature_key", "your-secret-key",
    "your_secret_key", "yoursecretkey", "mysecret", "password", "cookie_key", "cookie-key",
    "demo_factory", "demo-factory", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
})
# What each reason means, for messages outside the i18n catalogue (settings errors).
REASON_TEXT = {
    "doc_key_placeholder": "is an example value (anyone could forge sign-in cookies)",
    "doc_key_short": f"is shorter than {MIN_COOKIE_KEY} characters",
    "doc_key_repetitive": "is too repetitive to be secret",
}


def weak_key_reason(key: str) -> str | None:
    """Why a cookie key is not good enough (an i18n key suffix of the doctor), or None."""
    if key.strip().lower() in KNOWN_PLACEHOLDERS or key.strip().startswith("<"):
        return "doc_key_placeholder"  # "<" opens a template's "<a random value>", pasted as is
    if len(key) < MIN_COOKIE_KEY:
        return "doc_key_short"
    if len(set(key)) < MIN_DISTINCT_CHARS:
        return "doc_key_repetitive"
    return None
