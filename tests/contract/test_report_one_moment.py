"""A report is read at one moment: events that arrive (a tracker's flush, on another thread)
between the snapshot's reads of the store never make the report's page views by hour add up
to more than its page-view KPI. SQLite reads the whole snapshot in one read transaction (the
report equals the one built before anything arrived); DynamoDB has no snapshot across
Queries, so the day totals of the hours read are the hours' own sums."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.analytics.dashboards import Period
from services.domain.analytics import Dim, Event, EventType
from services.domain.hll import HyperLogLog
from services.domain.reports import ReportType
from services.ports import ContentRepository, EventStore
from services.reports.request import build_preview
from tests.contract.local_backends import EVENT_TZ, sqlite_event_store

PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
NOW = datetime(2026, 3, 10, 18, 0, tzinfo=EVENT_TZ)  # the period's last day is today
_ids = itertools.count()


def views(day: date, hour: int, count: int, visitor: str, type_: EventType) -> list[Event]:
    """Page views of the home page, or content views of item i1 (category Finance)."""
    at = datetime(day.year, day.month, day.day, hour, tzinfo=EVENT_TZ)
    where: dict[str, Any] = (
        {"page": "home"}
        if type_ == EventType.PAGE_VIEW
        else {"content_id": "i1", "category": "Finance", "author_id": "a1"}
    )
    return [Event(f"e{next(_ids):06d}", at, type_, f"{visitor}{i}", **where) for i in range(count)]


class Arriving:
    """The real store; after every read it answers, one more page view and content view of a
    new visitor this afternoon are appended on a thread of its own (another connection, as a
    tracker's flush)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.arrived = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def arrive(self) -> None:
        self.arrived += 1
        visitor = f"late{self.arrived}-"
        late = [
            *views(PERIOD.end, 15, 1, visitor, EventType.PAGE_VIEW),
            *views(PERIOD.end, 15, 1, visitor, EventType.CONTENT_VIEW),
        ]
        flush = threading.Thread(target=self.store.append, args=(late,))
        flush.start()
        flush.join()

    def rollups(self, *args: Any, **kwargs: Any) -> Any:
        found = self.store.rollups(*args, **kwargs)
        self.arrive()
        return found

    def visitors(self, start: date, end: date) -> HyperLogLog:
        found = self.store.visitors(start, end)
        self.arrive()
        return found


@pytest.fixture
def content(tmp_path: Path) -> Iterator[ContentRepository]:
    db = SqliteDatabase(tmp_path / "content" / "content.sqlite3")
    db.migrate()
    yield SqliteContentRepository(db)
    db.close()


def _report(events: EventStore, content: ContentRepository) -> dict[str, Any]:
    with ThreadPoolExecutor(4) as pool:  # the visitor reads overlap, as ReportService's do
        return build_preview(
            events, content, ReportType.OVERALL, "ko", PERIOD, "", NOW, pool.map
        ).context


def _seed(store: EventStore) -> None:
    found: list[Event] = []
    day = PERIOD.previous().start
    while day <= PERIOD.end:
        found += [
            *views(day, 9, 3, f"{day}-a", EventType.PAGE_VIEW),
            *views(day, 14, 2, f"{day}-b", EventType.PAGE_VIEW),
            *views(day, 10, 2, f"{day}-a", EventType.CONTENT_VIEW),
        ]
        day += timedelta(days=1)
    store.append(found)


def test_the_hours_add_up_to_the_page_views(event_store: Any, content: ContentRepository) -> None:
    """Also on DynamoDB: the page views by hour, by day and in all are one count; the content
    views by category still add up to their KPI (their totals are not the hours')."""
    _seed(event_store)
    arriving = Arriving(event_store)
    ctx = _report(arriving, content)  # type: ignore[arg-type]
    assert arriving.arrived > 2  # events did arrive between the reads
    kpis = {row["key"]: row["value"] for row in ctx["kpis"]}
    assert sum(ctx["time_of_day"]["by_hour"]) == ctx["time_of_day"]["total"] == kpis["page_views"]
    assert sum(ctx["trend"]["page_view"]) == kpis["page_views"]
    assert sum(row["views"] for row in ctx["categories"]) == kpis["content_views"]
    assert sum(ctx["trend"]["content_view"]) == kpis["content_views"]


def test_sqlite_reads_the_report_at_one_moment(tmp_path: Path, content: ContentRepository) -> None:
    """Visitors too: the report is the one built before anything arrived."""
    with sqlite_event_store(tmp_path) as store:
        _seed(store)
        before = _report(store, content)
        arriving = Arriving(store)
        assert _report(arriving, content) == before  # type: ignore[arg-type]
        assert arriving.arrived > 2


def test_one_moment_is_the_first_read_s_where_the_store_says_so(event_store: Any) -> None:
    """The port's promise: inside ``one_moment`` a store that yields True answers every read
    on this thread as of the first (an event appended meanwhile on another thread is not
    seen); one that yields False answers each read as it comes."""
    _seed(event_store)

    def read() -> tuple[Any, ...]:
        rows = event_store.rollups(PERIOD.start, PERIOD.end, [EventType.PAGE_VIEW], [Dim.ALL])
        hours = event_store.rollups(
            PERIOD.start, PERIOD.end, [EventType.PAGE_VIEW], [Dim.ALL], hourly=True
        )
        visitors = event_store.visitors(PERIOD.start, PERIOD.end).estimate()
        return sorted((r.key, r.count) for r in [*rows, *hours]), visitors

    with event_store.one_moment() as held:
        first = read()
        Arriving(event_store).arrive()
        inside = read()
    after = read()
    assert after != first
    assert inside == (first if held else after)
