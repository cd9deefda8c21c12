"""Local accounts: the account service checks the password (bcrypt, per-name lockout); each
sign-in is a server-side session (``services.accounts.sessions``) that the server can end.

The cookie is an HS256 JWT ``{"sid", "exp"}`` signed with the cookie key; ``sid`` is the
session's random id. Roles come from the directory on every run, and every run checks that the
session still stands, so sign-out, "sign out everywhere", a password change or reset, and
disabling or deleting the account end a sign-in on its next run. Cookies of the earlier
format (streamlit-authenticator's ``{"username", "exp_date"}``) name a user, not a session:
they cannot be revoked and sign nobody in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from services.accounts.rules import login_name
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions
from services.accounts.sign_in.base import (
    Ended,
    Mode,
    Restored,
    SignedIn,
    ended_by,
    read_signed_cookie,
    sign_cookie,
)
from services.domain.identity import Challenge, ChallengeName
from services.domain.models import utcnow
from services.domain.users import User
from services.errors import NotFound
from services.ops.audit import record_audit
from services.ports import AuditLog


class LocalSignIn:
    mode: Mode = "local"

    def __init__(self, accounts: AccountService, sessions: LocalSessions, *,
                 cookie_key: Callable[[], str], cookie_name: str, cookie_days: float,
                 audit: AuditLog | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """``cookie_key`` is asked for when a cookie is signed or read, so that scripts using
        the same services need no key."""
        self._accounts = accounts
        self._sessions = sessions
        self._key = cookie_key
        self.cookie_name: str | None = cookie_name
        self.cookie_max_age = int(cookie_days * 86400)
        self._audit = audit
        self._clock = clock

    def sign_in(self, login: str, password: str) -> SignedIn | Challenge:
        """A session, or, for an administrator's one-time password (reset, invitation), the
        NEW_PASSWORD_REQUIRED challenge: no session until a new password is set."""
        # The epoch before the password is checked: a reset or "sign out everywhere" landing
        # while it is checked must end the session this sign-in makes.
        name = login_name(login)
        epoch = self._sessions.epoch(name) if name else None
        user = self._accounts.authenticate(login, password)
        if self._accounts.password_must_change(user.username):
            # The challenge's proof is the one-time password itself, kept only in the server's
            # memory of this browser session and checked again when the challenge is answered.
            return Challenge(ChallengeName.NEW_PASSWORD_REQUIRED, password, user.username)
        return _signed_in(user, self._sessions.start(
            user.username, epoch if user.username == name else None))

    def complete_new_password(self, challenge: Challenge, new_password: str) -> SignedIn:
        """Answer the challenge: set the user's own password, then sign in."""
        user = self._accounts.set_password_after_reset(challenge.username, challenge.session,
                                                       new_password)
        return _signed_in(user, self._sessions.start(user.username))

    def restore(self, cookie_value: str | None) -> Restored:
        if not cookie_value:
            return Restored(None)
        claims = read_signed_cookie(self._key(), cookie_value, ("exp", "sid")) or {}
        session_id = claims.get("sid")
        live = self._live(session_id) if isinstance(session_id, str) else None
        session = live
        if session is not None and self._accounts.is_locked(str(session.actor.user_id)):
            session = None  # a locked-out name signs in by no way until the lockout ends
        # Forged, expired, of the old format, ended, or of someone who may no longer sign in.
        return Restored(session, forget_cookie=session is None,
                        ended=isinstance(session_id, str) and live is None)

    def recheck(self, session: SignedIn) -> SignedIn | None:
        current = self._live(session.session_id)
        return current if current and current.actor.user_id == session.actor.user_id else None

    def why_ended(self, session: SignedIn) -> Ended:
        """By the time the held sign-in was to last (its record may be gone by then)."""
        return ended_by(session.ends_at, self._sessions.now())

    def sign_out(self, session: SignedIn) -> None:
        """The session's record goes: a copy of the cookie signs nobody in any more."""
        self._sessions.end(session.session_id)
        if self._audit is not None:
            user = str(session.actor.user_id)
            record_audit(self._audit, utcnow(), user, "auth.logout", user, "ok")

    def cookie_value(self, session: SignedIn) -> str:
        expires = int(self._clock() + self.cookie_max_age)
        return sign_cookie(self._key(), {"sid": session.session_id, "exp": expires})

    def change_password(self, session: SignedIn, current: str, new: str) -> None:
        """Every other session of the user ends; this one goes on."""
        self._accounts.change_password(session.actor, current, new,
                                       keep_session=session.session_id)

    def _live(self, session_id: str) -> SignedIn | None:
        record = self._sessions.live(session_id)
        user = self._active_user(record.username) if record else None
        if record is None or user is None:
            return None
        return _signed_in(user, session_id, record.expires_at)

    def _active_user(self, username: str) -> User | None:
        try:
            user = self._accounts.get(username)
        except NotFound:
            return None
        return user if user.may_sign_in else None


def _signed_in(user: User, session_id: str, ends_at: datetime | None = None) -> SignedIn:
    return SignedIn(actor=user.as_actor(), session_id=session_id, ends_at=ends_at)
