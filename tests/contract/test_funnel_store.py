"""FunnelStore contract, on SQLite and on DynamoDB (moto): a funnel's counts are the numbers a
person would count from the raw events by hand, however the events arrive.

Synthetic visits with known answers: exactly k of n visits convert, with steps out of order,
steps after the window, batches delivered twice, sample traffic removed again; a saved funnel's
back-fill says whether it finished, is taken by one run at a time and may be run again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.adapters.aws.dynamodb.funnels import DynamoFunnelStore
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.funnels import SqliteFunnelStore
from services.analytics.synthetic import ContentRef, synthetic_events
from services.domain.analytics import Event, EventType
from services.domain.funnels import (
    DEFAULT_FUNNELS,
    Funnel,
    Step,
    StepKind,
    in_order,
    reference_counts,
)
from services.errors import ConflictError, NotFound
from tests.contract.aws_backends import mocked_aws, one_backup_per_transaction
from tests.contract.local_backends import EVENT_RETENTION_DAYS, EVENT_TZ
from tests.doubles.concurrency import in_parallel


@contextmanager
def sqlite_funnels(tmp_path: Path) -> Iterator[SqliteFunnelStore]:
    db = SqliteDatabase(tmp_path / "data" / "funnels.sqlite3")
    db.migrate()
    try:
        yield SqliteFunnelStore(db, EVENT_TZ)
    finally:
        db.close()


@contextmanager
def dynamodb_funnels(tmp_path: Path) -> Iterator[DynamoFunnelStore]:
    with one_backup_per_transaction(), mocked_aws() as aws:
        yield DynamoFunnelStore(aws.dynamodb, str(aws.settings.events_table),
                                str(aws.settings.rollups_table), EVENT_TZ,
                                EVENT_RETENTION_DAYS, sleep=lambda seconds: None)


FUNNEL_STORES: dict[str, Callable[[Path], AbstractContextManager[Any]]] = {
    "sqlite": sqlite_funnels, "dynamodb": dynamodb_funnels}


@pytest.fixture(params=sorted(FUNNEL_STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with FUNNEL_STORES[request.param](tmp_path) as adapter:
        yield adapter


HOME_DOWNLOAD = DEFAULT_FUNNELS[0]  # home page -> content view -> download, 30 minutes
DAY = date(2026, 3, 2)  # local (Asia/Seoul)
NOON = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 12:00 local


class Visits:
    """Events of made-up visits, each step a given number of minutes after the visit began."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def visit(self, name: str, *steps: tuple[str, float], start: datetime = NOON,
              sample: bool = False, category: str = "Finance") -> list[Event]:
        made = []
        for i, (what, minutes) in enumerate(steps):
            ts = start + timedelta(minutes=minutes)
            page = what if what in ("home", "browse") else None
            type_ = EventType.PAGE_VIEW if page else EventType(what)
            made.append(Event(f"{name}-{i:02d}", ts, type_, f"s-{name}", page=page,
                              content_id=None if page else "item-1",
                              category=None if page else category, sample=sample))
        self.events.extend(made)
        return made


def known_visits() -> Visits:
    """8 visits enter the funnel on DAY; 7 reach the content view; exactly 5 download."""
    v = Visits()
    for n in range(4):  # converting in order, inside the window
        v.visit(f"ok{n}", ("home", 0), ("browse", 1), ("content_view", 2 + n), ("download", 9))
    v.visit("order", ("home", 0), ("download", 1), ("content_view", 2))  # download first
    v.visit("late", ("home", 0), ("content_view", 5), ("download", 31))  # after the window
    v.visit("nohome", ("content_view", 0), ("download", 1))  # never at step 1
    v.visit("bounce", ("home", 0), ("browse", 3))
    v.visit("twice", ("home", 0), ("home", 2), ("content_view", 3), ("content_view", 4),
            ("download", 29))  # repeats move nothing; the download is inside the window
    return v


def test_exactly_k_of_n_visits_convert(store: Any) -> None:
    events = known_visits().events
    store.ingest(events)

    counts = store.counts(HOME_DOWNLOAD.id, 3, DAY, DAY)

    assert counts == [8, 7, 5]
    assert counts == reference_counts(HOME_DOWNLOAD, events, EVENT_TZ, DAY, DAY)


