"""Text from users, checked once where it enters a service.

Python strings can hold lone surrogates (a browser or a JSON file can send ``\\ud800``) that
no store can encode; they are refused with a clear message instead of failing deep inside
an adapter. Text is kept in Unicode NFC so that the same words typed on any system (macOS
sends decomposed Hangul and accents) compare, search and sort alike.
"""

from __future__ import annotations

import unicodedata

from services.errors import ValidationError

BAD_TEXT = "errors.bad_text"
# The Unicode bidirectional algorithm's embeddings, overrides and isolates: one in a name or a
# subject turned the rest of the line it was shown on around (an inquiry's e-mail and number
# read backwards after a sender's name). Marks (LRM, RLM, ALM) turn nothing and stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def turns_text(text: str) -> bool:
    """Whether ``text`` holds a character that changes the direction of the text after it."""
    return any(c in BIDI_CONTROLS for c in text)


def is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def require_encodable(*values: str | None) -> None:
    """ValidationError if any value holds a lone surrogate."""
    for value in values:
        if value and not is_encodable(value):
            raise ValidationError(BAD_TEXT)


def clean_text(text: str) -> str:
    """``text`` in NFC; ValidationError if it holds a lone surrogate."""
    require_encodable(text)
    return unicodedata.normalize("NFC", text)


def scrub_text(text: str) -> str:
    """``text`` in NFC with lone surrogates replaced by U+FFFD, for what must never fail
    (analytics events)."""
    if not is_encodable(text):
        text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return unicodedata.normalize("NFC", text)
