"""DynamoEventStore specifics on moto: call counts, a crash mid-batch, sketch races, layout.

The behaviour every EventStore shares is in tests/contract/test_event_store.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botocore.exceptions import ClientError

from services.adapters.aws.dynamodb.events import DynamoEventStore
from services.domain.analytics import Dim, Event, EventType
from services.domain.hll import HyperLogLog
from services.domain.rollups import rollup_keys
from services.errors import ServiceUnavailable
from tests.contract.aws_backends import MockedAws, mocked_aws, one_backup_per_transaction

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 2, 1, 3, 0, tzinfo=UTC)  # noon in Seoul
RETENTION_DAYS = 30


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with one_backup_per_transaction(), mocked_aws() as mocked:
        yield mocked


def make_store(aws: MockedAws, client: Any = None) -> DynamoEventStore:
    return DynamoEventStore(
        client or aws.dynamodb, str(aws.settings.events_table), str(aws.settings.rollups_table),
        SEOUL, RETENTION_DAYS, sleep=lambda seconds: None,
    )


def views(n: int, days: int = 1, prefix: str = "e") -> list[Event]:
    """Content views spread evenly over ``days`` days, 5 contents, 3 authors, many sessions."""
    step = timedelta(days=days) / max(n, 1)
    return [
        Event(id=f"{prefix}{i:05d}", ts=T0 + i * step, type=EventType.CONTENT_VIEW,
              session_id=f"s{i % 50}", content_id=f"c{i % 5}", category="Finance",
              author_id=f"a{i % 3}")
        for i in range(n)
    ]


def counted(events: list[Event]) -> Counter[Any]:
    return Counter(key for e in events for key in rollup_keys(e, SEOUL))


def stored(store: DynamoEventStore, start: date, end: date) -> Counter[Any]:
    rows = [*store.rollups(start, end), *store.rollups(start, end, hourly=True)]
    return Counter({row.key: row.count for row in rows})


class CallLog:
    """Records every DynamoDB operation a client sends."""

    def __init__(self, client: Any) -> None:
        self.operations: list[str] = []
        client.meta.events.register("before-call.dynamodb", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)


def test_dashboard_reads_cost_calls_per_day_never_per_event(aws: MockedAws) -> None:
    store = make_store(aws)
    store.append(views(200, days=10))
    calls = CallLog(aws.dynamodb)

    store.rollups(date(2026, 1, 2), date(2026, 3, 31), types=[EventType.CONTENT_VIEW],
                  dims=[Dim.CONTENT])
    store.rollups(date(2026, 1, 2), date(2026, 3, 31), hourly=True)
    store.visitors(date(2026, 1, 2), date(2026, 3, 31))

    days = (date(2026, 3, 31) - date(2026, 1, 2)).days + 1  # 89
    # Two sketches a day (ordinary and sample visitors), 100 keys a BatchGetItem.
    assert Counter(calls.operations) == {"Query": 2 * days, "BatchGetItem": 2}
    assert "Scan" not in calls.operations


def test_period_and_day_totals_cost_one_query_per_day_never_per_event(aws: MockedAws) -> None:
    store = make_store(aws)
    store.append(views(200, days=10))
    calls = CallLog(aws.dynamodb)
    start, end = date(2026, 1, 2), date(2026, 3, 31)

    totals = store.rollup_totals(start, end, types=[EventType.CONTENT_VIEW], dims=[Dim.CONTENT])
    by_day = store.rollup_day_totals(start, end, types=[EventType.CONTENT_VIEW],
                                     dims=[Dim.CONTENT])

    assert sum(totals[EventType.CONTENT_VIEW, Dim.CONTENT].values()) == 200
    assert sum(by_day[EventType.CONTENT_VIEW, Dim.CONTENT].values()) == 200
    assert Counter(calls.operations) == {"Query": 2 * ((end - start).days + 1)}


def test_the_same_answers_with_many_more_events_cost_the_same_calls(aws: MockedAws) -> None:
    store = make_store(aws)
    store.append(views(50, days=3, prefix="a"))
    calls = CallLog(aws.dynamodb)
    store.rollups(date(2026, 2, 1), date(2026, 2, 3))
    few = len(calls.operations)

    store.append(views(600, days=3, prefix="b"))
    calls.operations.clear()
    store.rollups(date(2026, 2, 1), date(2026, 2, 3))

    assert len(calls.operations) == few == 3


class FailingTransactions:
    """The real client, except that transact_write_items number ``fail_at`` raises."""

    def __init__(self, client: Any, fail_at: int) -> None:
        self._client = client
        self.fail_at = fail_at
        self.transactions = 0

    def transact_write_items(self, **kwargs: Any) -> Any:
        self.transactions += 1
        if self.transactions == self.fail_at:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"},
                               "ResponseMetadata": {"HTTPStatusCode": 500}},
                              "TransactWriteItems")
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_crash_mid_batch_leaves_whole_chunks_and_a_retry_completes_exactly(
    aws: MockedAws,
) -> None:
    batch = views(300, days=2)  # several transactions' worth
    flaky = FailingTransactions(aws.dynamodb, fail_at=2)
    store = make_store(aws, flaky)
    days = (date(2026, 2, 1), date(2026, 2, 3))

    with pytest.raises(ServiceUnavailable):
        store.append(batch)

    # What was committed is self-consistent: the counters are exactly those of the stored
    # events (the first chunk), nothing half-applied.
    written = list(store.raw_events(T0 - timedelta(days=1), T0 + timedelta(days=3)))
    assert 0 < len(written) < len(batch)
    assert stored(store, *days) == counted(written)

    assert len(store.append(batch)) == len(batch) - len(written)  # the retry
    assert stored(store, *days) == counted(batch)
    assert len(store.append(batch)) == 0
    assert stored(store, *days) == counted(batch)


class RacingSketchWriter:
    """Lets another store merge a visitor between our sketch read and our sketch write."""

    def __init__(self, client: Any, rival: DynamoEventStore, rival_events: list[Event]) -> None:
        self._client = client
        self._rival = rival
        self._rival_events = rival_events
        self.sketch_puts = 0

    def put_item(self, **kwargs: Any) -> Any:
        self.sketch_puts += 1
        if self._rival_events:
            self._rival.append([self._rival_events.pop()])
        return self._client.put_item(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_concurrent_sketch_merges_lose_no_visitor(aws: MockedAws) -> None:
    rival = make_store(aws)
    theirs = [Event(id="r1", ts=T0, type=EventType.PAGE_VIEW, session_id="rival-session")]
    racing = RacingSketchWriter(aws.dynamodb, rival, theirs)
    ours = [Event(id=f"o{i}", ts=T0, type=EventType.PAGE_VIEW, session_id=f"mine-{i}")
            for i in range(3)]

    make_store(aws, racing).append(ours)

    assert racing.sketch_puts == 2  # the first write lost the race and was retried
    assert rival.visitors(date(2026, 2, 1), date(2026, 2, 1)).estimate() == 4


def test_raw_events_spread_over_shards_and_expire_by_ttl(aws: MockedAws) -> None:
    store = make_store(aws)
    batch = views(400, days=1)
    store.append(batch)

    items = []
    for shard in range(16):
        answer = aws.dynamodb.query(
            TableName=str(aws.settings.events_table),
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"2026-02-01#{shard:02d}"}},
        )
        items.extend(answer["Items"])
    per_shard = Counter(item["pk"]["S"] for item in items)

    assert len(per_shard) == 16 and max(per_shard.values()) < 3 * 400 / 16
    first = next(item for item in items if item["id"]["S"] == "e00000")
    assert int(first["expires_at"]["N"]) == int(T0.timestamp()) + RETENTION_DAYS * 86_400
    ttl = aws.dynamodb.describe_time_to_live(TableName=str(aws.settings.events_table))
    assert ttl["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED",
                                            "AttributeName": "expires_at"}


class CancelOnce:
    """The first transaction is cancelled as DynamoDB does when another writer holds an item."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.transactions = 0

    def transact_write_items(self, **kwargs: Any) -> Any:
        self.transactions += 1
        if self.transactions == 1:
            reasons = [{"Code": "None"}] * (len(kwargs["TransactItems"]) - 1)
            raise ClientError({"Error": {"Code": "TransactionCanceledException",
                                         "Message": "cancelled"},
                               "CancellationReasons": [*reasons,
                                                       {"Code": "TransactionConflict"}]},
                              "TransactWriteItems")
        return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_conflicting_transaction_is_retried(aws: MockedAws) -> None:
    cancel = CancelOnce(aws.dynamodb)
    store = make_store(aws, cancel)

    assert len(store.append(views(10))) == 10

    assert cancel.transactions == 2
    assert stored(store, date(2026, 2, 1), date(2026, 2, 2)) == counted(views(10))


