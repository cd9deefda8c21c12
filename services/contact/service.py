"""The contact form as a use case: anyone submits, admins read and mark inquiries handled.

Submissions are validated (``domain.inquiries.clean``), rate-limited, stored, audited and, when
SES is configured, announced by email. A failed email never loses the inquiry: it is stored
first and the failure is logged and audited.

Rate limits, so that the form cannot be used to flood an inbox through SES: per browser visit
(``limit``), and two the client cannot reset by making up visit ids: per server instance
(``instance_limit``, in this process) and for everyone (``global_limit``, in the store). The
visit and global counters are checked and taken in one atomic step of the store
(``InquiryStore.take_slot``), so concurrent submissions cannot all pass one check.

A submission may carry a token (one per form drawn): a token seen before returns the inquiry it
filed, without a rate-limit charge, a new inquiry or a second email, so a double click or a
resubmitted form files once. The store files under a token atomically (``add_once``), and sends
of one token at the same moment queue behind each other here (``TokenLocks``), so the rate limit
is charged once. Both sends of a double click reach the instance that holds the visit.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, tzinfo

from services.domain.inquiries import Inquiry, InquiryDraft, InquiryStatus, RateLimit, clean
from services.domain.models import new_id, utcnow
from services.domain.permissions import Action, Actor, require
from services.domain.users import ANONYMOUS_ACTOR, SYSTEM_ACTOR
from services.errors import DemoFactoryError, PermissionDenied, QuotaExceeded
from services.i18n import translate
from services.i18n.times import format_time
from services.ops.audit import record_audit
from services.ports import AuditLog, InquiryStore, Mailer

log = logging.getLogger(__name__)
GLOBAL_KEY = "global"
INSTANCE_KEY = "instance"
_VISIT_KEY_MAX = 64  # a visit id is a ULID; anything longer is cut, not trusted


class InstanceLimiter:
    """At most ``limit`` submissions within any ``window`` in this process; check and take
    under one lock."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self._limit = limit
        self._window = window
        self._taken: deque[datetime] = deque()
        self._lock = threading.Lock()

    def take(self, now: datetime) -> bool:
        with self._lock:
            while self._taken and self._taken[0] <= now - self._window:
                self._taken.popleft()
            if len(self._taken) >= self._limit:
                return False
            self._taken.append(now)
            return True

    def give_back(self, now: datetime) -> None:
        """Undo a ``take`` whose submission another limit refused."""
        with self._lock:
            if now in self._taken:
                self._taken.remove(now)


