"""Self-service sign-up (local sign-in) and the administrator's decision on it.

Modes (``DEMO_FACTORY_SIGNUP``): ``off`` (no sign-up), ``approval`` (the account waits, PENDING,
until an administrator approves it as the role asked for, or declines it) and ``open`` (a viewer
is active at once; an author request makes an active viewer whose author request waits). An
email in an auto-approved domain is an active viewer at once in both modes (an author request
waits the same way).

Nothing the visitor is told depends on which accounts exist: a user name or email already in
use, a filled honeypot field and a real sign-up all get the same answer (``sign_up`` returns
None) and cost about the same (one bcrypt hash). Only what is wrong with the form itself is
said. The real reason is audited and, with mail configured, mailed to the address typed.

With mail configured (SES and a public address), every sign-up's email is verified by a
single-use link that expires (``verify_hours``): the account waits (PENDING, "confirm your
email" at sign-in) until the link is opened; then an account that the mode makes active at
once becomes active, and one that waits for an administrator goes on waiting, marked verified.
Without mail, the administrator's approval stands in for verification. Decisions are mailed.

With a user pool (Cognito sign-in, ``pool``), the pool keeps the password and mails a code:
``sign_up`` writes the app's record (waiting for the code: PENDING without a request, so no
administrator sees it yet) and calls the pool's SignUp; ``confirm`` checks the code with the
pool and only then applies the mode (active at once, or waiting for an administrator, disabled
in the pool until then); ``resend`` mails a new code. A name or email in use gets the same
answer here too.

Rate limits, as the contact form's (and through the same two mechanisms): per browser visit,
counted atomically in the store (``RateSlots.take_slot``), and per server instance, in this
process (``InstanceLimiter``), so that neither a new visit id nor many threads get past them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from services.accounts.mail import AccountMail, mail_language
from services.accounts.service import normalize_username, validate_password
from services.contact.service import InstanceLimiter
from services.domain.inquiries import RateLimit
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, Role, require
from services.domain.signup import SignupDraft, clean, email_domain
from services.domain.tokens import AccountToken, TokenPurpose, new_token, token_hash
from services.domain.users import AccountStatus, User
from services.errors import (
    ConflictError,
    DemoFactoryError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
)
from services.ops.audit import record_audit
from services.ports import (
    AccountTokenStore,
    AuditLog,
    PasswordAuthenticator,
    PoolSignUp,
    RateSlots,
    SignupDirectory,
)

log = logging.getLogger(__name__)

MODES = ("off", "approval", "open")


class VerifyOutcome(StrEnum):
    """What opening a verification link did."""

    ACTIVE = "active"  # verified, and the account may sign in
    WAITING = "waiting"  # verified; an administrator still decides
    INVALID = "invalid"  # unknown, used or expired link (which one is not said)
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
        mail: AccountMail | None = None,
        tokens: AccountTokenStore | None = None,
        verify_hours: int = 24,
        pool: PoolSignUp | None = None,
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
        self._mail = mail if tokens is not None else None
        self._tokens = tokens
        self._verify_hours = verify_hours
        self._pool = pool

    @property
    def verifies_email(self) -> bool:
        """Whether sign-ups confirm their email by a mailed link (mail is configured)."""
        return self._mail is not None

    @property
    def verify_hours(self) -> int:
        """How long a verification link works: the pages say it, as the mail does."""
        return self._verify_hours

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def is_open(self) -> bool:
        """Whether visitors may sign up (any mode but ``off``)."""
        return self._mode != "off"

    @property
    def confirms_by_code(self) -> bool:
        """Whether a sign-up is confirmed with a code the pool mails (Cognito)."""
        return self._pool is not None

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
        if self._pool is not None:
            self._pool_sign_up(user, cleaned.password)
            return
        taken = self._taken(user)
        if taken is not None:
            # One bcrypt step, as a real sign-up's hash costs: timing tells nothing.
            self._passwords.check(username, cleaned.password)
            self._record("user.signup", username, "duplicate")
            self._mail_duplicate(user, taken)
            return
        try:
            self._dir.create(user)
        except ConflictError as exc:  # the same name or email, a moment earlier: the same
            self._record("user.signup", username, "duplicate")  # quiet answer and mail
            self._mail_duplicate(user, "email" if exc.key == "auth.err_email_taken"
                                 else "username")
            return
        try:
            self._passwords.set_password(username, cleaned.password)
        except Exception:
            self._dir.delete(username)  # no account without its password
            raise
        self._record("user.signup", f"{username}:{user.status.value}")
        self._send_verification(user, now)

    def verify(self, token: str) -> VerifyOutcome:
        """Open a verification link (no sign-in needed): the token is used once, atomically;
        the account's email is verified, and an account the mode makes active at once is
        active."""
        now = self._clock()
        found = (self._tokens.use(token_hash(token), TokenPurpose.VERIFY, now)
                 if self._tokens is not None and token else None)
        if found is None:
            self._record("user.email_verify", "-", "invalid")
            return VerifyOutcome.INVALID
        try:
            user = self._dir.get(found.username)
        except NotFound:
            self._record("user.email_verify", found.username, "gone")
            return VerifyOutcome.INVALID
        waits = user.status == AccountStatus.PENDING and not self._at_once(user.email)
        status = user.status if waits or user.status != AccountStatus.PENDING else (
            AccountStatus.ACTIVE)
        self._dir.confirm_email(user.username, status, only_from=user.status)
        self._record("user.email_verify", user.username)
        status = self._dir.get(user.username).status  # an administrator may have decided
        if status == AccountStatus.ACTIVE:
            return VerifyOutcome.ACTIVE
        # A declined sign-up has had its answer by mail: nothing waits any more.
        return (VerifyOutcome.WAITING if status == AccountStatus.PENDING
                else VerifyOutcome.INVALID)

    def confirm(self, username: str, code: str) -> AccountStatus:
        """Confirm a pool sign-up with the emailed code, then apply the mode. The account's
        status (ACTIVE: sign in now; PENDING: an administrator decides).
        ValidationError("cognito.err_code") for a wrong code."""
        pool = self._require_pool()
        username = normalize_username(username)
        pool.confirm(username, code)
        try:
            record = self._dir.get(username)
        except NotFound:  # a pool account without the app's record: the pool's own affair
            return AccountStatus.PENDING
        if record.status != AccountStatus.PENDING or record.pending_role is not None:
            return record.status  # confirmed before
        status, waits = self._outcome(record.email, record.requested_role or Role.VIEWER)
        # The check above is only a shortcut: the conditional write decides, so of two
        # confirmations at once only one admits and audits, and the record is never absent.
        if not self._dir.finish_confirmation(username, status, waits):
            return self._dir.get(username).status  # confirmed meanwhile
        try:
            pool.admit(replace(record, status=status, pending_role=waits))
        except DemoFactoryError:
            # The record has moved and decides: a sign-in it does not allow is refused, and
            # the pool told again, by the sign-in's check (``sign_in.cognito.record_gate``).
            log.warning("the pool did not follow the confirmation of %s", username,
                        exc_info=True)
        self._record("user.signup_confirm", f"{username}:{status.value}")
        return status

    def resend(self, username: str, visit_id: str) -> None:
        """Mail a new code (rate-limited as sign-ups are); the same answer for any name."""
        pool = self._require_pool()
        username = normalize_username(username)
        visit = visit_id[:_VISIT_KEY_MAX]
        full = self._take_slot(visit, self._clock())
        if full is not None:
            self._record("user.signup_resend", f"{visit[:8]}/{full}", "rate_limited")
            raise QuotaExceeded("signup.err_rate", minutes=self._window_minutes)
        pool.resend(username)
        self._record("user.signup_resend", username)

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
        self._dir.settle_request(username, role, AccountStatus.ACTIVE, frozenset(roles),
                                 held=user.roles)
        self._record("user.signup_approve", f"{username}:{role.value}", actor=actor)
        return self._mail_decision(self._dir.get(username), approved=True)

    def decline(self, actor: Actor, username: str) -> User:
        """A pending account is declined (it cannot sign in); an active viewer's author
        request is declined and the viewer stays as they were."""
        self._require_admin(actor, "user.signup_decline", username)
        user, role = self._waiting(username)
        status = (AccountStatus.DECLINED if user.status == AccountStatus.PENDING
                  else user.status)
        self._dir.settle_request(username, role, status, user.roles, held=user.roles)
        self._record("user.signup_decline", f"{username}:{role.value}", actor=actor)
        return self._mail_decision(self._dir.get(username), approved=False)

    # ---- helpers -------------------------------------------------------------------------

    def _outcome(self, email: str, asked: Role) -> tuple[AccountStatus, Role | None]:
        """Who is active at once, and which request waits for an administrator."""
        at_once = self._at_once(email)
        status = AccountStatus.ACTIVE if at_once else AccountStatus.PENDING
        return status, None if at_once and asked == Role.VIEWER else asked

    def _pool_sign_up(self, user: User, password: str) -> None:
        """The record waits for the code (no request an administrator would see yet); the
        pool makes the account and mails the code. A name or email in use: the quiet answer."""
        assert self._pool is not None
        try:
            self._dir.create(replace(user, status=AccountStatus.PENDING, pending_role=None))
        except ConflictError:
            self._record("user.signup", user.username, "duplicate")
            return
        try:
            self._pool.sign_up(user.username, user.email, user.name, password)
        except ConflictError:
            self._dir.delete(user.username)
            self._record("user.signup", user.username, "duplicate")
            return
        except Exception:
            self._dir.delete(user.username)  # no record without its pool account
            raise
        self._record("user.signup", f"{user.username}:unconfirmed")

    def _require_pool(self) -> PoolSignUp:
        if self._pool is None or not self.is_open:
            raise PermissionDenied("signup.err_off")
        return self._pool

    def _new_account(self, draft: SignupDraft, username: str, now: datetime) -> User:
        """The account this sign-up makes: who is active at once, what waits."""
        asked = draft.role or Role.VIEWER
        status, waits = self._outcome(draft.email, asked)
        if self.verifies_email:  # even an account active at once waits for its link first
            status = AccountStatus.PENDING
        return User(
            username=username, name=draft.name, email=draft.email,
            roles=frozenset({Role.VIEWER}), created_at=now, status=status,
            company=draft.company, purpose=draft.purpose.value if draft.purpose else "",
            requested_role=asked, signed_up_at=now, pending_role=waits,
            email_verified=not self.verifies_email, signup_language=mail_language(draft.language),
        )

    def _at_once(self, email: str) -> bool:
        """Whether the mode makes an account with this email an active viewer at once."""
        return self._mode == "open" or email_domain(email) in self._auto_domains

    def _taken(self, user: User) -> str | None:
        """What of this sign-up is someone's already: "email" (in any case), "username", or
        None."""
        email = user.email.casefold()
        if any(other.email.casefold() == email for other in self._dir.list()):
            return "email"
        try:
            self._dir.get(user.username)
            return "username"
        except NotFound:
            return None

    # ---- mail ----------------------------------------------------------------------------

    def _send_verification(self, user: User, now: datetime) -> None:
        if self._mail is None or self._tokens is None:
            return
        token = new_token()
        self._tokens.put(AccountToken(token_hash(token), TokenPurpose.VERIFY, user.username,
                                      now, now + timedelta(hours=self._verify_hours)))
        if not self._mail.verification(user, token, self._verify_hours):
            self._record("user.signup", user.username, "mail_failed")

    def _mail_duplicate(self, user: User, taken: str) -> None:
        """The real reason behind the quiet answer, to the address typed (its owner reads
        it, not the visitor)."""
        if self._mail is None:
            return
        owner = self._unconfirmed_owner(user.email) if taken == "email" else None
        if owner is not None:  # the link may have expired: a fresh one, not "sign in"
            self._send_verification(owner, self._clock())
            return
        lang = user.signup_language
        sent = (self._mail.email_in_use(user.email, lang) if taken == "email"
                else self._mail.username_taken(user.email, lang, user.username))
        if not sent:
            self._record("user.signup", user.username, "mail_failed")

    def _unconfirmed_owner(self, email: str) -> User | None:
        """The waiting account of this email whose email is not confirmed yet, if any."""
        return next((u for u in self._dir.list() if u.email.casefold() == email.casefold()
                     and not u.email_verified and u.status == AccountStatus.PENDING), None)

    def _mail_decision(self, user: User, *, approved: bool) -> User:
        if self._mail is not None and not self._mail.decision(user, approved):
            action = "user.signup_approve" if approved else "user.signup_decline"
            self._record(action, user.username, "mail_failed")
        return user

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