def test_a_sample_removal_that_fails_half_way_is_finished_by_the_next_run(
    aws: MockedAws,
) -> None:
    real = views(120, days=3)
    samples = [replace(e, id=f"x{e.id}", session_id=f"demo{e.session_id}", sample=True)
               for e in views(120, days=3)]
    store = make_store(aws)
    store.append([*real, *samples])
    days = (date(2026, 2, 1), date(2026, 2, 4))

    with pytest.raises(ServiceUnavailable):
        make_store(aws, FailingTransactions(aws.dynamodb, fail_at=2)).remove_samples()
    assert stored(store, *days) != counted(real)  # the first day is done, not the others

    after_first_day = [e for e in samples if e.ts.astimezone(SEOUL).date() > days[0]]
    assert store.remove_samples() == len(after_first_day)  # what the failed run left
    assert stored(store, *days) == counted(real)
    assert store.visitors(*days).to_bytes() == HyperLogLog().update(
        {e.visitor_id for e in real}).to_bytes()
    left = list(store.raw_events(T0 - timedelta(days=1), T0 + timedelta(days=4)))
    assert sorted(e.id for e in left) == sorted(e.id for e in real)


def test_a_store_opened_over_old_sample_page_views_renames_them(aws: MockedAws) -> None:
    """Sample traffic recorded "search", a page the app does not have; the app's start (a store
    opening) makes those sample page views "browse", and leaves a real visitor's alone."""
    seeded = make_store(aws)
    seeded.append([Event(id=f"p{i}", ts=T0, type=EventType.PAGE_VIEW, session_id=f"s{i}",
                         page="search", sample=i > 0) for i in range(3)])
    day = T0.astimezone(SEOUL).date()

    reopened = make_store(aws)

    rows = reopened.rollups(day, day, types=[EventType.PAGE_VIEW], dims=[Dim.PAGE])
    assert {row.key.value: row.count for row in rows} == {"search": 1, "browse": 2}
    assert {e.id: e.page for e in reopened.raw_events(T0, T0 + timedelta(seconds=1))} == {
        "p0": "search", "p1": "browse", "p2": "browse"}
