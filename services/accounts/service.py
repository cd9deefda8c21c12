"""Accounts: the first administrator, sign-in rate limiting, user management.

Three ports: the ``UserDirectory`` (profiles and roles: SQLite, DynamoDB or a Cognito pool),
the ``PasswordAuthenticator`` (local bcrypt hashes or the Cognito pool) and the
``LoginThrottle`` (failed sign-ins, kept by the app in every mode). There is no default
account: until an admin exists, the app offers a "create the first administrator" form, and
only then. Every administrative action checks the actor's role here and is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from services.accounts.passwords import (
    BCRYPT_ROUNDS,
    check_password,
    hash_password,
    is_password_hash,
)
from services.domain.models import Page, utcnow
from services.domain.permissions import Action, Actor, Role, require
from services.domain.text import require_encodable
from services.domain.users import User
from services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationError,
)
from services.ops.audit import record_audit
from services.ports import AuditLog, LoginThrottle, PasswordAuthenticator, UserDirectory

__all__ = ["BCRYPT_ROUNDS", "AccountService", "check_password", "hash_password",
           "is_password_hash"]

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
PASSWORD_MIN = 10
PASSWORD_MAX_BYTES = 72  # bcrypt ignores (bcrypt 5: refuses) anything longer


def validate_password(password: str, username: str) -> None:
    """The one password rule of every path (first admin, admin create, reset, change, the
    Cognito forms). Passwords are used exactly as typed, everywhere: never stripped, so one
    with surrounding spaces signs in as it was set."""
    if len(password) < PASSWORD_MIN:
        raise ValidationError("auth.err_password_short", min=PASSWORD_MIN)
    if len(password.encode()) > PASSWORD_MAX_BYTES:
        raise ValidationError("auth.err_password_long", max=PASSWORD_MAX_BYTES)
    if password.lower() == username.lower():
        raise ValidationError("auth.err_password_username")


def login_name(username: str) -> str:
    """The one user-name normalisation: what a person types at sign-in or creation."""
    return username.strip().lower()


def normalize_username(username: str) -> str:
    """A new user name: normalised, then checked against the allowed form."""
    name = login_name(username)
    if not USERNAME_RE.match(name):
        raise ValidationError("auth.err_username")
    return name


def matches(user: User, search: str) -> bool:
    """Case-insensitive substring of the username, name or email."""
    needle = search.strip().casefold()
    return not needle or any(
        needle in text.casefold() for text in (user.username, user.name, user.email)
    )


class AccountService:
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
    ) -> None:
        self._dir = directory
        self._passwords = passwords
        self._throttle = throttle
        self._audit = audit
        self._max_failures = max_failures
        self._lockout = timedelta(minutes=lockout_minutes)
        self._clock = clock
        self._admin_seen = False

    @property
    def sends_invitations(self) -> bool:
        return self._passwords.sends_invitations

    # ---- first start ---------------------------------------------------------------------

    def needs_first_admin(self) -> bool:
        """True until an active administrator exists. Once one was seen the answer stays
        False for this process (app.py asks on every run; a Cognito pool would be listed each
        time), and the guards below keep the last administrator from going away."""
        if self._admin_seen:
            return False
        self._admin_seen = any(Role.ADMIN in u.roles and not u.disabled for u in self._dir.list())
        return not self._admin_seen

    def create_first_admin(self, username: str, name: str, email: str, password: str) -> User:
        """Only while no administrator exists; afterwards admins create users."""
        if not self.needs_first_admin():
            raise PermissionDenied("auth.err_admin_exists")
        user = self._new_user(username, name, email, password, frozenset({Role.ADMIN}),
                              temporary=False)
        self._record(user.username, "user.create_first_admin", user.username)
        return user

    # ---- sign-in -------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> User:
        """The user if the password is right; rate-limited per username."""
        require_encodable(username, password)
        name = login_name(username)
        if not name or not password:
            raise ValidationError("auth.err_missing_fields")
        self.check_not_locked(name)
        try:
            user = self._dir.get(name)
            ok = not user.disabled and self._passwords.check(name, password)
        except NotFound:
            ok = False
        if not ok:
            self.record_login_failure(name)
            raise PermissionDenied("auth.err_bad_credentials")
        self.record_login(name)
        return user

    def check_not_locked(self, username: str) -> None:
        if self.is_locked(username):
            raise QuotaExceeded("auth.err_locked", minutes=int(self._lockout.total_seconds() // 60))

    def is_locked(self, username: str) -> bool:
        since = self._clock() - self._lockout
        return self._throttle.login_failures_since(username, since) >= self._max_failures

    def record_login_failure(self, username: str) -> None:
        # Failures for unknown names are kept too, so probing names is throttled the same way.
        self._throttle.record_login_failure(username, self._clock())
        self._record(username or "?", "auth.login_failed", username, outcome="failed")

    def record_login(self, username: str) -> None:
        self._throttle.clear_login_failures(username)
        self._record(username, "auth.login", username)

    def get(self, username: str) -> User:
        return self._dir.get(username)

    # ---- administration ------------------------------------------------------------------

    def list_users(self, actor: Actor) -> list[User]:
        self._require_admin(actor, "user.list", "*")
        return sorted(self._dir.list(), key=lambda u: u.username)

    def find_users(self, actor: Actor, search: str = "", page: int = 1,
                   page_size: int = 20) -> Page[User]:
        """One page of the users whose username, name or email contains ``search``."""
        found = [u for u in self.list_users(actor) if matches(u, search)]
        pages = max(1, -(-len(found) // page_size))
        page = min(max(1, page), pages)
        start = (page - 1) * page_size
        return Page(found[start : start + page_size], len(found), page, page_size)

    def create_user(
        self, actor: Actor, username: str, name: str, email: str, password: str | None,
        roles: frozenset[Role],
    ) -> User:
        """With a password: the initial password (Cognito: temporary, changed at the first
        sign-in). Without one (Cognito only): the pool mails an invitation."""
        self._require_admin(actor, "user.create", username)
        if password is None and not self._passwords.sends_invitations:
            raise ValidationError("auth.err_password_short", min=PASSWORD_MIN)
        user = self._new_user(username, name, email, password, roles)
        self._record(str(actor.user_id), "user.create" if password else "user.invite",
                     user.username)
        return user

    def set_roles(self, actor: Actor, username: str, roles: frozenset[Role]) -> None:
        self._require_admin(actor, "user.set_roles", username)
        if not roles:
            raise ValidationError("auth.err_no_roles")
        target = self._dir.get(username)
        if Role.ADMIN in target.roles and Role.ADMIN not in roles:
            self._guard_admin_removal(actor, target)
        self._dir.set_roles(username, roles)
        self._record(str(actor.user_id), "user.set_roles", f"{username}:{','.join(sorted(roles))}")

    def set_disabled(self, actor: Actor, username: str, disabled: bool) -> None:
        self._require_admin(actor, "user.set_disabled", username)
        target = self._dir.get(username)
        if disabled and Role.ADMIN in target.roles:
            self._guard_admin_removal(actor, target)
        self._dir.set_disabled(username, disabled)
        self._record(str(actor.user_id), "user.disable" if disabled else "user.enable", username)

    def delete_user(self, actor: Actor, username: str) -> None:
        self._require_admin(actor, "user.delete", username)
        target = self._dir.get(username)
        if Role.ADMIN in target.roles:
            self._guard_admin_removal(actor, target)
        self._dir.delete(username)
        self._throttle.clear_login_failures(username)
        self._record(str(actor.user_id), "user.delete", username)

    def reset_password(self, actor: Actor, username: str) -> str | None:
        """Local: a one-time password, returned once to show the admin (only its hash is
        stored). Cognito: None; the pool sends the user a reset code."""
        self._require_admin(actor, "user.reset_password", username)
        self._dir.get(username)
        password = self._passwords.reset_password(username)
        self._throttle.clear_login_failures(username)
        self._record(str(actor.user_id), "user.reset_password", username)
        return password

    # ---- moving users from and to a streamlit-authenticator app ---------------------------

    def import_user(
        self, actor: Actor, username: str, name: str, email: str, roles: frozenset[Role],
        password: str, *, dry_run: bool = False,
    ) -> User:
        """A user from a streamlit-authenticator credentials file. ``password`` as that file
        has it: a bcrypt hash is stored as it is (not re-hashed), so the user keeps the
        password; anything else is a plain password, checked like any new one and hashed (as
        that package does with plain ones). Local accounts only. ``dry_run``: every check,
        nothing written. ConflictError if the name is taken: an import never overwrites."""
        self._require_admin(actor, "user.import", username)
        self._require_hashes()
        hashed = is_password_hash(password)
        user = self._new_user(
            username, name, email, None if hashed else password, roles, temporary=False,
            password_hash=password if hashed else None, dry_run=dry_run,
        )
        if not dry_run:
            self._record(str(actor.user_id), "user.import", user.username)
        return user

    def export_users(self, actor: Actor) -> list[tuple[User, str]]:
        """Every user with the stored bcrypt hash (empty: no usable password), for a
        streamlit-authenticator credentials file. Local accounts only; audited, since the
        hashes leave the app."""
        self._require_admin(actor, "user.export", "*")
        self._require_hashes()
        users = sorted(self._dir.list(), key=lambda u: u.username)
        exported = [(user, self._passwords.password_hash(user.username)) for user in users]
        self._record(str(actor.user_id), "user.export", f"{len(exported)} users")
        return exported

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        """Local accounts (Cognito users change theirs through ``CognitoSignIn``)."""
        if actor.user_id is None:
            raise PermissionDenied("errors.permission_denied")
        require_encodable(new)
        self.authenticate(actor.user_id, current)
        validate_password(new, actor.user_id)
        self._passwords.set_password(actor.user_id, new)
        self._record(actor.user_id, "user.change_password", actor.user_id)

    # ---- helpers -------------------------------------------------------------------------

    def _new_user(
        self, username: str, name: str, email: str, password: str | None,
        roles: frozenset[Role], *, temporary: bool = True, password_hash: str | None = None,
        dry_run: bool = False,
    ) -> User:
        """``temporary``: an administrator's choice of password must be changed at the first
        sign-in where the backend can force it (Cognito); the first admin's own is not.
        ``password_hash`` (instead of a password): stored as it is. ``dry_run``: the user that
        would be created, nothing written."""
        require_encodable(username, name, email, password)
        uname = normalize_username(username)
        if password is not None:
            validate_password(password, uname)
        if password_hash is not None and not is_password_hash(password_hash):
            raise ValidationError("auth.err_password_hash")
        if not roles:
            raise ValidationError("auth.err_no_roles")
        user = User(
            username=uname, name=name.strip() or uname, email=email.strip(), roles=roles,
            created_at=self._clock(),
        )
        try:
            self._dir.get(uname)
            raise ConflictError("auth.err_username_taken", username=uname)
        except NotFound:
            pass
        if dry_run:
            return user
        self._dir.create(user)
        try:
            if password_hash is not None:
                self._passwords.set_password_hash(uname, password_hash)
            elif password is None:
                self._passwords.invite(uname)
            else:
                self._passwords.set_password(uname, password, temporary=temporary)
        except Exception:
            self._dir.delete(uname)  # no account without its password or invitation
            raise
        return user

    def _guard_admin_removal(self, actor: Actor, target: User) -> None:
        if target.username == actor.user_id:
            raise ValidationError("auth.err_own_admin")
        others = [u for u in self._dir.list()
                  if Role.ADMIN in u.roles and not u.disabled and u.username != target.username]
        if not others:  # an active administrator must remain
            raise ValidationError("auth.err_last_admin")

    def _require_hashes(self) -> None:
        if not self._passwords.keeps_hashes:  # Cognito: the pool keeps the passwords
            raise ValidationError("auth.err_hashes_in_provider")

    def _require_admin(self, actor: Actor, action: str, target: str) -> None:
        require_encodable(target)  # a user name no store could hold (nor an audit line)
        try:
            require(actor, Action.MANAGE_USERS)
        except PermissionDenied:
            self._record(actor.user_id or "anonymous", action, target, outcome="denied")
            raise

    def _record(self, actor: str, action: str, target: str, outcome: str = "ok") -> None:
        record_audit(self._audit, self._clock(), actor, action, target, outcome)
