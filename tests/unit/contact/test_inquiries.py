"""Inquiries: validation, the per-session rate limit, SES notification (moto), i18n keys."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.adapters.aws.common import make_client
from services.adapters.aws.ses import SesMailer
from services.contact.service import InquiryService, notification
from services.domain.inquiries import (
    LIMITS,
    InquiryDraft,
    InquiryStatus,
    InquiryType,
    clean,
    inquiry_problems,
    reference,
    stripped,
)
from services.domain.permissions import Actor
from services.errors import QuotaExceeded, ServiceUnavailable, ValidationError
from services.i18n import catalog
from services.ports import AuditLog, InquiryStore
from tests.doubles.clock import Clock

GOOD = InquiryDraft("김민준", " kim@example.com ", "", InquiryType.PARTNERSHIP, "파트너십",
                    "함께 일하고 싶습니다.\n연락 주세요.", True)
ANON = Actor.anonymous()
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({"name": " "}, [("name", "inquiries.err_name_missing")]),
        ({"email": ""}, [("email", "inquiries.err_email_missing")]),
        ({"email": "kim@example"}, [("email", "inquiries.err_email")]),
        ({"email": "a b@example.com"}, [("email", "inquiries.err_email")]),
        ({"subject": ""}, [("subject", "inquiries.err_subject_missing")]),
        ({"message": "\n"}, [("message", "inquiries.err_message_missing")]),
        ({"message": "x" * (LIMITS["message"] + 1)}, [("message", "inquiries.err_too_long")]),
        ({"consent": False}, [("consent", "inquiries.err_consent")]),
        ({}, []),
    ],
)
def test_validation(changes: dict[str, object], problems: list[tuple[str, str]]) -> None:
    draft = replace(GOOD, **changes)  # type: ignore[arg-type]
    assert inquiry_problems(stripped(draft)) == problems
    if problems:
        with pytest.raises(ValidationError) as refused:
            clean(draft)
        assert refused.value.key == problems[0][1]


def test_every_message_key_exists_in_both_languages() -> None:
    keys = {f"inquiries.err_{f}_missing" for f in ("name", "email", "subject", "message")}
    keys |= {f"inquiries.type_{kind.value}" for kind in InquiryType}
    for lang in ("ko", "en"):
        assert keys <= set(catalog(lang))


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 1, 9, 0, tzinfo=UTC))


def _service(store: InquiryStore, audit: AuditLog, clock: Clock, **kwargs: object
             ) -> InquiryService:
    return InquiryService(store, audit, limit=2, window_minutes=10, clock=clock, tz=SEOUL,  # type: ignore[arg-type]
                          **kwargs)


def test_stored_stripped_and_audited(services: object, clock: Clock) -> None:
    ports = services.ports  # type: ignore[attr-defined]
    inquiries = _service(ports.inquiries, ports.audit, clock)

    stored = inquiries.submit(ANON, GOOD, "s1")

    assert ports.inquiries.get(stored.id) == stored
    assert stored.email == "kim@example.com" and stored.status == InquiryStatus.OPEN
    assert ports.audit.entries(action="inquiry.submit")[0].actor == "anonymous"


def test_rate_limit_per_session_and_window(services: object, clock: Clock) -> None:
    ports = services.ports  # type: ignore[attr-defined]
    inquiries = _service(ports.inquiries, ports.audit, clock)
    inquiries.submit(ANON, GOOD, "s1")
    inquiries.submit(ANON, GOOD, "s1")
    with pytest.raises(QuotaExceeded) as limited:
        inquiries.submit(ANON, GOOD, "s1")
    assert limited.value.params == {"minutes": 10}
    inquiries.submit(ANON, GOOD, "s2")  # another session is not affected
    with pytest.raises(ValidationError):  # invalid drafts do not count...
        inquiries.submit(ANON, replace(GOOD, consent=False), "s3")
    inquiries.submit(ANON, GOOD, "s3")  # ...so s3 still has both
    inquiries.submit(ANON, GOOD, "s3")
    clock.now += timedelta(minutes=10)
    inquiries.submit(ANON, GOOD, "s1")  # the window moved on
    assert len(ports.inquiries.list(InquiryStatus.OPEN)) == 6
    assert ports.audit.entries(action="inquiry.submit")[-1].outcome == "ok"
    assert any(e.outcome == "rate_limited" for e in ports.audit.entries(action="inquiry.submit"))


def test_notification_text_keeps_the_message_as_quoted_data() -> None:
    inquiry = clean(GOOD)
    subject, body = notification(
        _Inq(inquiry), "ko", SEOUL  # type: ignore[arg-type]
    )
    assert subject == "[Demo Factory] 새 문의: 파트너십"
    assert "> 함께 일하고 싶습니다.\n> 연락 주세요." in body
    assert "문의 유형: 파트너십" in body


def test_the_received_time_is_in_the_app_zone_as_the_app_shows_times() -> None:
    """Not the stored UTC: an admin in Seoul reads the mail as the app's own pages."""
    inquiry = _Inq(clean(GOOD))
    inquiry.created_at = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)

    _, korean = notification(inquiry, "ko", SEOUL)  # type: ignore[arg-type]
    _, english = notification(inquiry, "en", ZoneInfo("Europe/Berlin"))  # type: ignore[arg-type]

    assert "접수 시각: 2026-03-05 00:30 KST" in korean
    assert "Received: 2026-03-04 16:30 CET" in english