class TokenLocks:
    """One lock per submission token in use, so that sends of the same form run one at a time
    (the first files, the others find what it filed); a lock is dropped when nobody holds it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def held(self, token: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(token, (threading.Lock(), 0))
            self._locks[token] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[token]
                if users == 1:
                    del self._locks[token]
                else:
                    self._locks[token] = (lock, users - 1)


class InquiryService:
    def __init__(
        self,
        store: InquiryStore,
        audit: AuditLog,
        *,
        mailer: Mailer | None = None,
        sender: str | None = None,
        recipient: str | None = None,
        limit: int = 3,
        window_minutes: int = 60,
        global_limit: int = 30,
        instance_limit: int = 20,
        language: str = "ko",
        tz: tzinfo,  # the app's zone: the mail shows times as the pages do
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._audit = audit
        self._mailer = mailer if sender and recipient else None
        self._sender = sender or ""
        self._recipient = recipient or ""
        self._limit = limit
        self._global_limit = global_limit
        self._instance = InstanceLimiter(instance_limit, timedelta(minutes=window_minutes))
        self._window_minutes = window_minutes
        self._language = language
        self._tz = tz
        self._clock = clock
        self._tokens = TokenLocks()

    @property
    def notifies(self) -> bool:
        return self._mailer is not None

    def submit(self, actor: Actor, draft: InquiryDraft, session_id: str,
               token: str | None = None) -> Inquiry:
        """Validate, rate-limit, store, audit, notify. Anyone may submit (anonymous too).
        A repeated ``token`` returns the inquiry it filed and does nothing else."""
        cleaned = clean(draft)
        if token is None:
            return self._file(actor, cleaned, session_id, None)
        with self._tokens.held(token):
            earlier = self._store.find_by_token(token)
            if earlier is not None:
                return earlier
            return self._file(actor, cleaned, session_id, token)

    def _file(self, actor: Actor, cleaned: InquiryDraft, session_id: str,
              token: str | None) -> Inquiry:
        now = self._clock()
        who = actor.user_id or ANONYMOUS_ACTOR
        full = self._take_slot(session_id, now)
        if full is not None:
            self._record(who, "inquiry.submit", f"{session_id[:8]}/{full}", "rate_limited")
            raise QuotaExceeded("inquiries.err_rate", minutes=self._window_minutes)
        inquiry = Inquiry(
            id=new_id(), created_at=now, name=cleaned.name, email=cleaned.email,
            company=cleaned.company, type=cleaned.type, subject=cleaned.subject,
            message=cleaned.message, submitted_by=actor.user_id,
        )
        if token is None:
            self._store.add(inquiry)
        else:
            stored = self._store.add_once(inquiry, token)
            if stored.id != inquiry.id:  # a concurrent send of the same form filed it
                return stored
        self._record(who, "inquiry.submit", inquiry.id)
        self._notify(inquiry)
        return inquiry

    def list(self, actor: Actor, status: InquiryStatus, limit: int = 200) -> list[Inquiry]:
        self._require(actor, "inquiry.list", status.value)
        return self._store.list(status, limit)

    def set_handled(self, actor: Actor, inquiry_id: str, handled: bool) -> Inquiry:
        action = "inquiry.handled" if handled else "inquiry.reopened"
        self._require(actor, action, inquiry_id)
        status = InquiryStatus.HANDLED if handled else InquiryStatus.OPEN
        stored = self._store.set_status(
            inquiry_id, status, actor.user_id if handled else None,
            self._clock() if handled else None,
        )
        self._record(str(actor.user_id), action, inquiry_id)
        return stored

    # ---- helpers -------------------------------------------------------------------------

    def _take_slot(self, session_id: str, now: datetime) -> str | None:
        """Take one submission from every limit, or from none; the name of a full limit."""
        if not self._instance.take(now):
            return INSTANCE_KEY
        window = self._window_minutes * 60
        limits = [RateLimit(f"visit:{session_id[:_VISIT_KEY_MAX]}", self._limit, window),
                  RateLimit(GLOBAL_KEY, self._global_limit, window)]
        try:
            full = self._store.take_slot(limits, now)
        except BaseException:
            self._instance.give_back(now)
            raise
        if full is not None:
            self._instance.give_back(now)
            return GLOBAL_KEY if full == GLOBAL_KEY else "visit"
        return None

    def _notify(self, inquiry: Inquiry) -> None:
        if self._mailer is None:
            return
        subject, body = notification(inquiry, self._language, self._tz)
        try:
            self._mailer.send(self._sender, self._recipient, subject, body,
                              reply_to=inquiry.email)
        except DemoFactoryError as exc:
            log.warning("inquiry %s: notification failed: %s", inquiry.id, exc)
            self._record(SYSTEM_ACTOR, "inquiry.notify", inquiry.id, "failed")
            return
        self._record(SYSTEM_ACTOR, "inquiry.notify", inquiry.id)

    def _require(self, actor: Actor, action: str, target: str) -> None:
        try:
            require(actor, Action.MANAGE_INQUIRIES)
        except PermissionDenied:
            self._record(actor.user_id or ANONYMOUS_ACTOR, action, target, "denied")
            raise

    def _record(self, actor: str, action: str, target: str, outcome: str = "ok") -> None:
        record_audit(self._audit, self._clock(), actor, action, target, outcome)


def notification(inquiry: Inquiry, language: str, tz: tzinfo) -> tuple[str, str]:
    """The email's subject and plain-text body (the visitor's text is quoted as data); the
    received time in ``tz``, the app's zone."""
    def tr(key: str, **params: object) -> str:
        return translate(language, key, **params)

    subject = tr("inquiries.mail_subject", subject=" ".join(inquiry.subject.split()))[:200]
    lines = [
        tr("inquiries.mail_intro"),
        "",
        f"{tr('inquiries.type')}: {tr('inquiries.type_' + inquiry.type.value)}",
        f"{tr('inquiries.name')}: {inquiry.name}",
        f"{tr('inquiries.email')}: {inquiry.email}",
        f"{tr('inquiries.company')}: {inquiry.company or '-'}",
        f"{tr('inquiries.subject')}: {inquiry.subject}",
        f"{tr('inquiries.received')}: {format_time(inquiry.created_at, tz)}",
        f"ID: {inquiry.id}",
        "",
        f"{tr('inquiries.message')}:",
        *(f"> {line}" for line in inquiry.message.splitlines()),
    ]
    return subject, "\n".join(lines)
