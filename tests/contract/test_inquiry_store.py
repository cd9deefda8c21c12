"""InquiryStore contract (SQLite, DynamoDB): inquiries, and the contact form's rate-limit
counters (checked and taken in one atomic step)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.domain.inquiries import Inquiry, InquiryStatus, InquiryType, RateLimit
from services.errors import ConflictError, NotFound

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def inquiry(number: int = 1, **fields: Any) -> Inquiry:
    values: dict[str, Any] = {
        "id": f"01J{number:023d}",
        "created_at": T0 + timedelta(minutes=number),
        "name": "김민준",
        "email": "kim@example.com",
        "company": "",
        "type": InquiryType.DEMO_REQUEST,
        "subject": f"데모 요청 {number}",
        "message": "Bedrock 데모를 보고 싶습니다.\n두 번째 줄",
    }
    values.update(fields)
    return Inquiry(**values)


def test_add_then_get_round_trips(inquiry_store: Any) -> None:
    item = inquiry(company="ACME", submitted_by="kim")
    inquiry_store.add(item)

    assert inquiry_store.get(item.id) == item


def test_duplicate_id_conflicts(inquiry_store: Any) -> None:
    inquiry_store.add(inquiry())

    with pytest.raises(ConflictError):
        inquiry_store.add(inquiry(subject="other"))

    assert inquiry_store.get(inquiry().id).subject == "데모 요청 1"


def test_missing_is_not_found(inquiry_store: Any) -> None:
    with pytest.raises(NotFound):
        inquiry_store.get("nope")
    with pytest.raises(NotFound):
        inquiry_store.set_status("nope", InquiryStatus.HANDLED, "root", T0)


def test_list_by_status_newest_first_with_limit(inquiry_store: Any) -> None:
    for number in (1, 3, 2):
        inquiry_store.add(inquiry(number))

    newest = inquiry_store.list(InquiryStatus.OPEN)
    assert [i.subject for i in newest] == ["데모 요청 3", "데모 요청 2", "데모 요청 1"]
    assert len(inquiry_store.list(InquiryStatus.OPEN, limit=2)) == 2
    assert inquiry_store.list(InquiryStatus.HANDLED) == []


def test_mark_handled_and_reopen(inquiry_store: Any) -> None:
    inquiry_store.add(inquiry(1))
    inquiry_store.add(inquiry(2))
    at = T0 + timedelta(hours=1)

    stored = inquiry_store.set_status(inquiry(1).id, InquiryStatus.HANDLED, "root", at)

    assert stored == replace(inquiry(1), status=InquiryStatus.HANDLED, handled_by="root",
                             handled_at=at)
    assert [i.id for i in inquiry_store.list(InquiryStatus.HANDLED)] == [inquiry(1).id]
    assert [i.id for i in inquiry_store.list(InquiryStatus.OPEN)] == [inquiry(2).id]

    reopened = inquiry_store.set_status(inquiry(1).id, InquiryStatus.OPEN, None, None)
    assert reopened == inquiry(1)


# ---- the contact form's rate-limit counters ----------------------------------------------------

WINDOW = 600  # seconds


def session(name: str, limit: int = 2) -> RateLimit:
    return RateLimit(f"session:{name}", limit, WINDOW)


def test_take_slot_counts_per_key_and_window(inquiry_store: Any) -> None:
    everyone = RateLimit("global", 3, WINDOW)

    assert inquiry_store.take_slot([session("s1"), everyone], T0) is None
    assert inquiry_store.take_slot([session("s1"), everyone], T0) is None
    assert inquiry_store.take_slot([session("s1"), everyone], T0) == "session:s1"
    assert inquiry_store.take_slot([session("s2"), everyone], T0) is None
    assert inquiry_store.take_slot([session("s3"), everyone], T0) == "global"  # 3 taken

    later = T0 + timedelta(seconds=WINDOW)  # the next window starts afresh
    assert inquiry_store.take_slot([session("s1"), everyone], later) is None


def test_a_shifted_window_holds_across_the_other_windows_boundary(inquiry_store: Any) -> None:
    """A claim in two half-hour windows, one shifted by a quarter hour (the samples' first
    load): a second try 10 minutes later, past the first window's end, is still refused; an
    hour later both windows are new."""
    halves = [RateLimit("claim", 1, 1800), RateLimit("claim-shifted", 1, 1800, 900)]
    minute_before_a_boundary = datetime.fromtimestamp(1800 * 1_000_000 - 60, UTC)

    assert inquiry_store.take_slot(halves, minute_before_a_boundary) is None
    later = minute_before_a_boundary + timedelta(minutes=10)
    assert inquiry_store.take_slot(halves, later) == "claim-shifted"
    assert inquiry_store.take_slot(halves, minute_before_a_boundary + timedelta(hours=1)) is None


def test_a_refused_slot_takes_nothing_from_the_other_limits(inquiry_store: Any) -> None:
    everyone = RateLimit("global", 3, WINDOW)
    assert inquiry_store.take_slot([session("s1", 1), everyone], T0) is None
    for _ in range(5):  # refused by its session limit: the global counter does not move
        assert inquiry_store.take_slot([session("s1", 1), everyone], T0) == "session:s1"

    assert inquiry_store.take_slot([session("s2"), everyone], T0) is None
    assert inquiry_store.take_slot([session("s3"), everyone], T0) is None
    assert inquiry_store.take_slot([session("s4"), everyone], T0) == "global"


def test_take_slot_is_one_atomic_step_under_concurrency(inquiry_store: Any) -> None:
    limits = [RateLimit("session:same", 3, WINDOW), RateLimit("global", 100, WINDOW)]
    start = threading.Barrier(20)

    def attempt(_: int) -> str | None:
        start.wait()
        return inquiry_store.take_slot(limits, T0)  # type: ignore[no-any-return]

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(attempt, range(20)))

    assert answers.count(None) == 3
    assert answers.count("session:same") == 17


# ---- idempotent submission: one inquiry per submission token -----------------------------------


def test_add_once_files_one_inquiry_per_token(inquiry_store: Any) -> None:
    first = inquiry_store.add_once(inquiry(1), "token-a")
    again = inquiry_store.add_once(inquiry(2, subject="다시"), "token-a")  # a resubmit

    assert first == inquiry(1) and again == inquiry(1)
    assert inquiry_store.find_by_token("token-a") == inquiry(1)
    assert inquiry_store.find_by_token("token-b") is None
    assert [i.id for i in inquiry_store.list(InquiryStatus.OPEN)] == [inquiry(1).id]
    assert inquiry_store.add_once(inquiry(3), "token-b") == inquiry(3)  # a new form: new token


def test_add_once_is_atomic_under_concurrency(inquiry_store: Any) -> None:
    start = threading.Barrier(8)

    def attempt(number: int) -> Inquiry:
        start.wait()
        return inquiry_store.add_once(inquiry(number + 1), "double-click")  # type: ignore[no-any-return]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(8)))

    stored = inquiry_store.list(InquiryStatus.OPEN)
    assert len(stored) == 1
    assert {a.id for a in answers} == {stored[0].id}