class _Inq:
    """An Inquiry-like view of a draft for the text builder."""

    def __init__(self, draft: InquiryDraft) -> None:
        self.__dict__.update(draft.__dict__)
        self.id = "01J-TEST"
        self.created_at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


# ---- SES on moto ------------------------------------------------------------------------------


@pytest.fixture
def ses() -> Iterator[object]:
    from moto.ses.models import ses_backends

    from tests.contract.aws_backends import mocked_aws

    with mocked_aws() as aws:
        client = make_client("ses", aws.settings)
        client.verify_email_identity(EmailAddress="noreply@example.com")
        yield client, ses_backends["123456789012"]["us-east-1"]


def test_new_inquiries_are_emailed_through_ses(services: object, clock: Clock,
                                               ses: object) -> None:
    client, backend = ses  # type: ignore[misc]
    ports = services.ports  # type: ignore[attr-defined]
    inquiries = _service(ports.inquiries, ports.audit, clock, mailer=SesMailer(client),
                         sender="noreply@example.com", recipient="sales@example.com")
    assert inquiries.notifies

    stored = inquiries.submit(ANON, GOOD, "s1")

    [message] = backend.sent_messages
    assert message.destinations["ToAddresses"] == ["sales@example.com"]
    assert message.subject == "[Demo Factory] 새 문의: 파트너십"
    assert stored.id in message.body
    assert "접수 시각: 2026-11-01 18:00 KST" in message.body  # the clock's 09:00 UTC
    assert ports.audit.entries(action="inquiry.notify")[0].outcome == "ok"


def test_a_failed_email_keeps_the_inquiry(services: object, clock: Clock, ses: object) -> None:
    client, backend = ses  # type: ignore[misc]
    ports = services.ports  # type: ignore[attr-defined]
    inquiries = _service(ports.inquiries, ports.audit, clock, mailer=SesMailer(client),
                         sender="unverified@example.com", recipient="sales@example.com")

    stored = inquiries.submit(ANON, GOOD, "s1")  # SES refuses an unverified sender

    assert backend.sent_messages == []
    assert ports.inquiries.get(stored.id) == stored
    assert ports.audit.entries(action="inquiry.notify")[0].outcome == "failed"


def test_no_notification_without_both_addresses(services: object, clock: Clock) -> None:
    ports = services.ports  # type: ignore[attr-defined]

    class Boom:
        def send(self, *args: object, **kwargs: object) -> None:
            raise ServiceUnavailable()

    inquiries = _service(ports.inquiries, ports.audit, clock, mailer=Boom(),
                         sender="noreply@example.com", recipient=None)
    assert not inquiries.notifies
    inquiries.submit(ANON, GOOD, "s1")
    assert ports.audit.entries(action="inquiry.notify") == []


def test_a_resubmitted_token_returns_the_same_inquiry_and_is_not_charged(
    services: object, clock: Clock
) -> None:
    ports = services.ports  # type: ignore[attr-defined]
    inquiries = _service(ports.inquiries, ports.audit, clock)  # two per visit and window

    first = inquiries.submit(ANON, GOOD, "s1", token="form-1")
    for _ in range(3):  # a double click, a resubmit: never a second inquiry nor a rate charge
        assert inquiries.submit(ANON, GOOD, "s1", token="form-1") == first

    assert ports.inquiries.list(InquiryStatus.OPEN) == [first]
    inquiries.submit(ANON, GOOD, "s1", token="form-2")  # the second real one is still allowed
    assert len(ports.inquiries.list(InquiryStatus.OPEN)) == 2


def test_the_inquiry_number_is_short_and_derived_from_the_id() -> None:
    assert reference("01JABCDEFGHJKMNPQRSTVWXYZ0") == reference("01JABCDEFGHJKMNPQRSTVWXYZ0")
    assert reference("01JABCDEFGHJKMNPQRSTVWXYZ0") != reference("01JABCDEFGHJKMNPQRSTVWXYZ1")
    assert reference("01JABCDEFGHJKMNPQRSTVWXYZ0") == "Q-STVW-XYZ0"


def test_too_long_says_how_long_and_the_limit() -> None:
    draft = replace(GOOD, message="가" * (LIMITS["message"] + 7))
    with pytest.raises(ValidationError) as refused:
        clean(draft)
    assert refused.value.params["length"] == LIMITS["message"] + 7
    assert refused.value.params["max"] == LIMITS["message"]


class SlowSlots:
    """The store, with a slow rate-limit step: every click is inside it at the same time."""

    def __init__(self, store: InquiryStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def take_slot(self, limits: object, now: datetime) -> str | None:
        full = self._store.take_slot(limits, now)  # type: ignore[arg-type]
        time.sleep(0.05)
        return full


def test_a_double_click_at_the_same_moment_files_once_and_is_charged_once(
    services: object, clock: Clock
) -> None:
    ports = services.ports  # type: ignore[attr-defined]
    inquiries = _service(SlowSlots(ports.inquiries), ports.audit, clock)  # two per window
    start = threading.Barrier(6)

    def click(_: int) -> str:
        start.wait()
        return inquiries.submit(ANON, GOOD, "s1", token="form-1").id

    with ThreadPoolExecutor(6) as pool:
        ids = set(pool.map(click, range(6)))

    assert len(ids) == 1 and len(ports.inquiries.list(InquiryStatus.OPEN)) == 1
    inquiries.submit(ANON, GOOD, "s1", token="form-2")  # one charge so far: one more fits
    with pytest.raises(QuotaExceeded):
        inquiries.submit(ANON, GOOD, "s1", token="form-3")
