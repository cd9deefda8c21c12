"""CohortStore on every backend: the retention triangle and new vs returning users equal what
the raw events say, however the events arrive (out of order, twice, mixed with sample traffic),
and forgetting a user keeps every number."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from services.adapters.aws.dynamodb.cohorts import DynamoCohortStore
from services.adapters.sqlite.cohorts import SqliteCohortStore
from services.adapters.sqlite.db import SqliteDatabase
from services.analytics.synthetic import ContentRef, synthetic_events
from services.domain.analytics import Event, EventType, local_day_hour
from services.domain.cohorts import MAX_WEEKS, CohortCell, DayUsers, week_of, weeks_after
from services.errors import QuotaExceeded
from services.ports import CohortStore
from tests.contract.aws_backends import NeverProcessing, mocked_aws, one_backup_per_transaction
from tests.contract.local_backends import EVENT_TZ

MONDAY = date(2026, 3, 2)  # a Monday
WEEK = timedelta(days=7)
_ids = count()


@contextmanager
def sqlite_store(tmp_path: Path) -> Iterator[SqliteCohortStore]:
    db = SqliteDatabase(tmp_path / "data" / "demo_factory.sqlite3")
    db.migrate()
    try:
        yield SqliteCohortStore(db, EVENT_TZ)
    finally:
        db.close()


@contextmanager
def dynamodb_store(tmp_path: Path) -> Iterator[DynamoCohortStore]:
    with one_backup_per_transaction(), mocked_aws() as aws:
        yield DynamoCohortStore(aws.dynamodb, str(aws.settings.rollups_table), EVENT_TZ,
                                sleep=lambda seconds: None)


COHORT_STORES: dict[str, Callable[[Path], AbstractContextManager[Any]]] = {
    "sqlite": sqlite_store, "dynamodb": dynamodb_store}


@pytest.fixture(params=sorted(COHORT_STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CohortStore]:
    with COHORT_STORES[request.param](tmp_path) as adapter:
        yield adapter


def visit(user: str | None, day: date, hour: int = 10, sample: bool = False) -> Event:
    """A page view at ``hour`` local time on ``day``."""
    ts = datetime.combine(day, time(hour), EVENT_TZ).astimezone(UTC)
    return Event(id=f"e{next(_ids):08d}", ts=ts, type=EventType.PAGE_VIEW,
                 session_id=f"s-{user}-{day}", user_id=user, page="home", sample=sample)


def read(store: CohortStore, start: date, end: date) -> tuple[dict[tuple[date, int], int],
                                                             dict[date, tuple[int, int]]]:
    cells = {(c.cohort, c.offset): c.users for c in store.cohort_cells(week_of(start),
                                                                       week_of(end)) if c.users}
    days = {d.day: (d.new, d.returning) for d in store.new_returning(start, end)
            if d.new or d.returning}
    return cells, days


def from_raw(events: Iterable[Event]) -> tuple[dict[tuple[date, int], int],
                                               dict[date, tuple[int, int]]]:
    """The same numbers, straight from the raw events (demo traffic counted apart)."""
    active: defaultdict[tuple[str, bool], set[date]] = defaultdict(set)
    for event in events:
        if event.user_id:
            active[event.user_id, event.sample].add(local_day_hour(event.ts, EVENT_TZ)[0])
    cells: Counter[tuple[date, int]] = Counter()
    new: Counter[date] = Counter()
    returning: Counter[date] = Counter()
    for days in active.values():
        first = min(days)
        cohort = week_of(first)
        for week in {week_of(day) for day in days}:
            if weeks_after(cohort, week) <= MAX_WEEKS:
                cells[cohort, weeks_after(cohort, week)] += 1
        new[first] += 1
        returning.update(day for day in days if day != first)
    return dict(cells), {d: (new[d], returning[d]) for d in set(new) | set(returning)}


def known_cohort() -> list[Event]:
    """Five users first seen in one week (some twice); two return the week after, one three
    weeks after; anonymous visits all along."""
    users = ["kim", "lee", "park", "choi", "jung"]
    events = [visit(user, MONDAY + timedelta(days=i)) for i, user in enumerate(users)]
    events += [visit("kim", MONDAY + timedelta(days=4)), visit("kim", MONDAY + timedelta(days=4),
                                                               hour=15)]
    events += [visit("kim", MONDAY + WEEK), visit("lee", MONDAY + WEEK + timedelta(days=2))]
    events += [visit("park", MONDAY + 3 * WEEK)]
    events += [visit(None, MONDAY + timedelta(days=i)) for i in range(0, 30, 3)]
    return events


def test_a_cohort_with_known_returns(store: CohortStore) -> None:
    store.ingest(known_cohort())

    cells, days = read(store, MONDAY, MONDAY + 5 * WEEK)
    assert cells == {(MONDAY, 0): 5, (MONDAY, 1): 2, (MONDAY, 3): 1}
    assert days == {
        MONDAY: (1, 0), MONDAY + timedelta(days=1): (1, 0), MONDAY + timedelta(days=2): (1, 0),
        MONDAY + timedelta(days=3): (1, 0), MONDAY + timedelta(days=4): (1, 1),
        MONDAY + WEEK: (0, 1), MONDAY + WEEK + timedelta(days=2): (0, 1),
        MONDAY + 3 * WEEK: (0, 1),
    }
    assert (cells, days) == from_raw(known_cohort())


def test_reads_are_bounded_by_the_weeks_and_days_asked_for(store: CohortStore) -> None:
    store.ingest(known_cohort())

    assert store.cohort_cells(MONDAY + WEEK, MONDAY + 4 * WEEK) == []
    assert [d.day for d in store.new_returning(MONDAY + WEEK, MONDAY + WEEK)] == [MONDAY + WEEK]


def test_an_earlier_event_arriving_late_moves_the_user_to_the_earlier_cohort(
    store: CohortStore,
) -> None:
    late = [visit("kim", MONDAY + 2 * WEEK), visit("kim", MONDAY + 3 * WEEK)]
    store.ingest(late)
    assert read(store, MONDAY, MONDAY + 4 * WEEK)[0] == {(MONDAY + 2 * WEEK, 0): 1,
                                                         (MONDAY + 2 * WEEK, 1): 1}

    early = [visit("kim", MONDAY + timedelta(days=1))]
    store.ingest(early)

    cells, days = read(store, MONDAY, MONDAY + 4 * WEEK)
    assert cells == {(MONDAY, 0): 1, (MONDAY, 2): 1, (MONDAY, 3): 1}
    assert days[MONDAY + timedelta(days=1)] == (1, 0)
    assert days[MONDAY + 2 * WEEK] == (0, 1)  # no longer their first day
    assert (cells, days) == from_raw(late + early)


def test_any_order_and_any_batching_give_the_raw_events_numbers(store: CohortStore) -> None:
    events = known_cohort() + [visit(f"u{i % 7}", MONDAY + timedelta(days=(i * 5) % 60))
                               for i in range(40)]
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)
    for i in range(0, len(shuffled), 9):
        store.ingest(shuffled[i : i + 9])

    assert read(store, MONDAY, MONDAY + 10 * WEEK) == from_raw(events)


def test_a_batch_delivered_again_changes_nothing(store: CohortStore) -> None:
    events = known_cohort()
    store.ingest(events)
    before = read(store, MONDAY, MONDAY + 5 * WEEK)

    store.ingest(events)
    store.ingest(events[3:7])

    assert read(store, MONDAY, MONDAY + 5 * WEEK) == before


def test_forgetting_a_user_keeps_every_number_and_drops_their_facts(store: CohortStore) -> None:
    store.ingest(known_cohort())
    before = read(store, MONDAY, MONDAY + 5 * WEEK)

    store.forget_user("kim")

    assert read(store, MONDAY, MONDAY + 5 * WEEK) == before
    # Nothing about "kim" is left: their id, if it came back, would be a new user.
    store.ingest([visit("kim", MONDAY + 4 * WEEK)])
    cells, _ = read(store, MONDAY, MONDAY + 5 * WEEK)
    assert cells[MONDAY + 4 * WEEK, 0] == 1


def test_removing_the_samples_leaves_what_the_other_events_counted(store: CohortStore) -> None:
    real = known_cohort()
    samples = [visit(user, MONDAY + timedelta(days=d), sample=True)
               for user in ("kim", "demo-1", "demo-2") for d in (0, 8, 20)]
    store.ingest(real[:5] + samples[:4])
    store.ingest(samples[4:] + real[5:])
    assert read(store, MONDAY, MONDAY + 5 * WEEK) == from_raw(real + samples)

    store.remove_samples()

    assert read(store, MONDAY, MONDAY + 5 * WEEK) == from_raw(real)


def test_writers_at_the_same_time_count_each_fact_once(store: CohortStore) -> None:
    events = [visit(f"u{i % 5}", MONDAY + timedelta(days=(i * 3) % 40)) for i in range(60)]
    batches = [events[i::3] for i in range(3)] + [events[::-1]]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(store.ingest, batches))

    assert read(store, MONDAY, MONDAY + 6 * WEEK) == from_raw(events)


SIZE = {"sqlite": 6000, "dynamodb": 600}  # moto copies whole tables per transaction


def test_synthetic_traffic_matches_the_raw_events(store: CohortStore) -> None:
    size = SIZE["sqlite" if isinstance(store, SqliteCohortStore) else "dynamodb"]
    end = MONDAY + 8 * WEEK
    events = list(synthetic_events([ContentRef("c1", "Finance", "a1")], total=size, days=60,
                                   end=end, tz=EVENT_TZ, seed=3))
    assert sum(1 for e in events if e.user_id) > size // 10
    for batch in _batches(events, 250):
        store.ingest(batch)

    assert read(store, end - timedelta(days=59), end) == from_raw(events)


def _batches(events: Sequence[Event], size: int) -> Iterator[Sequence[Event]]:
    for i in range(0, len(events), size):
        yield events[i : i + size]


def test_cells_and_days_are_plain_values(store: CohortStore) -> None:
    store.ingest([visit("kim", MONDAY)])
    assert store.cohort_cells(MONDAY, MONDAY) == [CohortCell(MONDAY, 0, 1)]
    assert store.new_returning(MONDAY, MONDAY) == [DayUsers(MONDAY, 1, 0)]


def test_on_dynamodb_a_whole_view_is_two_queries_and_never_a_scan() -> None:
    with one_backup_per_transaction(), mocked_aws() as aws:
        store = DynamoCohortStore(aws.dynamodb, str(aws.settings.rollups_table), EVENT_TZ,
                                  sleep=lambda seconds: None)
        store.ingest(known_cohort() + [visit(f"u{i}", MONDAY + timedelta(days=i))
                                       for i in range(60)])
        calls: list[str] = []
        aws.dynamodb.meta.events.register(
            "before-call.dynamodb", lambda model, **kwargs: calls.append(model.name))

        store.cohort_cells(MONDAY, MONDAY + 12 * WEEK)
        store.new_returning(MONDAY, MONDAY + timedelta(days=89))

    assert calls == ["Query", "Query"]


def test_on_dynamodb_facts_left_unprocessed_are_a_busy_service_not_a_conflict() -> None:
    """Nobody else changed anything: DynamoDB did not get to the deletes (the service is
    busy), which the person is told, as for any throttled call."""
    with one_backup_per_transaction(), mocked_aws() as aws:
        table = str(aws.settings.rollups_table)
        DynamoCohortStore(aws.dynamodb, table, EVENT_TZ).ingest([visit("kim", MONDAY)])
        store = DynamoCohortStore(NeverProcessing(aws.dynamodb), table, EVENT_TZ,
                                  sleep=lambda seconds: None)

        with pytest.raises(QuotaExceeded):
            store.forget_user("kim")
