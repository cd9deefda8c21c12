"""Accounts: the first administrator, local sign-in with rate limiting, user management.

Passwords are only ever stored as bcrypt hashes. There is no default account: until an admin
exists, the app offers a "create the first administrator" form, and only then.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import bcrypt

from services.audit import record_audit
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, Role, require
from services.domain.users import User
from services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationError,
)
from services.ports import AuditLog, UserDirectory

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
PASSWORD_MIN = 10
PASSWORD_MAX_BYTES = 72  # bcrypt ignores (bcrypt 5: refuses) anything longer
BCRYPT_ROUNDS = 12


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def validate_password(password: str, username: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise ValidationError("auth.err_password_short", min=PASSWORD_MIN)
    if len(password.encode()) > PASSWORD_MAX_BYTES:
        raise ValidationError("auth.err_password_long", max=PASSWORD_MAX_BYTES)
    if password.lower() == username.lower():
        raise ValidationError("auth.err_password_username")


def normalize_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise ValidationError("auth.err_username")
    return name


class AccountService:
    def __init__(
        self,
        directory: UserDirectory,
        audit: AuditLog,
        *,
        max_failures: int = 5,
        lockout_minutes: int = 15,
        bcrypt_rounds: int = BCRYPT_ROUNDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._dir = directory
        self._audit = audit
        self._max_failures = max_failures
        self._lockout = timedelta(minutes=lockout_minutes)
        self._rounds = bcrypt_rounds
        self._clock = clock

    # ---- first start ---------------------------------------------------------------------

    def needs_first_admin(self) -> bool:
        return not any(Role.ADMIN in u.roles and not u.disabled for u in self._dir.list())

    def create_first_admin(self, username: str, name: str, email: str, password: str) -> User:
        """Only while no administrator exists; afterwards admins create users."""
        if not self.needs_first_admin():
            raise PermissionDenied("auth.err_admin_exists")
        user = self._new_user(username, name, email, password, frozenset({Role.ADMIN}))
        self._record(user.username, "user.create_first_admin", user.username)
        return user

    # ---- sign-in -------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> User:
        """The user if the password is right; rate-limited per username."""
        name = username.strip().lower()
        self.check_not_locked(name)
        try:
            user = self._dir.get(name)
            ok = not user.disabled and check_password(password, self._dir.password_hash(name))
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
        return self._dir.login_failures_since(username, since) >= self._max_failures

    def record_login_failure(self, username: str) -> None:
        # Failures for unknown names are kept too, so probing names is throttled the same way.
        self._dir.record_login_failure(username, self._clock())
        self._record(username or "?", "auth.login_failed", username, outcome="failed")

    def record_login(self, username: str) -> None:
        self._dir.clear_login_failures(username)
        self._record(username, "auth.login", username)

    def authenticator_credentials(self) -> dict[str, Any]:
        """streamlit-authenticator's credentials dict. Disabled and locked-out users are left
        out, so neither a password nor a remembered cookie signs them in."""
        users: dict[str, Any] = {}
        for user in self._dir.list():
            if user.disabled or self.is_locked(user.username):
                continue
            users[user.username] = {
                "name": user.name,
                "email": user.email,
                "password": self._dir.password_hash(user.username),
                "roles": sorted(r.value for r in user.roles),
            }
        return {"usernames": users}

    def get(self, username: str) -> User:
        return self._dir.get(username)

    # ---- administration ------------------------------------------------------------------

    def list_users(self, actor: Actor) -> list[User]:
        require(actor, Action.MANAGE_USERS)
        return sorted(self._dir.list(), key=lambda u: u.username)

    def create_user(
        self, actor: Actor, username: str, name: str, email: str, password: str,
        roles: frozenset[Role],
    ) -> User:
        self._require_admin(actor, "user.create", username)
        user = self._new_user(username, name, email, password, roles)
        self._record(str(actor.user_id), "user.create", user.username)
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
        self._record(str(actor.user_id), "user.delete", username)

    def reset_password(self, actor: Actor, username: str) -> str:
        """A one-time password, returned once to show the admin; only its hash is stored."""
        self._require_admin(actor, "user.reset_password", username)
        self._dir.get(username)
        password = secrets.token_urlsafe(12)
        self._dir.set_password_hash(username, hash_password(password, self._rounds))
        self._dir.clear_login_failures(username)
        self._record(str(actor.user_id), "user.reset_password", username)
        return password

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        if actor.user_id is None:
            raise PermissionDenied("errors.permission_denied")
        self.authenticate(actor.user_id, current)
        validate_password(new, actor.user_id)
        self._dir.set_password_hash(actor.user_id, hash_password(new, self._rounds))
        self._record(actor.user_id, "user.change_password", actor.user_id)

    # ---- helpers -------------------------------------------------------------------------

    def _new_user(
        self, username: str, name: str, email: str, password: str, roles: frozenset[Role]
    ) -> User:
        uname = normalize_username(username)
        validate_password(password, uname)
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
        self._dir.create(user, hash_password(password, self._rounds))
        return user

    def _guard_admin_removal(self, actor: Actor, target: User) -> None:
        if target.username == actor.user_id:
            raise ValidationError("auth.err_own_admin")
        admins = [u for u in self._dir.list() if Role.ADMIN in u.roles and not u.disabled]
        if len(admins) <= 1:
            raise ValidationError("auth.err_last_admin")

    def _require_admin(self, actor: Actor, action: str, target: str) -> None:
        try:
            require(actor, Action.MANAGE_USERS)
        except PermissionDenied:
            self._record(actor.user_id or "anonymous", action, target, outcome="denied")
            raise

    def _record(self, actor: str, action: str, target: str, outcome: str = "ok") -> None:
        record_audit(self._audit, self._clock(), actor, action, target, outcome)
