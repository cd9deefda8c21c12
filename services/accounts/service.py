"""Accounts: one service for every account use case. Sign-in and its rate limiting, a
person's own password and sessions are here; the first administrator and user management are
``AccountAdministration``'s (``administration.py``), the rules every path applies are in
``rules.py`` (re-exported here, where many callers import them).

Three ports: the ``UserDirectory`` (profiles and roles: SQLite, DynamoDB or a Cognito pool),
the ``PasswordAuthenticator`` (local bcrypt hashes or the Cognito pool) and the
``LoginThrottle`` (failed sign-ins, kept by the app in every mode).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from services.accounts.administration import AccountAdministration, matches
from services.accounts.deletion import AccountRemoval
from services.accounts.passwords import (
    BCRYPT_ROUNDS,
    check_password,
    hash_password,
    is_password_hash,
)
from services.accounts.rules import (
    PASSWORD_MAX_BYTES,
    PASSWORD_MIN,
    TOO_LONG_KEYS,
    USERNAME_RE,
    check_details,
    login_name,
    normalize_username,
    sign_in_refusal,
    validate_password,
)
from services.accounts.sessions import EndsSessions
from services.domain.models import utcnow
from services.domain.permissions import Actor
from services.domain.text import require_encodable
from services.domain.users import User
from services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationError,
)
from services.ports import AuditLog, LoginThrottle, PasswordAuthenticator, UserDirectory

__all__ = ["BCRYPT_ROUNDS", "PASSWORD_MAX_BYTES", "PASSWORD_MIN", "TOO_LONG_KEYS",
           "USERNAME_RE", "AccountService", "check_details", "check_password",
           "hash_password", "is_password_hash", "login_name", "matches", "normalize_username",
           "sign_in_refusal", "validate_password"]

# Longer than any account name of any mode (local names, Cognito names, e-mail addresses): such
# a sign-in is refused before it is counted or audited, so nobody can write huge records (a
# DynamoDB key holds at most 2 KB).
LOGIN_NAME_MAX = 256


class AccountService(AccountAdministration):
    def __init__(
        self,
        directory: UserDirectory,
        passwords: PasswordAuthenticator,
        throttle: LoginThrottle,
        audit: AuditLog,
        *,
        max_failures: int = 5,
        lockout_minutes: int = 15,
        clock: Callable[[], datetime] = utcnow,
        sessions: EndsSessions | None = None,
        removal: AccountRemoval | None = None,
        first_admin_form: bool = True,
        email_links: bool = False,
    ) -> None:
        """``email_links``: sign-ups confirm their email by a mailed link (mail configured),
        so a waiting account whose email is unverified is told to open it."""
        super().__init__(directory, passwords, throttle, audit, clock=clock, sessions=sessions,
                         removal=removal, first_admin_form=first_admin_form)
        self._email_links = email_links
        self._max_failures = max_failures
        self._lockout = timedelta(minutes=lockout_minutes)

    # ---- sign-in -------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> User:
        """The user if the password is right; rate-limited per username.

        The attempt is counted before the password is checked (``reserve_login_attempt``),
        so parallel guesses cannot all get through. Every name costs exactly one password
        check: an unknown or disabled one too (against a dummy hash locally), so that timing
        does not tell which names exist."""
        require_encodable(username, password)
        name = login_name(username)
        if not name or not password:
            raise ValidationError("auth.err_missing_fields")
        if len(name) > LOGIN_NAME_MAX:  # no such account can exist: nothing to find by timing
            raise PermissionDenied("auth.err_bad_credentials")
        self.reserve_login_attempt(name)
        try:
            user: User | None = self._dir.get(name)
        except NotFound:
            user = None
        try:
            ok = self._passwords.check(name, password)
        except NotFound:
            ok = False
        if not ok or user is None or not user.may_sign_in:
            self.login_failed(name)
            # Only someone who knows the password learns that the account is disabled, waits
            # for an administrator or was declined.
            raise PermissionDenied(
                sign_in_refusal(user, email_links=self._email_links)
                if ok and user is not None else "auth.err_bad_credentials")
        self.record_login(name)
        return user

    def is_locked(self, username: str) -> bool:
        since = self._clock() - self._lockout
        return self._throttle.login_failures_since(username, since) >= self._max_failures

    def reserve_login_attempt(self, username: str) -> None:
        """Count a sign-in attempt before its password is checked, or QuotaExceeded if the
        name is locked: one atomic step in the throttle. The attempt counts as a failure until
        a successful sign-in (``record_login``) clears the count. Kept for unknown names too,
        so probing names is throttled the same way."""
        now = self._clock()
        if not self._throttle.reserve_login_attempt(username, now, now - self._lockout,
                                                    self._max_failures):
            raise self._locked()

    def login_failed(self, username: str) -> None:
        """Audit a failed sign-in; its attempt was counted by ``reserve_login_attempt``."""
        self._record(username or "?", "auth.login_failed", username, outcome="failed")

    def record_login(self, username: str) -> None:
        self._throttle.clear_login_failures(username)
        self._record(username, "auth.login", username)

    def _locked(self) -> QuotaExceeded:
        return QuotaExceeded("auth.err_locked", minutes=int(self._lockout.total_seconds() // 60))

    def get(self, username: str) -> User:
        return self._dir.get(username)

    # ---- a person's own password ---------------------------------------------------------

    def change_password(self, actor: Actor, current: str, new: str,
                        keep_session: str | None = None) -> None:
        """Local accounts (Cognito users change theirs through ``CognitoSignIn``). Every other
        session of the user ends; ``keep_session`` (the one the user is in) goes on."""
        if actor.user_id is None:
            raise PermissionDenied("errors.permission_denied")
        require_encodable(new)
        checked = self._stored_hash(actor.user_id)
        self.authenticate(actor.user_id, current)
        validate_password(new, actor.user_id)
        # Only over the password just checked: a reset or another change meanwhile stands
        # (ConflictError), and no session is kept past it.
        self._passwords.set_password(actor.user_id, new, replacing=checked)
        self._end_sessions(actor.user_id, keep=keep_session)
        self._record(actor.user_id, "user.change_password", actor.user_id)

    def _stored_hash(self, username: str) -> str | None:
        """The hash a password is about to be checked against, for the conditional write that
        replaces it (None where a provider keeps the passwords, or for no such account: the
        check then fails as for any wrong name)."""
        if not self._passwords.keeps_hashes:
            return None
        try:
            return self._passwords.password_hash(username)
        except NotFound:
            return None

    def password_must_change(self, username: str) -> bool:
        """Whether the user's password is an administrator's one-time one (local accounts)."""
        return self._passwords.must_change_password(username)

    def set_password_after_reset(self, username: str, temporary: str, new: str) -> User:
        """The sign-in after a reset or an invitation: the one-time password is checked again
        (rate-limited like any sign-in) and replaced by the user's own, which clears the
        "temporary" mark, so the one-time password works exactly once. Every session of the
        user ends. Returns the user, to sign in."""
        require_encodable(username, temporary, new)
        name = login_name(username)
        validate_password(new, name)
        if new == temporary:
            raise ValidationError("auth.err_password_same")
        checked = self._stored_hash(name)
        user = self.authenticate(name, temporary)
        if not self._passwords.must_change_password(user.username):
            # Already changed (e.g. in another tab): this password is no one-time one any more.
            raise PermissionDenied("auth.err_bad_credentials")
        try:  # over the one-time password just checked only: it is used once, even at once
            self._passwords.set_password(user.username, new, replacing=checked)
        except ConflictError:
            raise PermissionDenied("auth.err_bad_credentials") from None
        self._end_sessions(user.username)
        self._record(user.username, "user.password_set_after_reset", user.username)
        return user

    # ---- sessions ------------------------------------------------------------------------

    @property
    def ends_sessions(self) -> bool:
        """Whether the server can end a user's sign-ins (local sign-in, and Cognito: the pool's
        global sign-out with the app's own check; not an OIDC provider's)."""
        return self._sessions is not None

    def sign_out_everywhere(self, actor: Actor, username: str) -> None:
        """End every session of ``username``: the user's own choice, or an administrator's."""
        if actor.user_id is None or actor.user_id != username:
            self._require_admin(actor, "auth.sign_out_everywhere", username)
        if self._sessions is None:
            raise ValidationError("auth.err_sessions_in_provider")
        self._sessions.end_all(username)
        self._record(str(actor.user_id), "auth.sign_out_everywhere", username)
