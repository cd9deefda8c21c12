"""DynamoAuditLog specifics (the shared behaviour is in tests/contract)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from services.adapters.aws.dynamodb.audit import DAY_LIST, DynamoAuditLog
from services.domain.models import AuditEntry
from services.errors import ValidationError
from tests.contract.aws_backends import MockedAws, mocked_aws

T0 = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with mocked_aws() as mocked:
        yield mocked


@pytest.fixture
def log(aws: MockedAws) -> DynamoAuditLog:
    return DynamoAuditLog(aws.dynamodb, str(aws.settings.audit_table))


@pytest.fixture
def queries(aws: MockedAws) -> list[dict[str, Any]]:
    """Parameters of every Query (and a marker for any Scan) made by the client."""
    seen: list[dict[str, Any]] = []

    def record(event_name: str, params: dict[str, Any], **_: Any) -> None:
        seen.append({"Scan": True} if event_name.endswith(".Scan") else dict(params))

    aws.dynamodb.meta.events.register("before-parameter-build.dynamodb.Query", record)
    aws.dynamodb.meta.events.register("before-parameter-build.dynamodb.Scan", record)
    return seen


def entry(ts: datetime, target: str = "t") -> AuditEntry:
    return AuditEntry(ts=ts, actor="admin", action="user.create", target=target, outcome="ok")


def partitions(queries: list[dict[str, Any]]) -> list[str]:
    return [q["ExpressionAttributeValues"][":day"]["S"] for q in queries]


def test_entries_live_in_utc_day_partitions(log: DynamoAuditLog, aws: MockedAws) -> None:
    kst = timezone(timedelta(hours=9))
    log.record(entry(datetime(2025, 3, 2, 8, 30, tzinfo=kst)))  # 23:30 UTC on the 1st

    days = aws.dynamodb.query(
        TableName=str(aws.settings.audit_table),
        KeyConditionExpression="#d = :d",
        ExpressionAttributeNames={"#d": "day"},
        ExpressionAttributeValues={":d": {"S": "2025-03-01"}},
    )["Items"]
    assert len(days) == 1
    assert days[0]["sk"]["S"].startswith("2025-03-01T23:30:00.000000+00:00#")


def test_only_days_with_entries_are_read_newest_first(
    log: DynamoAuditLog, queries: list[dict[str, Any]]
) -> None:
    for days_ago in (0, 40, 41):  # 40 empty days in between are never queried
        log.record(entry(T0 - timedelta(days=days_ago)))
    queries.clear()

    assert len(log.entries()) == 3

    assert partitions(queries) == [DAY_LIST, "2025-03-01", "2025-01-20", "2025-01-19"]
    assert all(q.get("ScanIndexForward") is False for q in queries)


def test_reading_stops_once_the_limit_is_reached(
    log: DynamoAuditLog, queries: list[dict[str, Any]]
) -> None:
    for days_ago in range(3):
        log.record(entry(T0 - timedelta(days=days_ago)))
    queries.clear()

    [newest] = log.entries(limit=1)

    assert newest.ts == T0
    assert partitions(queries) == [DAY_LIST, "2025-03-01"]


def test_a_range_reads_only_its_own_days(
    log: DynamoAuditLog, queries: list[dict[str, Any]]
) -> None:
    for days_ago in range(5):
        log.record(entry(T0 - timedelta(days=days_ago)))
    queries.clear()

    found = log.entries(since=T0 - timedelta(days=2), until=T0 - timedelta(days=1))

    assert [e.ts for e in found] == [T0 - timedelta(days=1), T0 - timedelta(days=2)]
    assert partitions(queries) == [DAY_LIST, "2025-02-28", "2025-02-27"]


def test_entries_of_the_same_instant_come_last_recorded_first(log: DynamoAuditLog) -> None:
    for target in ("first", "second", "third"):
        log.record(entry(T0, target))

    assert [e.target for e in log.entries()] == ["third", "second", "first"]


def test_a_reversed_range_is_empty_without_a_request(
    log: DynamoAuditLog, queries: list[dict[str, Any]]
) -> None:
    log.record(entry(T0))
    queries.clear()

    assert log.entries(since=T0, until=T0 - timedelta(seconds=1)) == []
    assert queries == []


def test_naive_datetimes_are_refused(log: DynamoAuditLog) -> None:
    with pytest.raises(ValidationError):
        log.entries(since=datetime(2025, 3, 1))
    with pytest.raises(ValidationError):
        log.record(entry(datetime(2025, 3, 1)))


def test_the_day_marker_is_written_once_per_day(
    log: DynamoAuditLog, aws: MockedAws
) -> None:
    puts: list[str] = []
    aws.dynamodb.meta.events.register(
        "before-parameter-build.dynamodb.PutItem",
        lambda params, **_: puts.append(params["Item"]["day"]["S"]),
    )

    for minute in range(3):
        log.record(entry(T0 + timedelta(minutes=minute)))

    assert puts.count(DAY_LIST) == 1
    assert len(puts) == 4
