"""Self-service sign-up (local sign-in) and the administrator's decision on it.

Modes (``DEMO_FACTORY_SIGNUP``): ``off`` (no sign-up), ``approval`` (the account waits, PENDING,
until an administrator approves it as the role asked for, or declines it) and ``open`` (a viewer
is active at once; an author request makes an active viewer whose author request waits). An
email in an auto-approved domain is an active viewer at once in both modes (an author request
waits the same way).

Nothing the visitor is told depends on which accounts exist: a user name or email already in
use, a filled honeypot field and a real sign-up all get the same answer (``sign_up`` returns
None) and cost about the same (one bcrypt hash). Only what is wrong with the form itself is
said. The real reason is audited (a mail to the address is left for the SES slice).

Rate limits, as the contact form's (and through the same two mechanisms): per browser visit,
counted atomically in the store (``RateSlots.take_slot``), and per server instance, in this
process (``InstanceLimiter``), so that neither a new visit id nor many threads get past them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from services.accounts.service import normalize_username, validate_password
from services.contact.service import InstanceLimiter
from services.domain.inquiries import RateLimit
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, Role, require
from services.domain.signup import SignupDraft, clean, email_domain
from services.domain.users import AccountStatus, User
from services.errors import ConflictError, NotFound, PermissionDenied, QuotaExceeded
from services.ops.audit import record_audit
from services.ports import AuditLog, PasswordAuthenticator, RateSlots, SignupDirectory

MODES = ("off", "approval", "open")
_VISIT_KEY_MAX = 64  # a visit id is a ULID; anything longer is cut, not trusted


class SignupService:
    def __init__(
        self,
        directory: SignupDirectory,
        passwords: PasswordAuthenticator,
        slots: RateSlots,
        audit: AuditLog,
        *,
        mode: str = "approval",
        auto_domains: Collection[str] = (),
        limit: int = 3,
        instance_limit: int = 20,
        window_minutes: int = 60,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown sign-up mode {mode!r}")
        self._dir = directory
        self._passwords = passwords
        self._slots = slots
        self._audit = audit
        self._mode = mode
        self._auto_domains = frozenset(d.lower() for d in auto_domains)
        self._limit = limit
        self._window_minutes = window_minutes
        self._instance = InstanceLimiter(instance_limit, timedelta(minutes=window_minutes))
        self._clock = clock

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def is_open(self) -> bool:
        """Whether visitors may sign up (any mode but ``off``)."""
        return self._mode != "off"

    # ---- the visitor ---------------------------------------------------------------------

    def sign_up(self, draft: SignupDraft, visit_id: str) -> None:
        """Validate, rate-limit, create (or quietly not), audit. The same None whatever
        accounts exist; ValidationError for the form's own problems, QuotaExceeded when a
        limit is full, PermissionDenied when sign-up is off."""
        if not self.is_open:
            raise PermissionDenied("signup.err_off")
        cleaned = clean(draft)
        username = normalize_username(cleaned.username)
        validate_password(cleaned.password, username,
                          strength_inputs=(cleaned.name, cleaned.email, cleaned.company))
        now = self._clock()
        visit = visit_id[:_VISIT_KEY_MAX]
        full = self._take_slot(visit, now)
        if full is not None:
            self._record("user.signup", f"{visit[:8]}/{full}", "rate_limited")
            raise QuotaExceeded("signup.err_rate", minutes=self._window_minutes)
        if cleaned.honeypot:  # a bot: it is told what a person is told, nothing is made
            self._record("user.signup", username, "honeypot")
            return
        user = self._new_account(cleaned, username, now)
        if self._taken(user):
            # One bcrypt step, as a real sign-up's hash costs: timing tells nothing.
            self._passwords.check(username, cleaned.password)
            self._record("user.signup", username, "duplicate")
            return
        try:
            self._dir.create(user)
        except ConflictError:  # the same name, a moment earlier: the same quiet answer
            self._record("user.signup", username, "duplicate")
            return
        try:
            self._passwords.set_password(username, cleaned.password)
        except Exception:
            self._dir.delete(username)  # no account without its password
            raise
        self._record("user.signup", f"{username}:{user.status.value}")

    # ---- the administrator ---------------------------------------------------------------

    def pending(self, actor: Actor) -> list[User]:
        """Accounts with a request waiting (pending sign-ups and author requests), oldest
        first."""
        self._require_admin(actor, "user.signup_list", "*")
        waiting = [u for u in self._dir.list() if u.pending_role is not None]
        # A role request from the profile page waits since it was made, not since sign-up.
        return sorted(waiting, key=lambda u: (u.requested_at or u.signed_up_at or u.created_at,
                                              u.username))

    def approve(self, actor: Actor, username: str) -> User:
        """Grant the role asked for; a pending account becomes active."""
        self._require_admin(actor, "user.signup_approve", username)
        user, role = self._waiting(username)
        roles = (user.roles - {Role.VIEWER}) | {role}
        self._dir.settle_request(username, role, AccountStatus.ACTIVE, frozenset(roles))
        self._record("user.signup_approve", f"{username}:{role.value}", actor=actor)
        return self._dir.get(username)

    def decline(self, actor: Actor, username: str) -> User:
        """A pending account is declined (it cannot sign in); an active viewer's author
        request is declined and the viewer stays as they were."""
        self._require_admin(actor, "user.signup_decline", username)
        user, role = self._waiting(username)
        status = (AccountStatus.DECLINED if user.status == AccountStatus.PENDING
                  else user.status)
        self._dir.settle_request(username, role, status, user.roles)
        self._record("user.signup_decline", f"{username}:{role.value}", actor=actor)
        return self._dir.get(username)

    # ---- helpers -------------------------------------------------------------------------

    def _new_account(self, draft: SignupDraft, username: str, now: datetime) -> User:
        """The account this sign-up makes: who is active at once, what waits."""
        asked = draft.role or Role.VIEWER
        at_once = self._mode == "open" or email_domain(draft.email) in self._auto_domains
        status = AccountStatus.ACTIVE if at_once else AccountStatus.PENDING
        waits = None if at_once and asked == Role.VIEWER else asked
        return User(
            username=username, name=draft.name, email=draft.email,
            roles=frozenset({Role.VIEWER}), created_at=now, status=status,
            company=draft.company, purpose=draft.purpose.value if draft.purpose else "",
            requested_role=asked, signed_up_at=now, pending_role=waits,
        )

    def _taken(self, user: User) -> bool:
        """Whether the user name or the email (in any case) is someone's already."""
        try:
            self._dir.get(user.username)
            return True
        except NotFound:
            pass
        email = user.email.casefold()
        return any(other.email.casefold() == email for other in self._dir.list())

    def _waiting(self, username: str) -> tuple[User, Role]:
        user = self._dir.get(username)
        if user.pending_role is None:
            raise ConflictError("signup.err_decided", username=username)
        return user, user.pending_role

    def _take_slot(self, visit: str, now: datetime) -> str | None:
        """Take one sign-up from every limit, or from none; the name of a full limit."""
        if not self._instance.take(now):
            return "instance"
        limits = [RateLimit(f"signup-visit:{visit}", self._limit, self._window_minutes * 60)]
        try:
            full = self._slots.take_slot(limits, now)
        except BaseException:
            self._instance.give_back(now)
            raise
        if full is not None:
            self._instance.give_back(now)
            return "visit"
        return None

    def _require_admin(self, actor: Actor, action: str, target: str) -> None:
        try:
            require(actor, Action.MANAGE_USERS)
        except PermissionDenied:
            self._record(action, target, "denied", actor=actor)
            raise

    def _record(self, action: str, target: str, outcome: str = "ok",
                actor: Actor | None = None) -> None:
        who = (actor.user_id if actor else None) or "anonymous"
        record_audit(self._audit, self._clock(), who, action, target, outcome)
