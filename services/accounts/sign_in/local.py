"""Local accounts: the account service checks the password (bcrypt, per-name lockout); the
remember-me cookie names the user.

The cookie keeps streamlit-authenticator's format (an HS256 JWT ``{"username", "exp_date"}``
signed with the cookie key), so cookies written by earlier versions stay valid. Roles always
come from the directory, on every run: the cookie only names the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from services.accounts.service import AccountService
from services.accounts.sign_in.base import (
    Mode,
    Restored,
    SignedIn,
    read_signed_cookie,
    sign_cookie,
)
from services.domain.users import User
from services.errors import NotFound


def cookie_token(key: str, username: str, expires_at: float) -> str:
    """streamlit-authenticator's remember-me token."""
    return sign_cookie(key, {"username": username, "exp_date": expires_at})


class LocalSignIn:
    mode: Mode = "local"

    def __init__(self, accounts: AccountService, *, cookie_key: Callable[[], str],
                 cookie_name: str, cookie_days: float,
                 clock: Callable[[], float] = time.time) -> None:
        """``cookie_key`` is asked for when a cookie is signed or read, so that scripts using
        the same services need no key."""
        self._accounts = accounts
        self._key = cookie_key
        self.cookie_name: str | None = cookie_name
        self.cookie_max_age = int(cookie_days * 86400)
        self._clock = clock

    def sign_in(self, login: str, password: str) -> SignedIn:
        return _signed_in(self._accounts.authenticate(login, password))

    def restore(self, cookie_value: str | None) -> Restored:
        if not cookie_value:
            return Restored(None)
        username = self._cookie_username(cookie_value)
        user = self._active_user(username) if username else None
        if user is None or self._accounts.is_locked(user.username):
            # Forged, expired, or naming someone who was disabled, locked out or removed.
            return Restored(None, forget_cookie=True)
        return Restored(_signed_in(user))

    def recheck(self, session: SignedIn) -> SignedIn | None:
        user = self._active_user(session.session_id)
        return _signed_in(user) if user else None

    def sign_out(self, session: SignedIn) -> None:
        """Nothing is kept on the server for a local sign-in: the browser forgets the cookie."""

    def cookie_value(self, session: SignedIn) -> str:
        return cookie_token(self._key(), session.session_id, self._clock() + self.cookie_max_age)

    def change_password(self, session: SignedIn, current: str, new: str) -> None:
        self._accounts.change_password(session.actor, current, new)

    def _cookie_username(self, token: str) -> str | None:
        claims = read_signed_cookie(self._key(), token) or {}
        username, expires = claims.get("username"), claims.get("exp_date")
        if not isinstance(username, str) or not isinstance(expires, int | float):
            return None
        return username if expires > self._clock() else None

    def _active_user(self, username: str) -> User | None:
        try:
            user = self._accounts.get(username)
        except NotFound:
            return None
        return None if user.disabled else user


def _signed_in(user: User) -> SignedIn:
    return SignedIn(actor=user.as_actor(), session_id=user.username)
