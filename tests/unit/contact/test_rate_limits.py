"""The contact form's rate limits, on both stores: check-and-record is one atomic step (20
concurrent submissions with a limit of 3 let exactly 3 through), and limits the client cannot
reset (per server instance, and for everyone per window) hold however many visit ids a client
makes up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.adapters.aws.dynamodb.audit import DynamoAuditLog
from services.adapters.aws.dynamodb.inquiries import DynamoInquiryStore
from services.adapters.sqlite.audit import SqliteAuditLog
from services.adapters.sqlite.inquiries import SqliteInquiryStore
from services.contact.service import InquiryService
from services.domain.inquiries import InquiryDraft, InquiryStatus, InquiryType
from services.domain.models import new_id
from services.domain.permissions import Actor
from services.errors import QuotaExceeded
from tests.contract.aws_backends import mocked_aws
from tests.contract.local_backends import _database
from tests.doubles.clock import Clock

GOOD = InquiryDraft("김민준", "kim@example.com", "", InquiryType.PARTNERSHIP, "파트너십",
                    "함께 일하고 싶습니다.", True)
ANON = Actor.anonymous()
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@contextmanager
def sqlite_ports(tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    with _database(tmp_path) as db:
        yield SqliteInquiryStore(db), SqliteAuditLog(db)


@contextmanager
def dynamodb_ports(tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    with mocked_aws() as aws:
        yield (DynamoInquiryStore(aws.dynamodb, str(aws.settings.inquiries_table)),
               DynamoAuditLog(aws.dynamodb, str(aws.settings.audit_table)))


BACKENDS = {"sqlite": sqlite_ports, "dynamodb": dynamodb_ports}


@pytest.fixture(params=sorted(BACKENDS))
def ports(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    with BACKENDS[request.param](tmp_path) as found:
        yield found


def service(ports: tuple[Any, Any], clock: Clock | None = None, **limits: int) -> InquiryService:
    store, audit = ports
    return InquiryService(store, audit, window_minutes=60, clock=clock or Clock(T0), tz=UTC,
                          **limits)


def submit_all(inquiries: InquiryService, sessions: list[str]) -> list[bool]:
    """Submit once per entry, all at the same moment; True for each accepted."""
    start = threading.Barrier(len(sessions))

    def one(session_id: str) -> bool:
        start.wait()
        try:
            inquiries.submit(ANON, GOOD, session_id)
        except QuotaExceeded:
            return False
        return True

    with ThreadPoolExecutor(len(sessions)) as pool:
        return list(pool.map(one, sessions))


def test_twenty_concurrent_submissions_with_a_limit_of_3_let_exactly_3_through(
    ports: tuple[Any, Any]
) -> None:
    inquiries = service(ports, limit=3)

    accepted = submit_all(inquiries, ["same-visit"] * 20)

    assert accepted.count(True) == 3
    assert len(ports[0].list(InquiryStatus.OPEN)) == 3


def test_a_new_visit_id_per_request_still_meets_the_global_limit(
    ports: tuple[Any, Any]
) -> None:
    clock = Clock(T0)
    inquiries = service(ports, clock, limit=3, global_limit=5, instance_limit=100)

    accepted = [_accepted(inquiries, new_id()) for _ in range(12)]

    assert accepted.count(True) == 5
    # Another server instance shares the global count...
    assert not _accepted(service(ports, clock, limit=3, global_limit=5), new_id())
    clock.now += timedelta(minutes=60)  # ...until the next window
    assert _accepted(inquiries, new_id())


def test_a_new_visit_id_per_request_still_meets_the_instance_limit(
    ports: tuple[Any, Any]
) -> None:
    clock = Clock(T0)
    inquiries = service(ports, clock, limit=3, global_limit=100, instance_limit=4)

    accepted = submit_all(inquiries, [new_id() for _ in range(10)])

    assert accepted.count(True) == 4
    assert _accepted(service(ports, clock, limit=3, global_limit=100, instance_limit=4),
                     new_id())  # the limit is this instance's own
    clock.now += timedelta(minutes=60)
    assert _accepted(inquiries, new_id())


def _accepted(inquiries: InquiryService, session_id: str) -> bool:
    try:
        inquiries.submit(ANON, GOOD, session_id)
    except QuotaExceeded:
        return False
    return True
