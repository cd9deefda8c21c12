"""A person's name, email and company as typed into a form: the one rule of every path that
sets an account's details (an administrator's new user, the first administrator, the command
line, a credentials-file import, sign-up, the profile page), which the contact form and the
legacy import share for the same kind of fields.

Which fields are required differs by path (a sign-up must give a name and an email; an
administrator may leave both empty), so callers name them; the limits, the email pattern and
the normalisation are the same everywhere. Each form says a problem in its own catalog
(``message_key``); an address that is no email is ``signup.err_email`` on every account path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from services.domain.text import clean_text, turns_text

NAME_MAX = 100  # a display name
EMAIL_MAX = 254  # RFC 5321
COMPANY_MAX = 200
LIMITS: Mapping[str, int] = {"name": NAME_MAX, "email": EMAIL_MAX, "company": COMPANY_MAX}
# A pragmatic check (one @, a dot in the domain, no spaces); real verification is a mailed
# link or a reply.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The catalog of the account forms (sign-up, profile): its ``err_email`` is the message for an
# invalid email on every account path.
ACCOUNT_FORMS = "signup"


class Problem(StrEnum):
    MISSING = "missing"
    TOO_LONG = "too_long"
    NOT_EMAIL = "not_email"
    TURNS_TEXT = "turns_text"  # a one-line field holds a direction override (``turns_text``)


def normalized(text: str) -> str:
    """A typed detail as it is kept: NFC, without surrounding spaces (ValidationError for a
    lone surrogate)."""
    return clean_text(text).strip()


def is_email(text: str) -> bool:
    return bool(EMAIL_RE.match(text))


def detail_problems(values: Mapping[str, str], *, required: Iterable[str] = (),
                    limits: Mapping[str, int] = LIMITS) -> list[tuple[str, Problem]]:
    """Every problem of normalised ``values`` as (field, problem): the required fields left
    empty, then the fields over their limit (``limits``: these details' own, or a form's
    with its other fields), then an ``email`` that is none. In this order, as forms report
    their first one. An empty email is only missing, and only where it is required."""
    problems = [(field, Problem.MISSING) for field in required if not values.get(field)]
    problems += [(field, Problem.TOO_LONG) for field, limit in limits.items()
                 if len(values.get(field, "")) > limit]
    email = values.get("email", "")
    if email and not is_email(email):
        problems.append(("email", Problem.NOT_EMAIL))
    # A message is drawn as a block of its own, where an override turns only itself.
    problems += [(field, Problem.TURNS_TEXT) for field, value in values.items()
                 if field != "message" and turns_text(value)]
    return problems


def message_key(catalog: str, field: str, problem: Problem) -> str:
    """A problem's message in a form's catalog (``signup``, ``inquiries``): each has
    ``err_<field>_missing``, ``err_too_long`` and ``err_email``."""
    if problem is Problem.MISSING:
        return f"{catalog}.err_{field}_missing"
    if problem is Problem.TOO_LONG:
        return f"{catalog}.err_too_long"
    if problem is Problem.TURNS_TEXT:
        return f"{catalog}.err_direction"
    return f"{catalog}.err_email"
