"""Re-keying a deleted author on DynamoDB stopped half-way (a transaction or an event update
failing once botocore's retries are spent): the next run finishes it, and nothing is counted
twice or lost. Also: counters found through the ingest-time index only (no raw event left)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from services.adapters.aws.dynamodb.events import DynamoEventStore
from services.domain.analytics import Dim, Event, EventType, RollupKey
from services.errors import ServiceUnavailable
from tests.contract.aws_backends import MockedAws, mocked_aws, one_backup_per_transaction
from tests.contract.local_backends import EVENT_RETENTION_DAYS, EVENT_TZ
from tests.doubles.aws_faults import Fault, inject

T0 = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)
WINDOW = (T0 - timedelta(days=1), T0 + timedelta(days=5))
FIRST, LAST = date(2026, 4, 1), date(2026, 5, 10)


def view(n: int, author: str, days: int = 0) -> Event:
    return Event(id=f"e{n:03}", ts=T0 + timedelta(days=days, minutes=n),
                 type=EventType.CONTENT_VIEW, session_id=f"s{n}", content_id=f"c-{author}",
                 category="Finance", author_id=author)


# Three local days of alice's views, one of bob's.
STREAM = [view(1, "alice"), view(2, "alice", 1), view(3, "alice", 2), view(4, "bob", 2)]


@pytest.fixture
def aws() -> Iterator[tuple[MockedAws, DynamoEventStore]]:
    with one_backup_per_transaction(), mocked_aws() as mocked:
        settings = mocked.settings
        store = DynamoEventStore(mocked.dynamodb, str(settings.events_table),
                                 str(settings.rollups_table), EVENT_TZ, EVENT_RETENTION_DAYS,
                                 shards=2, sleep=lambda seconds: None, read_threads=1)
        yield mocked, store


def author_views(store: DynamoEventStore) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in store.rollups(FIRST, LAST, dims=[Dim.AUTHOR]):
        found[row.key.value] = found.get(row.key.value, 0) + row.count
    return found


def totals(store: DynamoEventStore) -> dict[RollupKey, int]:
    return {r.key: r.count for r in store.rollups(FIRST, LAST) if r.key.dim != Dim.AUTHOR}


@pytest.mark.parametrize("fault", [
    Fault("TransactWriteItems", "InternalServerError", 500, skip=1),  # the second day
    Fault("UpdateItem", "InternalServerError", 500, skip=1),  # the second raw event
])
def test_a_run_that_failed_half_way_is_finished_by_the_next(
    aws: tuple[MockedAws, DynamoEventStore], fault: Fault,
) -> None:
    mocked, store = aws
    store.append(STREAM)
    before = totals(store)
    inject(mocked.dynamodb, fault)

    with pytest.raises(ServiceUnavailable) as failed:
        store.rekey_author("alice", "former-author", *WINDOW)
    assert failed.value.params["code"] == "InternalServerError"  # the injected fault
    fault.heal()
    store.rekey_author("alice", "former-author", *WINDOW)

    assert author_views(store) == {"former-author": 3, "bob": 1}
    assert totals(store) == before
    assert {e.author_id for e in store.raw_events(*WINDOW)} == {"former-author", "bob"}
    assert store.rekey_author("alice", "former-author", *WINDOW) == 0


def test_counters_whose_raw_events_are_gone_are_found_through_the_index(
    aws: tuple[MockedAws, DynamoEventStore],
) -> None:
    _, store = aws
    store.append(STREAM)
    after_retention = (T0 + timedelta(days=200), T0 + timedelta(days=201))  # no raw event

    assert store.rekey_author("alice", "bob", *after_retention) == 3

    assert author_views(store) == {"bob": 4}
