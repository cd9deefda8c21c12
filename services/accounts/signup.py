"""Self-service sign-up (local sign-in) and the administrator's decision on it.

Modes (``DEMO_FACTORY_SIGNUP``): ``off`` (no sign-up), ``approval`` (the account waits, PENDING,
until an administrator approves it as the role asked for, or declines it) and ``open`` (a viewer
is active at once; an author request makes an active viewer whose author request waits). An
email in an auto-approved domain is an active viewer at once in both modes (an author request
waits the same way), but only once the email is verified: by the mailed link, or by the pool's
code. Without that the domain is only what the visitor typed (anyone can type ceo@acme.com),
so the account waits for an administrator as any other.

Nothing the visitor is told depends on which accounts exist: a user name or email already in
use, a filled honeypot field and a real sign-up all get the same answer (``sign_up`` returns
None) and cost about the same (one bcrypt hash). Only what is wrong with the form itself is
said. The real reason is audited and, with mail configured, mailed to the address typed.

With mail configured (SES and a public address), every sign-up's email is verified by a
single-use link that expires (``EmailLinks``): the account waits (PENDING, "confirm your
email" at sign-in) until the link is opened; then an account that the mode makes active at
once becomes active, and one that waits for an administrator goes on waiting, marked verified.
Without mail nothing verifies the email: the account is stored unverified (the legacy import and
auto-approved domains do not trust it) and the administrator decides. Decisions are mailed.

With a user pool (Cognito sign-in, ``pool``), the pool keeps the password and mails a code
that ``confirm`` checks (``signup_pool``); ``resend`` mails a new code.

Rate limits, as the contact form's (and through the same two mechanisms): per browser visit,
counted atomically in the store (``RateSlots.take_slot``), and per server instance, in this
process (``InstanceLimiter``), so that neither a new visit id nor many threads get past them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from services.accounts.mail import mail_language
from services.accounts.rules import normalize_username, validate_password
from services.accounts.signup_pool import PoolConfirmation
from services.accounts.verification import VERIFY_HOURS, EmailLinks, VerifyOutcome
from services.contact.service import InstanceLimiter
from services.domain.inquiries import RateLimit
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, Role, require
from services.domain.signup import SignupDraft, clean, email_domain
from services.domain.users import ANONYMOUS_ACTOR, AccountStatus, User
from services.errors import (
    ConflictError,
    MailRefused,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
)
from services.ops.audit import record_audit
from services.ports import (
    AuditLog,
    PasswordAuthenticator,
    PoolSignUp,
    RateSlots,
    SignupDirectory,
)

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
        links: EmailLinks | None = None,
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
        self._links = links
        self._mail = links.mail if links is not None else None
        self._pool = pool

    @property
    def verifies_email(self) -> bool:
        """Whether sign-ups confirm their email by a mailed link (mail is configured)."""
        return self._mail is not None

    @property
    def verify_hours(self) -> int:
        """How long a verification link works: the pages say it, as the mail does."""
        return self._links.hours if self._links is not None else VERIFY_HOURS

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
            PoolConfirmation(self._dir, self._pool, self._outcome,
                             self._record).create(user, cleaned.password)
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
        found = self._links.use(token, self._clock()) if self._links is not None else None
        if found is None or self._links is None:
            self._record("user.email_verify", "-", "invalid")
            return VerifyOutcome.INVALID
        try:
            user = self._dir.get(found.username)
        except NotFound:
            self._record("user.email_verify", found.username, "gone")
            return VerifyOutcome.INVALID
        # The link proves the address it went to: an auto-approved domain counts now.
        waits = (user.status == AccountStatus.PENDING
                 and not self._at_once(found.email, verified=True))
        status = user.status if waits or user.status != AccountStatus.PENDING else (
            AccountStatus.ACTIVE)
        if not self._links.confirm(found, status, only_from=user.status):
            # The account has another address now (or is gone): the link verifies nothing.
            self._record("user.email_verify", user.username, "other_email")
            return VerifyOutcome.INVALID
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
        ValidationError("cognito.err_code") for a wrong code; PermissionDenied
        ("signup.err_incomplete") for a pool account the app has no record of."""
        confirmation = PoolConfirmation(self._dir, self._require_pool(), self._outcome,
                                        self._record)
        return confirmation.confirm(normalize_username(username), code)

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

    def _outcome(self, email: str, asked: Role, *,
                 verified: bool) -> tuple[AccountStatus, Role | None]:
        """Who is active at once, and which request waits for an administrator."""
        at_once = self._at_once(email, verified=verified)
        status = AccountStatus.ACTIVE if at_once else AccountStatus.PENDING
        return status, None if at_once and asked == Role.VIEWER else asked

    def _require_pool(self) -> PoolSignUp:
        if self._pool is None or not self.is_open:
            raise PermissionDenied("signup.err_off")
        return self._pool

    def _new_account(self, draft: SignupDraft, username: str, now: datetime) -> User:
        """The account this sign-up makes: who is active at once, what waits."""
        asked = draft.role or Role.VIEWER
        # With mail the link will verify the address before the account is used (``verify``
        # applies the domain then); without mail nothing ever will.
        status, waits = self._outcome(draft.email, asked, verified=self.verifies_email)
        if self.verifies_email:  # even an account active at once waits for its link first
            status = AccountStatus.PENDING
        return User(
            username=username, name=draft.name, email=draft.email,
            roles=frozenset({Role.VIEWER}), created_at=now, status=status,
            company=draft.company, purpose=draft.purpose.value if draft.purpose else "",
            requested_role=asked, signed_up_at=now, pending_role=waits,
            # Nobody has shown the address is theirs yet: the link (with mail) will, else never.
            email_verified=False, signup_language=mail_language(draft.language),
        )

    def _at_once(self, email: str, *, verified: bool) -> bool:
        """Whether the mode makes an account with this email an active viewer at once. An
        auto-approved domain counts only for a ``verified`` email: typing one proves
        nothing."""
        if self._mode == "open":
            return True
        return verified and email_domain(email) in self._auto_domains

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
        if self._links is None:
            return
        with self._refusal_told(user.username):
            if not self._links.send(user, now):
                self._record("user.signup", user.username, "mail_failed")

    @contextmanager
    def _refusal_told(self, username: str) -> Iterator[None]:
        """A refused mail (the sender is not verified) is told to the visitor: every path of a
        sign-up mails the address typed, so the refusal says nothing about which accounts
        exist. What was stored stays; signing up again with the same email mails again."""
        try:
            yield
        except MailRefused as exc:
            self._record("user.signup", username, "mail_refused")
            raise MailRefused("signup.err_mail_refused") from exc

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
        with self._refusal_told(user.username):
            sent = (self._mail.email_in_use(user.email, lang) if taken == "email"
                    else self._mail.username_taken(user.email, lang))
        if not sent:
            self._record("user.signup", user.username, "mail_failed")

    def _unconfirmed_owner(self, email: str) -> User | None:
        """The waiting account of this email whose email is not confirmed yet, if any."""
        return next((u for u in self._dir.list() if u.email.casefold() == email.casefold()
                     and not u.email_verified and u.status == AccountStatus.PENDING), None)

    def _mail_decision(self, user: User, *, approved: bool) -> User:
        """The decision stands whatever the mail does; a failed mail is audited."""
        if self._mail is None:
            return user
        action = "user.signup_approve" if approved else "user.signup_decline"
        try:
            sent = self._mail.decision(user, approved)
        except MailRefused:
            self._record(action, user.username, "mail_refused")
            return user
        if not sent:
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
        who = (actor.user_id if actor else None) or ANONYMOUS_ACTOR
        record_audit(self._audit, self._clock(), who, action, target, outcome)
