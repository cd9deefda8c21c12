"""Tracker: pages never wait for the store; failures are retried; overflow is counted.

The store is the real SQLite EventStore behind a thin wrapper that can fail or hold writes,
not a fake of the whole port.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ulid import ULID

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.tracker import MAX_BACKOFF_SECONDS, Tracker, backoff_seconds, make_event
from services.domain.analytics import Event, EventType
from services.errors import ServiceUnavailable

T0 = datetime(2026, 5, 4, 1, 2, 3, 456000, tzinfo=UTC)
LONG = 3600.0  # a flush period no test waits for: writes happen on flush() or a full batch


class FlakyStore:
    """The SQLite store, failing the next ``fail_next`` appends, or holding them at a gate."""

    def __init__(self, inner: SqliteEventStore) -> None:
        self.inner = inner
        self.fail_next = 0
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self.calls = 0

    def append(self, events: Sequence[Event]) -> list[Event]:
        self.calls += 1
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail_next:
            self.fail_next -= 1
            raise ServiceUnavailable("errors.service_unavailable", detail="database is locked")
        return self.inner.append(events)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def store(tmp_path: Path) -> FlakyStore:
    db = SqliteDatabase(tmp_path / "events.sqlite3")
    db.migrate()
    return FlakyStore(SqliteEventStore(db, UTC, retention_days=3650))


@pytest.fixture
def make_tracker(store: FlakyStore) -> Iterator[Callable[..., Tracker]]:
    made: list[Tracker] = []

    def make(**options: Any) -> Tracker:
        options.setdefault("flush_seconds", LONG)
        tracker = Tracker(store, **options)
        made.append(tracker)
        return tracker

    yield make
    store.gate = None
    store.fail_next = 0
    for tracker in made:
        tracker.close(timeout=5)


def events(n: int, start: int = 0) -> list[Event]:
    return [
        Event(id=f"ev{i:05d}", ts=T0 + timedelta(seconds=i), type=EventType.PAGE_VIEW,
              session_id=f"s{i % 7}", page="home")
        for i in range(start, start + n)
    ]


def stored_ids(store: FlakyStore) -> list[str]:
    return [e.id for e in store.inner.raw_events(T0 - timedelta(days=1), T0 + timedelta(days=9))]


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_flush_writes_everything_once_in_batches(
    store: FlakyStore, make_tracker: Callable[..., Tracker]
) -> None:
    tracker = make_tracker(batch_size=100, buffer_max=1000)
    batch = events(250)

    for event in batch:
        tracker.track(event)
    assert tracker.flush()

    assert stored_ids(store) == [e.id for e in batch]
    assert tracker.stats().written == 250 and tracker.stats().queued == 0
    assert store.calls == 3


def test_events_are_written_on_the_timer_without_a_flush(
    store: FlakyStore, make_tracker: Callable[..., Tracker]
) -> None:
    tracker = make_tracker(flush_seconds=0.02)

    tracker.track(events(1)[0])

    assert wait_until(lambda: tracker.stats().written == 1)
    assert stored_ids(store) == ["ev00000"]


def test_tracking_never_waits_for_a_slow_store(
    store: FlakyStore, make_tracker: Callable[..., Tracker]
) -> None:
    store.gate = threading.Event()  # the store hangs until the gate opens
    tracker = make_tracker(batch_size=10, buffer_max=1000)

    for event in events(300):
        tracker.track(event)  # would deadlock here if track waited for the store
    assert store.entered.wait(5)  # the flusher is stuck inside append meanwhile
    assert tracker.stats().queued == 300

    store.gate.set()
    assert tracker.flush()
    assert len(stored_ids(store)) == 300


def test_a_failing_store_keeps_the_batch_and_a_retry_writes_it(
    store: FlakyStore, make_tracker: Callable[..., Tracker]
) -> None:
    store.fail_next = 2
    tracker = make_tracker()
    for event in events(20):
        tracker.track(event)

    assert not tracker.flush()
    failed = tracker.stats()
    assert (failed.failures, failed.queued, failed.written, failed.dropped) == (1, 20, 0, 0)
    assert failed.last_error is not None and "ServiceUnavailable" in failed.last_error
    assert not tracker.flush()
    assert tracker.flush()

    assert stored_ids(store) == [e.id for e in events(20)]
    assert tracker.stats().written == 20 and tracker.stats().failures == 2


def test_a_full_buffer_drops_the_oldest_and_counts_them(
    store: FlakyStore, make_tracker: Callable[..., Tracker], caplog: pytest.LogCaptureFixture
) -> None:
    store.fail_next = 1_000_000  # down for the whole test
    tracker = make_tracker(buffer_max=100, batch_size=10)
    tracked = events(150)

    with caplog.at_level(logging.WARNING, logger="services.analytics.tracker"):
        for event in tracked:
            tracker.track(event)
        assert not tracker.flush()
    assert tracker.stats().queued == 100 and tracker.stats().dropped == 50
    # The background writer may log the drops as they happen, in more than one line (a busy
    # machine once split them 12 + 38): every drop is logged once, and the last line the total.
    drops = [r.getMessage() for r in caplog.records if "event buffer full" in r.getMessage()]
    assert sum(int(m.split("dropped ")[1].split()[0]) for m in drops) == 50
    assert drops[-1].endswith("(50 in all)")

    store.fail_next = 0
    assert tracker.flush()
    written = set(stored_ids(store))
    assert len(written) == 100 and tracker.stats().written == 100
    # At most one batch (10) was in hand while dropping; the newest 90 always survive.
    assert {e.id for e in tracked[-90:]} <= written


def test_backoff_doubles_up_to_a_cap_with_jitter() -> None:
    assert backoff_seconds(1, 2.0, 1.0) == 4.0
    assert backoff_seconds(2, 2.0, 1.0) == 8.0
    assert backoff_seconds(3, 2.0, 0.0) == 8.0  # jitter keeps the upper half
    assert backoff_seconds(50, 2.0, 1.0) == MAX_BACKOFF_SECONDS


def test_a_failing_store_is_not_hammered(
    store: FlakyStore, make_tracker: Callable[..., Tracker]
) -> None:
    store.fail_next = 1_000_000
    tracker = make_tracker(flush_seconds=0.05, batch_size=5)
    for event in events(50):
        tracker.track(event)  # full batches keep arriving: no early wake-up in a backoff

    assert wait_until(lambda: tracker.stats().failures >= 2)
    time.sleep(0.2)  # without backoff this would be ~4 more attempts (one per 0.05 s)

    assert tracker.stats().failures <= 3


def test_close_writes_what_is_left_and_stops(
    store: FlakyStore, make_tracker: Callable[..., Tracker]
) -> None:
    tracker = make_tracker()
    for event in events(5):
        tracker.track(event)

    assert tracker.close()
    tracker.track(events(1, start=99)[0])

    assert len(stored_ids(store)) == 5
    assert not tracker._thread.is_alive()
    assert tracker.stats().dropped == 1  # tracked after close
    assert tracker.close()  # idempotent


def test_close_counts_what_a_dead_store_could_not_take(
    store: FlakyStore, make_tracker: Callable[..., Tracker]
) -> None:
    store.fail_next = 1_000_000
    tracker = make_tracker()
    for event in events(7):
        tracker.track(event)

    assert not tracker.close(timeout=2)
    assert tracker.stats().dropped == 7 and tracker.stats().queued == 0


def test_housekeeping_runs_on_the_thread_at_most_once_per_period(
    store: FlakyStore, make_tracker: Callable[..., Tracker]
) -> None:
    now = [T0]
    calls: list[datetime] = []
    tracker = make_tracker(clock=lambda: now[0], housekeeping=calls.append,
                           housekeeping_seconds=600, flush_seconds=0.01)

    tracker.record(EventType.LOGIN, "s1", user_id="kim")
    assert tracker.flush()
    assert wait_until(lambda: tracker.stats().written == 1)
    time.sleep(0.05)  # several timer wake-ups within the period: still one run
    assert calls == [T0]
    now[0] = T0 + timedelta(minutes=11)
    assert wait_until(lambda: len(calls) == 2)

    assert calls == [T0, T0 + timedelta(minutes=11)]
    stored = list(store.inner.raw_events(T0, T0 + timedelta(seconds=1)))
    assert [(e.type, e.user_id, e.ts) for e in stored] == [(EventType.LOGIN, "kim", T0)]


def test_make_event_stamps_a_time_ordered_ulid_from_the_clock() -> None:
    later = T0 + timedelta(milliseconds=5)
    props = {"query": "생성형", "results": 0}

    first = make_event(EventType.SEARCH, "s1", properties=props, clock=lambda: T0)
    second = make_event(EventType.SEARCH, "s1", clock=lambda: later)

    assert first.ts == T0 and ULID.from_str(first.id).datetime == T0.replace(microsecond=456000)
    assert first.id < second.id and first.id != make_event(EventType.SEARCH, "s1",
                                                           clock=lambda: T0).id
    assert first.properties == props and first.properties is not props
    assert second.properties == {} and second.user_id is None


def test_the_store_wrapper_still_answers_reads(store: FlakyStore) -> None:
    store.append(events(3))
    assert store.rollups(date(2026, 5, 4), date(2026, 5, 4))


def test_no_thread_until_the_first_event(store: FlakyStore) -> None:
    tracker = Tracker(store, flush_seconds=LONG)

    assert tracker._thread is None and tracker.flush() and tracker.close()
    assert store.calls == 0
