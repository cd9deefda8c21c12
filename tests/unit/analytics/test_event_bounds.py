"""One visitor's text cannot make an event too large: every free-text field is bounded when the
event is made, and the tracker refuses (drops, counts, logs) any event still too large."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.service import AnalyticsService
from services.analytics.tracker import Tracker, make_event
from services.domain.analytics import (
    EVENT_BYTES_MAX,
    PROPERTIES_MAX,
    SEARCH_QUERY_MAX,
    TEXT_MAX,
    Event,
    EventType,
    event_bytes,
)
from services.domain.permissions import Actor

T0 = datetime(2026, 5, 4, 1, 2, 3, tzinfo=UTC)
HUGE = "검" * 500_000  # 1.5 MB of UTF-8, typed into a search box
VIEWER = Actor(user_id="vera")


class ListSink:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def track(self, event: Event) -> None:
        self.events.append(event)


@pytest.fixture
def store(tmp_path: Path) -> SqliteEventStore:
    db = SqliteDatabase(tmp_path / "events.sqlite3")
    db.migrate()
    return SqliteEventStore(db, UTC, retention_days=3650)


@pytest.fixture
def tracker(store: SqliteEventStore) -> Iterator[Tracker]:
    tracker = Tracker(store, flush_seconds=3600.0)
    yield tracker
    tracker.close(timeout=5)


def test_a_huge_search_query_is_recorded_truncated(store: SqliteEventStore) -> None:
    sink = ListSink()
    service = AnalyticsService(store, None, sink, UTC, clock=lambda: T0)  # type: ignore[arg-type]

    service.search("s1", VIEWER, f"  Bedrock {HUGE}", 0)

    [event] = sink.events
    assert event.properties["query"] == f"Bedrock {HUGE}"[:SEARCH_QUERY_MAX]
    assert event_bytes(event) <= EVENT_BYTES_MAX


def test_every_property_and_field_is_bounded() -> None:
    props = {f"k{i:03d}": "x" * 10_000 for i in range(PROPERTIES_MAX + 50)}
    props["k000"] = 7  # numbers and flags stay as they are
    props["nested"] = {"a": ["b" * 10_000]}  # anything else is kept as short text

    event = make_event(EventType.REPORT_GENERATED, "s" * 10_000, page="p" * 10_000,
                       category="c" * 10_000, properties=props, clock=lambda: T0)

    assert len(event.properties) == PROPERTIES_MAX
    assert event.properties["k000"] == 7
    assert all(len(v) <= TEXT_MAX for v in event.properties.values() if isinstance(v, str))
    assert len(event.session_id) <= TEXT_MAX and len(event.page or "") <= TEXT_MAX
    assert len(event.category or "") <= TEXT_MAX
    assert event_bytes(event) <= EVENT_BYTES_MAX


def test_an_event_still_too_large_is_dropped_before_buffering(
    tracker: Tracker, store: SqliteEventStore, caplog: pytest.LogCaptureFixture
) -> None:
    huge = Event(id="01HUGE", ts=T0, type=EventType.SEARCH, session_id="s1",
                 properties={"query": HUGE, "results": 0})
    good = make_event(EventType.PAGE_VIEW, "s1", page="home", clock=lambda: T0)

    with caplog.at_level(logging.WARNING, logger="services.analytics.tracker"):
        tracker.track(huge)
        tracker.track(good)
        assert tracker.stats().queued == 1  # the huge one never entered the buffer
        assert tracker.flush()

    assert tracker.stats().dropped == 1 and tracker.stats().written == 1
    assert [e.id for e in store.raw_events(T0, datetime(2027, 1, 1, tzinfo=UTC))] == [good.id]
    assert any("too large" in r.getMessage() for r in caplog.records)


def test_an_unencodable_event_is_dropped_before_buffering(tracker: Tracker) -> None:
    lone_surrogate = Event(id="01BAD", ts=T0, type=EventType.PAGE_VIEW, session_id="s1",
                           page="home\ud800")

    tracker.track(lone_surrogate)

    assert tracker.stats().queued == 0 and tracker.stats().dropped == 1
