"""Local passwords: bcrypt hashes in the users table, behind the PasswordAuthenticator port.

The Cognito counterpart is ``services.adapters.cognito_auth.CognitoPasswords``: there the pool
keeps the password and the app never sees a hash.
"""

from __future__ import annotations

import secrets

import bcrypt

from services.errors import NotFound, ValidationError
from services.ports import PasswordStore

BCRYPT_ROUNDS = 12
ONE_TIME_PASSWORD_BYTES = 12  # 16 URL-safe characters


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, password_hash: str) -> bool:
    """False for a wrong password and for an unusable hash (e.g. the empty one)."""
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


class LocalPasswords:
    """Implements ``PasswordAuthenticator`` over a ``PasswordStore``."""

    sends_invitations = False

    def __init__(self, store: PasswordStore, rounds: int = BCRYPT_ROUNDS) -> None:
        self._store = store
        self._rounds = rounds

    def check(self, username: str, password: str) -> bool:
        try:
            return check_password(password, self._store.password_hash(username))
        except NotFound:
            return False

    def set_password(self, username: str, password: str, *, temporary: bool = False) -> None:
        # Local one-time passwords are not forced to change: the user changes it in the sidebar.
        self._store.set_password_hash(username, hash_password(password, self._rounds))

    def reset_password(self, username: str) -> str:
        password = secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
        self.set_password(username, password, temporary=True)
        return password

    def invite(self, username: str) -> None:
        raise ValidationError("cognito.err_no_invitations")