def test_a_batch_delivered_again_counts_nothing_twice(store: Any) -> None:
    events = known_visits().events
    first, second = events[: len(events) // 2], events[len(events) // 2 :]
    store.ingest(first)
    store.ingest(first)  # a retry of the same batch
    store.ingest(second)
    store.ingest(events)  # an import run twice

    assert store.counts(HOME_DOWNLOAD.id, 3, DAY, DAY) == [8, 7, 5]


def test_visits_count_on_the_local_day_of_their_step_one(store: Any) -> None:
    v = known_visits()
    # 23:50 local the day before: the download after midnight still counts for that day.
    v.visit("midnight", ("home", 0), ("content_view", 5), ("download", 15),
            start=datetime(2026, 3, 1, 14, 50, tzinfo=UTC))
    store.ingest(v.events)

    assert store.counts(HOME_DOWNLOAD.id, 3, DAY - timedelta(days=1), DAY - timedelta(days=1)) \
        == [1, 1, 1]
    assert store.counts(HOME_DOWNLOAD.id, 3, DAY - timedelta(days=1), DAY) == [9, 8, 6]
    assert store.counts(HOME_DOWNLOAD.id, 3, DAY + timedelta(days=1), DAY + timedelta(days=9)) \
        == [0, 0, 0]


def test_removing_samples_leaves_what_the_other_events_counted(store: Any) -> None:
    v = known_visits()
    real = list(v.events)
    for n in range(3):
        v.visit(f"demo{n}", ("home", 0), ("content_view", 1), ("download", 2), sample=True)
    store.ingest(v.events)
    assert store.counts(HOME_DOWNLOAD.id, 3, DAY, DAY) == [11, 10, 8]

    store.remove_samples()

    assert store.counts(HOME_DOWNLOAD.id, 3, DAY, DAY) == [8, 7, 5]
    assert store.counts(HOME_DOWNLOAD.id, 3, DAY, DAY) == reference_counts(
        HOME_DOWNLOAD, real, EVENT_TZ, DAY, DAY)
    store.ingest(v.events[len(real):])  # seeded again: counted again
    assert store.counts(HOME_DOWNLOAD.id, 3, DAY, DAY) == [11, 10, 8]


def saved_funnel(owner: str = "ana", funnel_id: str = "f1") -> Funnel:
    steps = (Step(StepKind.EVENT, "content_view", category="Finance"),
             Step(StepKind.EVENT, "download", category="Finance"))
    return Funnel(funnel_id, "Finance downloads", steps, 10, owner=owner,
                  created_at=datetime(2026, 3, 3, tzinfo=UTC), counted_from=date(2026, 1, 1))


def test_a_saved_funnel_is_back_filled_and_then_counted_at_ingest(store: Any) -> None:
    v = known_visits()
    v.visit("other-cat", ("content_view", 0), ("download", 1), category="Retail")
    store.ingest(v.events)
    funnel = saved_funnel()
    store.save(funnel)
    store.backfill(funnel, v.events)
    store.backfill(funnel, v.events)  # run twice: no change

    expected = reference_counts(funnel, v.events, EVENT_TZ, DAY, DAY)
    assert store.counts(funnel.id, 2, DAY, DAY) == expected == [8, 5]

    later = v.visit("new", ("content_view", 0), ("download", 3),
                    start=NOON + timedelta(hours=2))
    store.ingest(later)
    assert store.counts(funnel.id, 2, DAY, DAY) == [9, 6]


def test_definitions_are_saved_listed_and_deleted(store: Any) -> None:
    mine, theirs = saved_funnel("ana", "f1"), saved_funnel("olga", "f2")
    store.save(mine)
    store.save(theirs)

    assert store.get("f1") == mine
    assert [f.id for f in store.list()] == ["f1", "f2"]
    assert store.list(owner="olga") == [theirs]
    with pytest.raises(ConflictError):
        store.save(mine)
    store.delete("f1")
    with pytest.raises(NotFound):
        store.get("f1")
    with pytest.raises(NotFound):
        store.delete("f1")


def test_a_funnel_saved_unfinished_reads_so_until_its_back_fill_is_marked_finished(
        store: Any) -> None:
    funnel = replace(saved_funnel(), backfilled=False)
    store.save(funnel)
    assert store.get(funnel.id).backfilled is False
    assert [f.backfilled for f in store.list()] == [False]

    store.finish_backfill(funnel.id, date(2026, 1, 5))

    assert store.get(funnel.id) == replace(funnel, backfilled=True,
                                           counted_from=date(2026, 1, 5))
    store.finish_backfill("gone", date(2026, 1, 5))  # deleted meanwhile: nothing is made
    with pytest.raises(NotFound):
        store.get("gone")


CLAIM_AT = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
HOLD = timedelta(minutes=10)


def test_one_run_at_a_time_takes_an_unfinished_back_fill(store: Any) -> None:
    store.save(replace(saved_funnel(), backfilled=False))
    first = CLAIM_AT + HOLD

    assert store.claim_backfill("f1", CLAIM_AT, first)
    assert not store.claim_backfill("f1", first - timedelta(seconds=1), first + HOLD)
    # A run that stopped without giving its claim back: the claim runs out.
    later = first + timedelta(seconds=1)
    second = later + HOLD
    assert store.claim_backfill("f1", later, second)
    store.release_backfill("f1", first)  # that run's claim ran out: this one stays
    assert not store.claim_backfill("f1", later, second + HOLD)
    store.release_backfill("f1", second)  # a run that failed gives its claim back
    assert store.claim_backfill("f1", later, second + HOLD)
    store.finish_backfill("f1", date(2026, 1, 5))

    past = later + 10 * HOLD
    assert not store.claim_backfill("f1", past, past + HOLD)  # finished: nothing to take
    store.save(saved_funnel("olga", "f2"))  # saved finished
    assert not store.claim_backfill("f2", past, past + HOLD)
    assert not store.claim_backfill("gone", past, past + HOLD)


def test_a_back_fill_run_again_counts_nothing_twice(store: Any) -> None:
    """Stopped part-way, the new events counted at ingest meanwhile, then run over everything
    kept (twice): every visit is counted once."""
    v = known_visits()
    kept = in_order(v.events)
    funnel = replace(saved_funnel(), backfilled=False)
    store.save(funnel)
    store.backfill(funnel, kept[: len(kept) // 2])  # stopped part-way
    later = v.visit("new", ("content_view", 0), ("download", 3),
                    start=NOON + timedelta(hours=2))
    store.ingest(later)  # counted at ingest, after the save

    store.backfill(funnel, in_order(v.events))
    store.backfill(funnel, in_order(v.events))

    expected = reference_counts(funnel, v.events, EVENT_TZ, DAY, DAY)
    assert store.counts(funnel.id, 2, DAY, DAY) == expected == [9, 6]


SIZE = {"sqlite": 3000, "dynamodb": 400}


def test_every_default_funnel_equals_the_raw_events(store: Any,
                                                    request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["store"]
    contents = [ContentRef(f"c-{i}", "Finance", "a") for i in range(6)]
    events = list(synthetic_events(contents, total=SIZE[backend], days=3, end=DAY, tz=EVENT_TZ,
                                   seed=5))
    for i in range(0, len(events), 250):
        store.ingest(events[i : i + 250])

    for funnel in DEFAULT_FUNNELS:
        n = len(funnel.steps)
        expected = reference_counts(funnel, events, EVENT_TZ, DAY - timedelta(days=2), DAY)
        assert store.counts(funnel.id, n, DAY - timedelta(days=2), DAY) == expected
        assert expected[0] > 0


def named(name: str, funnel_id: str, owner: str = "ana") -> Funnel:
    return replace(saved_funnel(owner, funnel_id), name=name)


def test_an_owner_has_one_funnel_of_a_name_whatever_its_case_spaces_or_composition(
        store: Any) -> None:
    store.save(named("관리자 퍼널 Admin", "f1"))
    decomposed = unicodedata.normalize("NFD", "관리자  퍼널 ADMIN")  # as some keyboards send it
    for twin in (" 관리자 퍼널 admin", decomposed, "관리자퍼널admin"):
        with pytest.raises(ConflictError) as refused:
            store.save(named(twin, "f2"))
        assert refused.value.key == "funnels.err_duplicate_name"

    store.save(named("관리자 퍼널 Admin", "f3", owner="olga"))  # another owner's name is theirs
    assert [f.id for f in store.list()] == ["f1", "f3"]
    store.delete("f1")
    store.save(named("관리자 퍼널 admin", "f4"))  # a deleted funnel's name is free again
    assert [f.id for f in store.list(owner="ana")] == ["f4"]


def test_saves_of_one_name_at_the_same_moment_keep_one_funnel(store: Any) -> None:
    outcomes = in_parallel([lambda i=i: store.save(named("동시 저장", f"race-{i}"))
                            for i in range(6)])

    assert sum(outcome is None for outcome in outcomes) == 1, outcomes
    refused = [o for o in outcomes if o is not None]
    assert all(isinstance(o, ConflictError) and o.key == "funnels.err_duplicate_name"
               for o in refused), refused
    assert len(store.list(owner="ana")) == 1
