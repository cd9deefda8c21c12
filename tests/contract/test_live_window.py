"""LiveWindow contract (SQLite and DynamoDB on moto): the "now" panel's numbers equal the same
numbers computed from the raw events (``domain.live.snapshot_of``), and hand-counted answers on
events at known minutes; re-delivered batches count once; what left the window is not shown."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.adapters.aws.dynamodb.live import DynamoLiveWindow
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.live import SqliteLiveWindow
from services.domain.analytics import Event, EventType
from services.domain.live import LiveSnapshot, minute_of, snapshot_of
from tests.contract.aws_backends import mocked_aws
from tests.doubles.clock import Clock

NOW = datetime(2026, 3, 4, 12, 0, 30, tzinfo=UTC)


@contextmanager
def sqlite_live(tmp_path: Path, clock: Clock) -> Iterator[SqliteLiveWindow]:
    db = SqliteDatabase(tmp_path / "data" / "demo_factory.sqlite3")
    db.migrate()
    try:
        yield SqliteLiveWindow(db, clock=clock)
    finally:
        db.close()


@contextmanager
def dynamodb_live(tmp_path: Path, clock: Clock) -> Iterator[DynamoLiveWindow]:
    with mocked_aws() as aws:
        yield DynamoLiveWindow(aws.dynamodb, str(aws.settings.events_table), clock=clock,
                               sleep=lambda seconds: None)


FACTORIES: dict[str, Callable[[Path, Clock], AbstractContextManager[Any]]] = {
    "sqlite": sqlite_live, "dynamodb": dynamodb_live,
}


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture(params=sorted(FACTORIES))
def live(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[Any]:
    with FACTORIES[request.param](tmp_path, clock) as window:
        yield window


_ids = iter(range(1, 1_000_000))


def ev(minutes_ago: float, type_: EventType = EventType.PAGE_VIEW, *, session: str = "s",
       user: str | None = None, page: str | None = None, item: str | None = None,
       sample: bool = False) -> Event:
    return Event(id=f"ev{next(_ids):07d}", ts=NOW - timedelta(minutes=minutes_ago), type=type_,
                 session_id=session, user_id=user, page=page, content_id=item, sample=sample)


def known_events() -> list[Event]:
    """A: on item-1 now; B: browsing 10 min ago, then signed in and searched; C: last seen
    31 min ago (outside the window);
    D: viewed item-1 20 min ago, then went home 3 min ago; a sample visitor a minute ago."""
    return [
        ev(2.2, page="item", session="a"),
        ev(2.0, EventType.CONTENT_VIEW, session="a", item="item-1"),
        ev(10.0, page="browse", session="b"),
        ev(10.0, EventType.SEARCH, user="b", session="b"),
        ev(31.0, page="home", session="c"),
        ev(20.0, EventType.CONTENT_VIEW, session="d", item="item-1"),
        ev(3.0, page="home", session="d"),
        ev(1.0, page="home", session="sample-visitor", sample=True),
    ]


def counts_by_minutes_ago(snapshot: LiveSnapshot) -> dict[int, int]:
    last = minute_of(NOW)
    return {int((last - minute).total_seconds() // 60): count
            for minute, count in snapshot.per_minute if count}


def test_known_answers(live: Any) -> None:
    live.ingest(known_events())
    snap = live.snapshot(NOW)
    assert (snap.active_5, snap.active_30) == (2, 3)  # A, D; and B (signed in between)
    assert snap.pages == {"item": 1, "browse": 1, "home": 1}
    assert snap.items == {"item-1": 1}
    assert len(snap.per_minute) == 30
    # 12:00:30 minus 2.0 and 2.2 min are both in 11:58 (two minutes back); minus 31 min is
    # 11:29:30 (31 back, off the chart); the sample event (11:59) is not counted.
    assert counts_by_minutes_ago(snap) == {2: 2, 3: 1, 10: 2, 20: 1}


def test_redelivered_and_reordered_batches_count_once(live: Any) -> None:
    events = known_events()
    live.ingest(events)
    live.ingest(events[::-1])
    live.ingest(events[2:5])
    assert live.snapshot(NOW) == snapshot_of(events, NOW)
    assert sum(c for _, c in live.snapshot(NOW).per_minute) == 6


def test_equals_the_raw_events_on_random_traffic(live: Any, clock: Clock) -> None:
    rng = random.Random(7)
    types = [EventType.PAGE_VIEW, EventType.CONTENT_VIEW, EventType.SEARCH, EventType.LIKE]
    events = [ev(rng.uniform(0, 34), rng.choice(types), session=f"s{rng.randrange(40)}",
                 user=rng.choice([None, None, f"u{rng.randrange(5)}"]),
                 page=rng.choice(["home", "browse", "item"]), item=f"item-{rng.randrange(6)}")
              for _ in range(300)]
    batches = [events[i : i + 37] for i in range(0, len(events), 37)]
    rng.shuffle(batches)
    for batch in batches:
        live.ingest(batch)
    live.ingest(batches[0])  # a retry
    expected = snapshot_of(events, NOW)
    assert live.snapshot(NOW) == expected
    assert expected.active_5 > 0 and expected.items  # the test has teeth
    later = NOW + timedelta(minutes=4)
    assert live.snapshot(later) == snapshot_of(events, later)


def test_what_left_the_window_is_not_shown(live: Any, clock: Clock) -> None:
    live.ingest(known_events())
    later = NOW + timedelta(minutes=40)
    clock.now = later
    live.ingest([])  # a later write (the SQLite store prunes then)
    snap = live.snapshot(later)
    assert (snap.active_5, snap.active_30, snap.pages, snap.items) == (0, 0, {}, {})
    assert snap.is_empty


def test_old_and_sample_events_are_never_taken(live: Any) -> None:
    live.ingest([ev(36.0, page="home", session="old"),
                 ev(1.0, page="home", session="demo", sample=True)])
    assert live.snapshot(NOW - timedelta(minutes=20)).is_empty
    assert live.snapshot(NOW).is_empty
    real = [ev(1.0, page="home", session="real")]
    live.ingest(real)
    live.remove_samples()
    assert live.snapshot(NOW) == snapshot_of(real, NOW)
