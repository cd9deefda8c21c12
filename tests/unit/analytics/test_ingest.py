"""Every derived sink sees what the event store is given, and a retried batch changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.ingest import SinkedEventStore
from services.domain.analytics import Dim, Event, EventType

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


class CountingSink:
    """An idempotent sink: remembers the ids it counted."""

    def __init__(self, fail_times: int = 0) -> None:
        self.seen: set[str] = set()
        self.samples_removed = 0
        self._fail = fail_times

    def ingest(self, events: Sequence[Event]) -> None:
        if self._fail:
            self._fail -= 1
            raise OSError("sink down")
        self.seen.update(e.id for e in events)

    def remove_samples(self) -> None:
        self.samples_removed += 1


def _events(n: int, sample: bool = False) -> list[Event]:
    return [Event(id=f"{'s' if sample else 'e'}{i:05d}", ts=T0 + timedelta(minutes=i),
                  type=EventType.PAGE_VIEW, session_id=f"sess{i % 3}", page="home",
                  sample=sample) for i in range(n)]


@pytest.fixture
def store(tmp_path: Path) -> SqliteEventStore:
    return SqliteEventStore(SqliteDatabase(tmp_path / "t.db"), UTC, retention_days=30)


def test_sinks_see_every_appended_event(store: SqliteEventStore) -> None:
    sink = CountingSink()
    sinked = SinkedEventStore(store, [sink])
    assert len(sinked.append(_events(5))) == 5
    assert sink.seen == {e.id for e in _events(5)}


def test_a_failed_sink_fails_the_append_and_the_retry_counts_once(
        store: SqliteEventStore) -> None:
    sink = CountingSink(fail_times=1)
    sinked = SinkedEventStore(store, [sink])
    with pytest.raises(OSError):
        sinked.append(_events(4))
    assert len(sinked.append(_events(4))) == 0  # the store had them already
    assert len(sink.seen) == 4
    day = T0.date()
    total = sum(r.count for r in sinked.rollups(day, day, dims=[Dim.ALL]))
    assert total == 4


def test_sample_removal_reaches_the_sinks(store: SqliteEventStore) -> None:
    sink = CountingSink()
    sinked = SinkedEventStore(store, [sink])
    sinked.append(_events(3, sample=True))
    assert sinked.remove_samples() == 3
    assert sink.samples_removed == 1


def test_prune_reaches_the_store(store: SqliteEventStore) -> None:
    sinked = SinkedEventStore(store, [])
    sinked.append(_events(3))
    assert sinked.prune(T0 + timedelta(days=60)) == 3
