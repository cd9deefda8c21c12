"""Accounts: the first administrator, sign-in rate limiting, user management.

Three ports: the ``UserDirectory`` (profiles and roles: SQLite, DynamoDB or a Cognito pool),
the ``PasswordAuthenticator`` (local bcrypt hashes or the Cognito pool) and the
``LoginThrottle`` (failed sign-ins, kept by the app in every mode). There is no default
account: until an admin exists, the app offers a "create the first administrator" form, and
only then. Every administrative action checks the actor's role here and is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from services.accounts.deletion import AccountRemoval
from services.accounts.passwords import (
    BCRYPT_ROUNDS,
    check_password,
    hash_password,
    is_guessable,
    is_password_hash,
)
from services.accounts.sessions import EndsSessions
from services.domain.account_details import (
    ACCOUNT_FORMS,
    LIMITS,
    Problem,
    detail_problems,
    message_key,
    normalized,
)
from services.domain.models import Page, utcnow
from services.domain.permissions import Action, Actor, Role, can, require
from services.domain.text import require_encodable
from services.domain.users import RESERVED_USERNAMES, AccountStatus, PasswordReset, User
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
# Longer than any account name of any mode (local names, Cognito names, e-mail addresses): such
# a sign-in is refused before it is counted or audited, so nobody can write huge records (a
# DynamoDB key holds at most 2 KB).
LOGIN_NAME_MAX = 256
# A new account's detail over its limit, said with the field's name (``check_details``).
TOO_LONG_KEYS = {"name": "auth.err_name_long", "email": "auth.err_email_long"}


def validate_password(password: str, username: str, *,
                      strength_inputs: Sequence[str] | None = None) -> None:
    """The one password rule of every path (first admin, admin create, reset, change, the
    Cognito forms, sign-up). Passwords are used exactly as typed, everywhere: never stripped,
    so one with surrounding spaces signs in as it was set. ``strength_inputs`` (the person's
    name, email, company): the password must also resist a strength estimate that tries them."""
    if len(password) < PASSWORD_MIN:
        raise ValidationError("auth.err_password_short", min=PASSWORD_MIN)
    if len(password.encode()) > PASSWORD_MAX_BYTES:
        raise ValidationError("auth.err_password_long", max=PASSWORD_MAX_BYTES)
    if password.lower() == username.lower():
        raise ValidationError("auth.err_password_username")
    if strength_inputs is not None and is_guessable(password, [username, *strength_inputs]):
        raise ValidationError("auth.err_password_weak")


def login_name(username: str) -> str:
    """The one user-name normalisation: what a person types at sign-in or creation."""
    return username.strip().lower()


def normalize_username(username: str) -> str:
    """A new user name: normalised, then checked against the allowed form and the names the
    app keeps for itself (answered as taken: they are)."""
    name = login_name(username)
    if not USERNAME_RE.match(name):
        raise ValidationError("auth.err_username")
    if name in RESERVED_USERNAMES:
        raise ConflictError("auth.err_username_taken", username=name)
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
        raise ValidationError(TOO_LONG_KEYS[field], max=LIMITS[field])
    raise ValidationError(message_key(ACCOUNT_FORMS, field, problem))


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
        sessions: EndsSessions | None = None,
        removal: AccountRemoval | None = None,
        first_admin_form: bool = True,
        email_links: bool = False,
    ) -> None:
        """``email_links``: sign-ups confirm their email by a mailed link (mail configured),
        so a waiting account whose email is unverified is told to open it."""
        self._dir = directory
        self._email_links = email_links
        self._first_admin_form = first_admin_form
        self._removal = removal
        self._sessions = sessions
        self._passwords = passwords
        self._throttle = throttle
        self._audit = audit
        self._max_failures = max_failures
        self._lockout = timedelta(minutes=lockout_minutes)
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
            raise ValidationError("auth.err_password_short", min=PASSWORD_MIN)
        user = self._new_user(username, name, email, password, roles, temporary=temporary)
        self._record(str(actor.user_id), "user.create" if password else "user.invite",
                     user.username)
        return user

    def set_roles(self, actor: Actor, username: str, roles: frozenset[Role]) -> None:
        self._require_admin(actor, "user.set_roles", username)
        if not roles:
            raise ValidationError("auth.err_no_roles")
        if Role.ADMIN not in roles:
            _refuse_own_admin_removal(actor, username)
        self._dir.set_roles_guarded(username, roles)
        self._record(str(actor.user_id), "user.set_roles", f"{username}:{','.join(sorted(roles))}")

    def set_disabled(self, actor: Actor, username: str, disabled: bool) -> None:
        self._require_admin(actor, "user.set_disabled", username)
        if disabled:
            _refuse_own_admin_removal(actor, username)
        self._dir.set_disabled_guarded(username, disabled)
        if disabled:
            self._end_sessions(username)
        self._record(str(actor.user_id), "user.disable" if disabled else "user.enable", username)

    def delete_user(self, actor: Actor, username: str, *, content_to: str | None = None) -> None:
        """Delete the account. Its content goes to ``content_to`` (another account, which
        must be able to write) or, by default, stays under "former author"; its usage events
        stay without its id (with ``AccountRemoval``; without one only the account goes)."""
        self._require_admin(actor, "user.delete", username)
        _refuse_own_admin_removal(actor, username)
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

    def _end_sessions(self, username: str, keep: str | None = None) -> None:
        if self._sessions is not None:
            self._sessions.end_all(username, keep=keep)

    # ---- helpers -------------------------------------------------------------------------

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
            raise ValidationError("auth.err_no_roles")
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
            raise ConflictError("auth.err_username_taken", username=uname)
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
            self._record(actor.user_id or "anonymous", action, target, outcome="denied")
            raise

    def _record(self, actor: str, action: str, target: str, outcome: str = "ok",
                detail: dict[str, str] | None = None) -> None:
        record_audit(self._audit, self._clock(), actor, action, target, outcome, detail)


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


def _refuse_own_admin_removal(actor: Actor, username: str) -> None:
    """An administrator cannot demote, disable or delete themselves (the actor is an admin:
    checked before). That no *other* last administrator goes is the directory's guarded
    write, atomic with its check."""
    if username == actor.user_id:
        raise ValidationError("auth.err_own_admin")
