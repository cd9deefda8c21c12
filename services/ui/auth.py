"""Sign-in in the browser session, for every mode: the UI side of ``services.accounts.sign_in``.

The mode (local accounts, Cognito, or an OIDC provider through ``st.login``) decides who is
signed in; this module keeps its ``SignedIn`` in the Streamlit session, reads the cookie from
the request and writes the value the mode hands back with the inline writer
(``services.ui.cookies``). Writing or deleting the cookie is done at the start of the run
*after* a sign-in or sign-out, because the run that signs in ends with a page switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

import streamlit as st

from services.accounts.sign_in.base import Ended, SignedIn, SignInMode
from services.accounts.sign_in.local import LocalSignIn
from services.accounts.sign_in.oidc import OidcSignIn
from services.bootstrap import Services
from services.domain.cookie_key import REASON_TEXT, weak_key_reason
from services.domain.identity import Challenge
from services.domain.permissions import Actor
from services.errors import (
    ConfigError,
    DemoFactoryError,
    PermissionDenied,
    ServiceUnavailable,
)
from services.ui import focus, session, tracking
from services.ui.cookies import read_cookie, write_cookie
from services.ui.i18n import t

LOGIN_USERNAME_KEY = "login_username"
SIGNED_IN_KEY = "_df_signed_in"
_COOKIE_OP_KEY = "_df_cookie_op"
_SIGNED_OUT_KEY = "_df_signed_out"  # the cookie sent with this session's request is void
_ENDED_KEY = "_df_sign_in_ended"  # why a sign-in this browser held stands no more: say so
_OIDC_DUE_KEY = "_df_oidc_due"  # the provider's sign-in this session found due (and said so)
_SIGNED_IN_HERE_KEY = "_df_signed_in_here"  # this session signed in (not from its cookie)
# The session keys that describe the signed-in user (streamlit-authenticator's names).
USER_KEYS = ("authentication_status", "username", "name", "email", "roles")
# Prefixes of our own per-user session keys (editor text, admin forms, confirm steps).
USER_STATE_PREFIXES = ("ed_", "adm_", "confirm_", "my_")

CookieOp = tuple[Literal["set", "delete"], str]


def start(services: Services) -> Actor:
    """Run at the top of every app run: finish a pending cookie write, keep, re-check or
    restore the sign-in, and return the actor of this session."""
    mode = services.sign_in
    if isinstance(mode, OidcSignIn):  # Streamlit's own cookie: st.user is the provider's claims
        _require_strong_cookie_secret()
        return _remember(_oidc_current(mode))
    _apply_cookie_op(mode)
    held = signed_in()
    if held is not None:
        current = mode.recheck(held)
        if current is None:
            _forget_cookie()
            # Not by this tab: its sign-out forgets `held`.
            st.session_state[_ENDED_KEY] = mode.why_ended(held)
    elif st.session_state.get(_SIGNED_OUT_KEY):
        current = None
    else:
        restored = mode.restore(read_cookie(mode.cookie_name) if mode.cookie_name else None)
        if restored.forget_cookie:
            _forget_cookie()
        if restored.ended:
            st.session_state[_ENDED_KEY] = Ended.REVOKED
        current = restored.session
    # A cookie to forget found in this run goes now too (and again at the next run's start): a
    # reload is a new session, which would find it again and say the notice again.
    _apply_cookie_op(mode, keep=True)
    return _remember(current)


def ended_notice() -> None:
    """Once, on the page a browser lands on after its sign-in expired (its lifetime ran out)
    or was ended elsewhere (a password changed or reset, sign out everywhere, the account
    disabled): why it is signed out. Only what the person may know: expired or ended, not
    what ended it."""
    ended = st.session_state.pop(_ENDED_KEY, None)
    if ended:
        key = "auth.sign_in_expired" if ended == Ended.EXPIRED else "auth.sign_in_ended"
        # On a phone the click that met it was a screen below.
        focus.message_in_view(
            focus.ENDED, lambda: st.warning(t(key), icon=":material/logout:"))


def _require_strong_cookie_secret() -> None:
    """Streamlit signs its sign-in cookie, which carries the provider's claims and groups, with
    ``[auth] cookie_secret``: a weak or example one would let anyone sign in as an administrator,
    so the app stops, as it does for a weak DEMO_FACTORY_COOKIE_KEY. (A missing one: st.login
    says so, and the doctor names it.)"""
    try:
        auth = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets file at all
        return
    secret = auth.get("cookie_secret") if isinstance(auth, Mapping) else None
    reason = weak_key_reason(str(secret)) if secret else None
    if reason:
        raise ConfigError("errors.config_invalid",
                          problems=f"[auth] cookie_secret {REASON_TEXT[reason]}")


def _oidc_current(mode: OidcSignIn) -> SignedIn | None:
    """The provider's sign-in while it stands. When its ID token expired or the provider last
    verified the user too long ago, the tab goes on signed out and is told so, once per
    session; signing in again at the provider (whose own session usually still stands: one
    click) issues a token with the current groups.

    It used to end Streamlit's sign-in with ``st.logout``, which leaves the page for the
    provider's sign-out and comes back to home in a new session: the page was lost, nothing
    said why, and the provider's own session was ended too, so signing in again asked for the
    password. Streamlit's cookie, which only ``st.logout`` or ``st.login`` can replace (it is
    HttpOnly), stays until the next sign-in; its claims are never trusted once due."""
    claims = st.user.to_dict() if st.user.is_logged_in else None
    current = mode.from_claims(claims)
    if current is None or mode.recheck(current) is not None:
        return current
    due = (current.actor.user_id, current.checked_at)
    if st.session_state.get(_OIDC_DUE_KEY) != due:  # not yet told in this session
        st.session_state[_OIDC_DUE_KEY] = due
        _forget_user_state()
        st.session_state[_ENDED_KEY] = Ended.EXPIRED
    return None


def sign_in_changed(services: Services) -> bool:
    """Whether this session's sign-in ended, or now holds other roles, since the app's run
    checked it (for the parts of a page that rerun alone: ``services.ui.fragments``). A
    sign-in that stands keeps the mode's fresh copy (Cognito's time of its last check)."""
    held = signed_in()
    mode = services.sign_in
    if isinstance(mode, OidcSignIn):
        claims = st.user.to_dict() if st.user.is_logged_in else None
        now = mode.from_claims(claims)
        current = mode.recheck(now) if now is not None else None
    elif held is None:
        return False
    else:
        current = mode.recheck(held)
    if held is None or current is None:
        return (held is None) != (current is None)
    if current.actor != held.actor:
        return True
    st.session_state[SIGNED_IN_KEY] = current
    return False


def signed_in_here() -> bool:
    """Whether this tab's session signed in with a password (or a challenge answered), rather
    than restoring a sign-in from its cookie (a reload, a new tab)."""
    return bool(st.session_state.get(_SIGNED_IN_HERE_KEY))


def signed_in() -> SignedIn | None:
    found = st.session_state.get(SIGNED_IN_KEY)
    return found if isinstance(found, SignedIn) else None


def _remember(current: SignedIn | None) -> Actor:
    """Keep the sign-in, and the session keys that say who is signed in."""
    if current is None:
        st.session_state.pop(SIGNED_IN_KEY, None)
        for key in USER_KEYS:
            st.session_state[key] = None
        return Actor.anonymous()
    actor = current.actor
    st.session_state[SIGNED_IN_KEY] = current
    st.session_state["authentication_status"] = True
    st.session_state["username"] = actor.user_id
    st.session_state["name"] = actor.name
    st.session_state["email"] = actor.email
    st.session_state["roles"] = sorted(r.value for r in actor.roles)
    return actor


def _queue_cookie_op(op: CookieOp) -> None:
    st.session_state[_COOKIE_OP_KEY] = op


def _forget_cookie() -> None:
    st.session_state[_SIGNED_OUT_KEY] = True
    _queue_cookie_op(("delete", ""))


def _apply_cookie_op(mode: SignInMode, keep: bool = False) -> None:
    op = (st.session_state.get(_COOKIE_OP_KEY) if keep
          else st.session_state.pop(_COOKIE_OP_KEY, None))
    if not op or not mode.cookie_name:
        return
    kind, value = op
    write_cookie(mode.cookie_name, value, mode.cookie_max_age if kind == "set" else 0)


# ---- actions of the forms -------------------------------------------------------------------


def sign_in(services: Services, login: str, password: str) -> Challenge | None:
    """Check the password (the mode rate-limits per user name and audits); None when signed
    in, else the provider's challenge to answer first (kept for the challenge form).
    Raises a DemoFactoryError with the message to show."""
    try:
        step = services.sign_in.sign_in(login, password)
    except PermissionDenied:
        tracking.login_failed()
        raise
    if isinstance(step, Challenge):
        return step
    complete_sign_in(services, step)
    return None


def complete_sign_in(services: Services, current: SignedIn) -> None:
    """A sign-in that succeeded (a password, or a Cognito challenge answered)."""
    tracking.login(str(current.actor.user_id))
    _remember(current)
    st.session_state[_SIGNED_IN_HERE_KEY] = True  # not a sign-in restored from its cookie
    st.session_state.pop(_SIGNED_OUT_KEY, None)
    st.session_state.pop(_ENDED_KEY, None)  # signed in again: old news
    _queue_cookie_op(("set", services.sign_in.cookie_value(current)))


def complete_new_password(services: Services, challenge: Challenge, new: str) -> SignedIn:
    """Answer a NEW_PASSWORD_REQUIRED challenge in the mode that raised it (Cognito, or a
    local one-time password); the caller then completes the sign-in."""
    mode = services.sign_in
    if services.cognito is not None:
        return services.cognito.complete_new_password(challenge, new)
    if isinstance(mode, LocalSignIn):
        return mode.complete_new_password(challenge, new)
    raise ServiceUnavailable("cognito.err_session_expired")


def change_password(services: Services, current: str, new: str) -> None:
    held = signed_in()
    if held is None:
        raise ServiceUnavailable("cognito.err_session_expired")
    services.sign_in.change_password(held, current, new)
    # Cognito: the change ended every sign-in at the pool, this one's tokens too, and the mode
    # kept this session on new ones: take them now rather than at the next check (which takes
    # them should this fail: the change itself stands).
    try:
        renewed = services.sign_in.recheck(replace(held, checked_at=None))
    except DemoFactoryError:
        return
    if renewed is not None:
        _remember(renewed)


def prefill_login(username: str) -> None:
    """Put ``username`` into the sign-in form (after creating the first administrator)."""
    st.session_state[LOGIN_USERNAME_KEY] = username


def needs_first_admin(services: Services) -> bool:
    """Whether to offer the "first administrator" form: never with an OIDC provider, whose
    groups make administrators (a local account could not sign in there), nor on a deployment
    (made by command there: ``first_admin_by_command``)."""
    return (services.sign_in.mode != "oidc" and services.accounts.first_admin_form
            and services.accounts.needs_first_admin())


def first_admin_by_command(services: Services) -> bool:
    """Whether to say how the first administrator of a deployment is made (no one is yet)."""
    return (services.sign_in.mode != "oidc" and not services.accounts.first_admin_form
            and services.accounts.needs_first_admin())


def start_oidc_sign_in(services: Services) -> None:
    """Leave for the provider's sign-in page; it sends the browser back to the app."""
    provider = services.settings.oidc_provider
    st.login(provider) if provider else st.login()


def sign_out() -> None:
    """End the sign-in: at the provider where there is one, and (on the next run) the
    cookie; the signed-out user's editor text, admin forms and confirm steps go too."""
    mode = session.services().sign_in
    held = signed_in()
    if held is not None:
        mode.sign_out(held)
    _forget_user_state()
    _remember(None)
    if isinstance(mode, OidcSignIn):
        st.logout()
        return
    _forget_cookie()


def sign_out_everywhere() -> None:
    """End every sign-in of this user (every browser, this one too). Local sign-in only."""
    held = signed_in()
    if held is None:
        return
    session.services().accounts.sign_out_everywhere(held.actor, str(held.actor.user_id))
    _forget_user_state()
    _remember(None)
    _forget_cookie()


def _forget_user_state() -> None:
    for key in [k for k in st.session_state if str(k).startswith(USER_STATE_PREFIXES)]:
        del st.session_state[key]
