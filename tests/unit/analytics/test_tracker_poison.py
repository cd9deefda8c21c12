"""One bad event never blocks the others: a batch the store keeps refusing is halved until the
offending event is alone; that event is dropped (counted, logged) and every other one written,
and later events still flow. On the real adapters: DynamoDB (moto, which enforces the 400 KB
item limit) and SQLite.

The tracker's own size check is switched off here (``max_event_bytes=None``) so that the bad
event reaches the store, as one would from a path that bounds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.analytics.tracker import Tracker
from services.domain.analytics import Event, EventType
from tests.contract.aws_backends import dynamodb_event_store
from tests.contract.local_backends import sqlite_event_store

T0 = datetime(2026, 5, 4, 1, 2, 3, tzinfo=UTC)
LATER = T0 + timedelta(days=2)
BACKENDS: dict[str, Callable[[Path], AbstractContextManager[Any]]] = {
    "dynamodb": dynamodb_event_store, "sqlite": sqlite_event_store,
}
# What each store refuses: DynamoDB an item over 400 KB (a 500 KB search query); SQLite text
# that is not UTF-8 (a lone surrogate; SQLite would happily keep 500 KB).
BAD_QUERY = {"dynamodb": "q" * 500_000, "sqlite": "bedrock\ud800"}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    with BACKENDS[request.param](tmp_path) as store:
        yield request.param, store


def good(n: int, start: int = 0) -> list[Event]:
    return [Event(id=f"01GOOD{i:05d}", ts=T0 + timedelta(seconds=i), type=EventType.PAGE_VIEW,
                  session_id="s1", page="home") for i in range(start, start + n)]


def stored(store: Any) -> list[str]:
    return [e.id for e in store.raw_events(T0 - timedelta(days=1), LATER)]


def test_one_bad_event_is_isolated_and_the_rest_written(
    backend: tuple[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    name, store = backend
    bad = Event(id="01BAD", ts=T0 + timedelta(seconds=5, milliseconds=1), type=EventType.SEARCH,
                session_id="s1", properties={"query": BAD_QUERY[name], "results": 0})
    first = good(10)
    tracker = Tracker(store, flush_seconds=3600.0, max_event_bytes=None)
    try:
        for event in [*first[:5], bad, *first[5:]]:
            tracker.track(event)
        with caplog.at_level(logging.WARNING, logger="services.analytics.tracker"):
            assert tracker.flush(timeout=30)

        assert stored(store) == [e.id for e in first]
        stats = tracker.stats()
        assert (stats.written, stats.dropped, stats.queued) == (10, 1, 0)
        assert any("01BAD" in r.getMessage() for r in caplog.records)

        later = good(3, start=100)  # events after the bad one still flow
        for event in later:
            tracker.track(event)
        assert tracker.flush(timeout=30)
        assert stored(store) == [e.id for e in [*first, *later]]
    finally:
        tracker.close(timeout=5)


def test_a_batch_of_bad_events_is_not_retried_forever(backend: tuple[str, Any]) -> None:
    name, store = backend
    bad = [Event(id=f"01BAD{i}", ts=T0 + timedelta(seconds=i), type=EventType.SEARCH,
                 session_id="s1", properties={"query": BAD_QUERY[name]}) for i in range(3)]
    tracker = Tracker(store, flush_seconds=3600.0, max_event_bytes=None)
    try:
        for event in bad:
            tracker.track(event)
        assert tracker.flush(timeout=30)
        assert tracker.stats().dropped == 3 and stored(store) == []
    finally:
        tracker.close(timeout=5)


def test_a_500_kb_search_through_the_service_is_stored_short(backend: tuple[str, Any]) -> None:
    from services.analytics.service import AnalyticsService
    from services.domain.analytics import SEARCH_QUERY_MAX
    from services.domain.permissions import Actor

    _, store = backend
    tracker = Tracker(store, flush_seconds=3600.0)  # the default size check on
    service = AnalyticsService(store, None, tracker, UTC,  # type: ignore[arg-type]
                               clock=lambda: T0)
    try:
        service.page_view("s1", Actor.anonymous(), "home")
        service.search("s1", Actor.anonymous(), "q" * 500_000, 0)
        service.page_view("s1", Actor.anonymous(), "browse")
        assert tracker.flush(timeout=30)

        found = list(store.raw_events(T0 - timedelta(days=1), LATER))
        assert [e.type for e in found].count(EventType.PAGE_VIEW) == 2
        [search] = [e for e in found if e.type == EventType.SEARCH]
        assert search.properties["query"] == "q" * SEARCH_QUERY_MAX
        assert tracker.stats().dropped == 0
    finally:
        tracker.close(timeout=5)


def test_a_store_that_denies_access_keeps_the_buffer(backend: tuple[str, Any]) -> None:
    """Not the events' fault (a misconfigured role): nothing is split away or dropped."""
    from services.errors import PermissionDenied

    _, store = backend

    class Denied:
        def append(self, events: Any) -> list[Any]:
            raise PermissionDenied("aws.access_denied")

    tracker = Tracker(Denied(), flush_seconds=3600.0)  # type: ignore[arg-type]
    try:
        for event in good(8):
            tracker.track(event)
        assert not tracker.flush(timeout=5)
        assert tracker.stats().queued == 8 and tracker.stats().dropped == 0

        tracker._store = store  # the role is fixed: the same events are written
        assert tracker.flush(timeout=30)
        assert stored(store) == [e.id for e in good(8)]
    finally:
        tracker.close(timeout=5)
