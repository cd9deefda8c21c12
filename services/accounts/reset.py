"""Forgot password with local sign-in: a mailed link that sets a new password.

Anyone may ask (by user name or email); the answer is the same whether or not an account
exists, and only an account that exists and is not disabled or declined gets a mail. The
link holds a random token, stored hashed, that works once (one atomic write in the store)
for ``minutes``; setting the password through it follows the one password rule, ends every
session of the account and lifts a sign-in lockout (the link proves the mailbox is the
person's, as an administrator's reset does). A password the rule refuses does not use up the
link. A link remembers
the account's session epoch: a password change, another reset or "sign out everywhere" after
it was mailed ends it, as it ends the sign-ins.

Rate limits: per browser visit (atomic in the store, as the contact form's; ``QuotaExceeded``
says so, the same for every name) and per server instance; and per account, so nobody can
flood one inbox from many visits (a full account limit is not said: it would tell that the
account exists).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from services.accounts.mail import AccountMail
from services.accounts.rules import login_name, validate_password
from services.accounts.sessions import LocalSessions
from services.contact.service import InstanceLimiter
from services.domain.account_details import EMAIL_MAX
from services.domain.inquiries import RateLimit
from services.domain.models import utcnow
from services.domain.tokens import AccountToken, TokenPurpose, new_token, token_hash
from services.domain.users import ANONYMOUS_ACTOR, AccountStatus, User
from services.errors import (
    MailRefused,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationError,
)
from services.ops.audit import record_audit
from services.ports import (
    AccountTokenStore,
    AuditLog,
    LoginThrottle,
    PasswordAuthenticator,
    RateSlots,
    SignupDirectory,
)

_KEY_MAX = 64  # a visit id is a ULID; an identifier longer than an email is no account
_IDENTIFIER_MAX = EMAIL_MAX  # a user name is shorter
PER_ACCOUNT = 3  # links one account can get per window, whoever asks


class PasswordResetService:
    def __init__(
        self,
        directory: SignupDirectory,
        passwords: PasswordAuthenticator,
        sessions: LocalSessions,
        tokens: AccountTokenStore,
        slots: RateSlots,
        audit: AuditLog,
        *,
        mail: AccountMail | None,
        throttle: LoginThrottle,
        minutes: int = 30,
        limit: int = 3,
        instance_limit: int = 20,
        window_minutes: int = 60,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._dir = directory
        self._passwords = passwords
        self._sessions = sessions
        self._tokens = tokens
        self._slots = slots
        self._audit = audit
        self._mail = mail
        self._throttle = throttle
        self._minutes = minutes
        self._limit = limit
        self._window_minutes = window_minutes
        self._instance = InstanceLimiter(instance_limit, timedelta(minutes=window_minutes))
        self._clock = clock

    @property
    def available(self) -> bool:
        """Whether a reset link can be mailed (mail configured); otherwise the page says how
        to reach an administrator."""
        return self._mail is not None

    def request(self, identifier: str, visit_id: str) -> None:
        """Mail a reset link to the account named by user name or email, if there is one.
        The same None whatever exists; QuotaExceeded when this visit or instance asked too
        often; PermissionDenied without mail."""
        if self._mail is None:
            raise PermissionDenied("reset.err_no_mail")
        now = self._clock()
        visit = visit_id[:_KEY_MAX]
        if not self._take(f"reset-visit:{visit}", self._limit, now, instance=True):
            self._record("auth.forgot_password", f"{visit[:8]}/visit", "rate_limited")
            raise QuotaExceeded("reset.err_rate", minutes=self._window_minutes)
        user = self._find(identifier)
        if user is None:
            self._record("auth.forgot_password", "-", "unknown")
            return
        if not self._take(f"reset-user:{user.username}", PER_ACCOUNT, now, instance=False):
            self._record("auth.forgot_password", user.username, "rate_limited")
            return
        token = new_token()
        self._tokens.put(AccountToken(token_hash(token), TokenPurpose.RESET, user.username,
                                      now, now + timedelta(minutes=self._minutes),
                                      epoch=self._sessions.epoch(user.username)))
        try:
            sent = self._mail.reset(user, token, self._minutes)
        except MailRefused:
            # Not told: the answer must not depend on whether the account exists, and an
            # unknown name mails nothing. The audit log and the doctor tell the administrator.
            self._record("auth.forgot_password", user.username, "mail_refused")
            return
        self._record("auth.forgot_password", user.username, "ok" if sent else "mail_failed")

    def peek(self, token: str) -> bool:
        """Whether the link would set a password now, without using it up or recording
        anything: the page says a used, expired or ended link is so before a password is
        typed. ``reset`` decides again (the link may be used meanwhile)."""
        found = (self._tokens.find(token_hash(token), TokenPurpose.RESET, self._clock())
                 if token else None)
        if found is None:
            return False
        user, refusal = self._holder(found)
        return user is not None and refusal is None

    def reset(self, token: str, password: str, password_again: str) -> None:
        """Set a new password through a link: ValidationError("reset.err_link") for an
        unknown, used or expired link, the password rule's errors otherwise (the link stays
        usable then)."""
        if password != password_again:
            raise ValidationError("signup.err_password_mismatch")
        found = (self._tokens.use(token_hash(token), TokenPurpose.RESET, self._clock())
                 if token else None)
        if found is None:
            self._record("auth.reset_password_confirmed", "-", "invalid")
            raise ValidationError("reset.err_link")
        user, refusal = self._holder(found)
        if user is None or refusal is not None:
            if user is not None:
                self._record("auth.reset_password_confirmed", user.username, str(refusal))
            raise ValidationError("reset.err_link")
        try:
            validate_password(password, user.username,
                              strength_inputs=(user.name, user.email, user.company))
        except ValidationError:
            self._tokens.put(found)  # the link was used for nothing: it stays usable
            raise
        self._passwords.set_password(user.username, password)
        self._sessions.end_all(user.username)
        # The page says "sign in with the new password": earlier failed guesses must not
        # keep that sign-in locked.
        self._throttle.clear_login_failures(user.username)
        self._record("auth.reset_password_confirmed", user.username)

    def _holder(self, found: AccountToken) -> tuple[User | None, str | None]:
        """The link's account (None if it is gone), and why the link no longer works for it
        (an audit outcome; None: it works)."""
        try:
            user = self._dir.get(found.username)
        except NotFound:
            return None, None
        if user.disabled or user.status == AccountStatus.DECLINED:
            return user, "denied"  # disabled or declined since the link was mailed
        if found.epoch != self._sessions.epoch(user.username):
            # The password changed (or every sign-in was ended) since the link was mailed.
            return user, "stale"
        return user, None

    def _find(self, identifier: str) -> User | None:
        name = login_name(identifier)
        if not name or len(name) > _IDENTIFIER_MAX:
            return None
        try:
            user: User | None = self._dir.get(name)
        except NotFound:
            user = next((u for u in self._dir.list() if u.email.casefold() == name.casefold()),
                        None)
        if user is None or user.disabled or user.status == AccountStatus.DECLINED:
            return None
        return user

    def _take(self, key: str, limit: int, now: datetime, *, instance: bool) -> bool:
        if instance and not self._instance.take(now):
            return False
        try:
            full = self._slots.take_slot([RateLimit(key, limit, self._window_minutes * 60)], now)
        except BaseException:
            if instance:
                self._instance.give_back(now)
            raise
        if full is not None and instance:
            self._instance.give_back(now)
        return full is None

    def _record(self, action: str, target: str, outcome: str = "ok") -> None:
        record_audit(self._audit, self._clock(), ANONYMOUS_ACTOR, action, target, outcome)
