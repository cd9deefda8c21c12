"""Local passwords: bcrypt hashes in the users table, behind the PasswordAuthenticator port.

Hashes are made and checked by streamlit-authenticator's ``Hasher`` (bcrypt), so they are the
hashes a streamlit-authenticator app keeps in its config.yaml: users move in either direction
with their passwords (scripts/import_users.py, scripts/export_users.py).

The Cognito counterpart is ``services.adapters.aws.cognito.auth.CognitoPasswords``: there the
pool keeps the password and the app never sees a hash.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Sequence

import bcrypt
from zxcvbn import zxcvbn

from services.accounts.hasher import Hasher
from services.domain.users import PasswordReset
from services.errors import NotFound, ValidationError
from services.ports import PasswordStore

# zxcvbn's score runs 0 (guessed in under 10^3 tries) to 4 (over 10^10); 3 resists an
# offline attack on a slow hash for a long time, which is what a bcrypt table may face.
STRENGTH_MIN = 3
# zxcvbn's cost grows with the length; the length rule already caps a password at 72 bytes.
_STRENGTH_INPUT_MAX = 100


def is_guessable(password: str, user_inputs: Sequence[str]) -> bool:
    """True when a strength estimator (zxcvbn) scores the password below ``STRENGTH_MIN``,
    counting the person's own details (name, email, company) as words an attacker tries."""
    words = [part for text in user_inputs for part in re.split(r"[\s@.]+", text.lower())
             if part][:_STRENGTH_INPUT_MAX]
    return int(zxcvbn(password, user_inputs=[*user_inputs, *words])["score"]) < STRENGTH_MIN


# Hasher.hash takes no work factor: it always uses bcrypt's default, 12 (a test pins it).
BCRYPT_ROUNDS = 12
ONE_TIME_PASSWORD_BYTES = 12  # 16 URL-safe characters


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    """The ``Hasher`` hash. Another work factor (tests use 4, for speed) is hashed with bcrypt
    directly, in the same format, since ``Hasher.hash`` cannot be given one."""
    if rounds == BCRYPT_ROUNDS:
        return str(Hasher.hash(password))
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, password_hash: str) -> bool:
    """False for a wrong password and for an unusable hash (e.g. the empty one)."""
    try:
        return bool(Hasher.check_pw(password, password_hash))
    except ValueError:
        return False


@functools.cache
def dummy_hash(rounds: int = BCRYPT_ROUNDS) -> str:
    """A hash of a random password nobody knows, with the work factor of real hashes. A name
    without a usable hash (unknown, or no password yet) is checked against it, so that it costs
    one bcrypt check like a known name and timing does not tell which names exist."""
    return hash_password(secrets.token_urlsafe(16), rounds)


# Made once, at import: the first unknown name must not be the one that pays for it.
DUMMY_HASH = dummy_hash()


def is_password_hash(text: str) -> bool:
    """True for a bcrypt hash, by the rule streamlit-authenticator uses to tell one from a
    plain password in its config file."""
    return bool(Hasher.is_hash(text))


class LocalPasswords:
    """Implements ``PasswordAuthenticator`` over a ``PasswordStore``."""

    sends_invitations = False
    keeps_hashes = True

    def __init__(self, store: PasswordStore, rounds: int = BCRYPT_ROUNDS) -> None:
        self._store = store
        self._rounds = rounds

    def check(self, username: str, password: str) -> bool:
        """Exactly one bcrypt check whatever the name: known, unknown or without a password."""
        try:
            stored = self._store.password_hash(username)
        except NotFound:
            stored = ""
        if not is_password_hash(stored):
            check_password(password, dummy_hash(self._rounds))
            return False
        return check_password(password, stored)

    def set_password(self, username: str, password: str, *, temporary: bool = False,
                     replacing: str | None = None) -> None:
        """``temporary`` is stored with the hash: sign-in then asks for a new password first."""
        self._store.set_password_hash(username, hash_password(password, self._rounds),
                                      temporary=temporary, replacing=replacing)

    def must_change_password(self, username: str) -> bool:
        try:
            return self._store.password_is_temporary(username)
        except NotFound:
            return False

    def reset_password(self, username: str) -> PasswordReset:
        password = secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
        self.set_password(username, password, temporary=True)
        return PasswordReset(one_time_password=password)

    def invite(self, username: str) -> None:
        raise ValidationError("cognito.err_no_invitations")

    def password_hash(self, username: str) -> str:
        return self._store.password_hash(username)

    def set_password_hash(self, username: str, password_hash: str) -> None:
        if not is_password_hash(password_hash):
            raise ValidationError("auth.err_password_hash")
        self._store.set_password_hash(username, password_hash)
