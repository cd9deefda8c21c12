"""Account administration: the first administrator, and what administrators do to other
people's accounts (create, invite, import and export, roles, disable, delete, reset a
password). Every action checks the actor's role and is audited. There is no default account:
until an admin exists, the app offers a "create the first administrator" form, and only then.

``AccountAdministration`` holds the state the account service shares: ``AccountService``
adds, on the same ports, what people do with their own sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.accounts.deletion import AccountRemoval
from services.accounts.passwords import is_password_hash
from services.accounts.rules import (
    PASSWORD_MIN,
    check_details,
    normalize_username,
    validate_password,
)
from services.accounts.sessions import EndsSessions
from services.domain.account_details import normalized
from services.domain.models import Page, utcnow
from services.domain.permissions import Action, Actor, Role, can, require
from services.domain.text import require_encodable
from services.domain.users import ANONYMOUS_ACTOR, PasswordReset, User
from services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from services.ops.audit import record_audit
from services.ports import AuditLog, LoginThrottle, PasswordAuthenticator, UserDirectory


def matches(user: User, search: str) -> bool:
    """Case-insensitive substring of the username, name or email."""
    needle = search.strip().casefold()
    return not needle or any(
        needle in text.casefold() for text in (user.username, user.name, user.email)
    )


class AccountAdministration:
    def __init__(
        self,
        directory: UserDirectory,
        passwords: PasswordAuthenticator,
        throttle: LoginThrottle,
        audit: AuditLog,
        *,
        clock: Callable[[], datetime] = utcnow,
        sessions: EndsSessions | None = None,
        removal: AccountRemoval | None = None,
        first_admin_form: bool = True,
    ) -> None:
        self._dir = directory
        self._first_admin_form = first_admin_form
        self._removal = removal
        self._sessions = sessions
        self._passwords = passwords
        self._throttle = throttle
        self._audit = audit
        self._clock = clock
        self._admin_seen = False

    @property
    def first_admin_form(self) -> bool:
        """Whether the first administrator may be made by the app's form. Off where anyone
        can reach the app before its operator (a deployment): there ``scripts.create_user``
        makes the first one."""
        return self._first_admin_form

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
        """Only while no administrator exists, and where the form is offered; afterwards
        admins create users."""
        if not self._first_admin_form:
            raise PermissionDenied("auth.err_first_admin_by_command")
        if not self.needs_first_admin():
            raise PermissionDenied("auth.err_admin_exists")
        # The check above spares a doomed form its work; the directory decides atomically.
        user = self._new_user(username, name, email, password, frozenset({Role.ADMIN}),
                              temporary=False, first_admin=True)
        self._record(user.username, "user.create_first_admin", user.username)
        return user

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
        roles: frozenset[Role], *, temporary: bool = True,
    ) -> User:
        """With a password: the initial password, temporary (changed at the first sign-in, in
        both modes) unless ``temporary=False`` (test and load scripts whose users sign in as
        they are). Without one (Cognito only): the pool mails an invitation."""
        self._require_admin(actor, "user.create", username)
        if password is None and not self._passwords.sends_invitations:
            raise ValidationError("auth.err_password_short", field="password", min=PASSWORD_MIN)
        user = self._new_user(username, name, email, password, roles, temporary=temporary)
        self._record(str(actor.user_id), "user.create" if password else "user.invite",
                     user.username)
        return user

    def set_roles(self, actor: Actor, username: str, roles: frozenset[Role]) -> None:
        self._require_admin(actor, "user.set_roles", username)
        if not roles:
            raise ValidationError("auth.err_no_roles")
        if Role.ADMIN not in roles:
            _refuse_self(actor, username, "auth.err_own_admin")
        self._dir.set_roles_guarded(username, roles)
        self._record(str(actor.user_id), "user.set_roles", f"{username}:{','.join(sorted(roles))}")

    def set_disabled(self, actor: Actor, username: str, disabled: bool) -> None:
        self._require_admin(actor, "user.set_disabled", username)
        if disabled:
            _refuse_self(actor, username, "auth.err_own_disable")
        self._dir.set_disabled_guarded(username, disabled)
        if disabled:
            self._end_sessions(username)
        self._record(str(actor.user_id), "user.disable" if disabled else "user.enable", username)

    def delete_user(self, actor: Actor, username: str, *, content_to: str | None = None) -> None:
        """Delete the account. Its content goes to ``content_to`` (another account, which
        must be able to write) or, by default, stays under "former author"; its usage events
        stay without its id (with ``AccountRemoval``; without one only the account goes)."""
        self._require_admin(actor, "user.delete", username)
        _refuse_self(actor, username, "auth.err_own_delete")
        if self._removal is None:
            self._dir.delete_guarded(username)
            self._end_sessions(username)
            self._throttle.clear_login_failures(username)
        else:
            self._removal.remove(username, self._clock(), self._heir(username, content_to))
        self._record(str(actor.user_id), "user.delete", username)

    def _heir(self, username: str, content_to: str | None) -> tuple[str, str] | None:
        if content_to is None:
            return None
        heir = self._dir.get(content_to)
        if heir.username == username or not can(heir.as_actor(), Action.CREATE_CONTENT):
            raise ValidationError("profile.err_heir")
        return heir.username, heir.name

    def reset_password(self, actor: Actor, username: str) -> PasswordReset:
        """Local: a one-time password, returned once to show the admin (only its hash is
        stored). Cognito: the pool mails the user a reset code, or, to a user who never signed
        in, the invitation again. Either way every sign-in of the user ends."""
        self._require_admin(actor, "user.reset_password", username)
        self._dir.get(username)
        reset = self._passwords.reset_password(username)
        self._end_sessions(username)
        self._throttle.clear_login_failures(username)
        self._record(str(actor.user_id), "user.reset_password", username,
                     detail={"invitation_resent": "true"} if reset.invitation_resent else None)
        return reset

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

    # ---- helpers -------------------------------------------------------------------------

    def _end_sessions(self, username: str, keep: str | None = None) -> None:
        if self._sessions is not None:
            self._sessions.end_all(username, keep=keep)

    def _new_user(
        self, username: str, name: str, email: str, password: str | None,
        roles: frozenset[Role], *, temporary: bool = True, password_hash: str | None = None,
        dry_run: bool = False, first_admin: bool = False,
    ) -> User:
        """``temporary``: an administrator's choice of password must be changed at the first
        sign-in where the backend can force it (Cognito); the first admin's own is not.
        ``password_hash`` (instead of a password): stored as it is. ``dry_run``: the user that
        would be created, nothing written. ``first_admin``: created only if no active
        administrator exists (decided atomically by the directory)."""
        require_encodable(username, name, email, password)
        uname = normalize_username(username)
        name, email = normalized(name), normalized(email)
        check_details(name, email)
        if password is not None:
            validate_password(password, uname)
        if password_hash is not None and not is_password_hash(password_hash):
            raise ValidationError("auth.err_password_hash")
        if not roles:
            raise ValidationError("auth.err_no_roles", field="roles")
        # The email an administrator (or the operator, by script or credentials file) sets
        # counts as verified: they create the account for a person they know, as they could
        # map that person's old items by the import's --authors file. Only the person's own
        # claims (a sign-up, a profile change) wait for a link.
        user = User(
            username=uname, name=name or uname, email=email, roles=roles,
            created_at=self._clock(), email_verified=True,
        )
        try:
            self._dir.get(uname)
            raise ConflictError("auth.err_username_taken", field="username", username=uname)
        except NotFound:
            pass
        if dry_run:
            return user
        # Sessions left by an earlier account of this name (a deletion whose clean-up failed)
        # never carry over to the new one.
        self._end_sessions(uname)
        if first_admin:
            if not self._dir.create_first_admin(user):
                self._admin_seen = True
                raise PermissionDenied("auth.err_admin_exists")
        else:
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

    def _require_hashes(self) -> None:
        if not self._passwords.keeps_hashes:  # Cognito: the pool keeps the passwords
            raise ValidationError("auth.err_hashes_in_provider")

    def _require_admin(self, actor: Actor, action: str, target: str) -> None:
        require_encodable(target)  # a user name no store could hold (nor an audit line)
        try:
            require(actor, Action.MANAGE_USERS)
        except PermissionDenied:
            self._record(actor.user_id or ANONYMOUS_ACTOR, action, target, outcome="denied")
            raise

    def _record(self, actor: str, action: str, target: str, outcome: str = "ok",
                detail: dict[str, str] | None = None) -> None:
        record_audit(self._audit, self._clock(), actor, action, target, outcome, detail)


def _refuse_self(actor: Actor, username: str, key: str) -> None:
    """An administrator cannot demote, disable or delete themselves here (the actor is an
    admin: checked before); ``key`` says which was refused, and what to do instead. That no
    *other* last administrator goes is the directory's guarded write, atomic with its check."""
    if username == actor.user_id:
        raise ValidationError(key)
