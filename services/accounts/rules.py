"""The rules every account path applies, whichever service it goes through: a user name's
form, the one password rule, a new account's details (an administrator's, the command line's,
an import's), and why a right password may still not sign someone in. Used by the account
service, sign-up, password reset and the Cognito sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from services.accounts.passwords import is_guessable
from services.domain.account_details import (
    ACCOUNT_FORMS,
    LIMITS,
    Problem,
    detail_problems,
    message_key,
)
from services.domain.users import RESERVED_USERNAMES, AccountStatus, User
from services.errors import ConflictError, ValidationError

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
PASSWORD_MIN = 10
PASSWORD_MAX_BYTES = 72  # bcrypt ignores (bcrypt 5: refuses) anything longer
# A new account's detail over its limit, said with the field's name (``check_details``).
TOO_LONG_KEYS = {"name": "auth.err_name_long", "email": "auth.err_email_long"}


def validate_password(password: str, username: str, *,
                      strength_inputs: Sequence[str] | None = None) -> None:
    """The one password rule of every path (first admin, admin create, reset, change, the
    Cognito forms, sign-up). Passwords are used exactly as typed, everywhere: never stripped,
    so one with surrounding spaces signs in as it was set. Each refusal names ``field``
    "password" (a form shows it under that box). ``strength_inputs`` (the person's
    name, email, company): the password must also resist a strength estimate that tries them."""
    if len(password) < PASSWORD_MIN:
        raise ValidationError("auth.err_password_short", field="password", min=PASSWORD_MIN)
    if len(password.encode()) > PASSWORD_MAX_BYTES:
        raise ValidationError("auth.err_password_long", field="password",
                              max=PASSWORD_MAX_BYTES)
    if password.lower() == username.lower():
        raise ValidationError("auth.err_password_username", field="password")
    if strength_inputs is not None and is_guessable(password, [username, *strength_inputs]):
        raise ValidationError("auth.err_password_weak", field="password")


def login_name(username: str) -> str:
    """The one user-name normalisation: what a person types at sign-in or creation."""
    return username.strip().lower()


def normalize_username(username: str) -> str:
    """A new user name: normalised, then checked against the allowed form and the names the
    app keeps for itself (answered as taken: they are)."""
    name = login_name(username)
    if not USERNAME_RE.match(name):
        raise ValidationError("auth.err_username", field="username")
    if name in RESERVED_USERNAMES:
        raise ConflictError("auth.err_username_taken", field="username", username=name)
    return name


def check_details(name: str, email: str) -> None:
    """A new account's name and email, normalised (``account_details``), by an administrator,
    the command line or an import: either may be empty (the name falls back to the user name;
    an administrator may not know the address). A length is said with the field's name, as
    the users page shows one message for its whole form; an invalid email is said as on
    every account path."""
    problems = detail_problems({"name": name, "email": email})
    if not problems:
        return
    field, problem = problems[0]
    if problem is Problem.TOO_LONG:
        raise ValidationError(TOO_LONG_KEYS[field], field=field, max=LIMITS[field])
    raise ValidationError(message_key(ACCOUNT_FORMS, field, problem), field=field)


def sign_in_refusal(user: User, *, email_links: bool = True) -> str:
    """Why an account that gave the right password cannot sign in (``not may_sign_in``).
    ``email_links``: a link was mailed to confirm the email; without mail an unverified email
    is no reason (nothing could verify it), the account waits for an administrator."""
    if user.status == AccountStatus.PENDING and not user.email_verified and email_links:
        return "auth.err_unverified"
    if user.status == AccountStatus.PENDING:
        return "auth.err_pending"
    if user.status == AccountStatus.DECLINED:
        return "auth.err_declined"
    return "auth.err_disabled"

