"""SqliteEventStore specifics: pruning, and the day cache seeing every writer's changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.adapters.sqlite.rollup_day import _runs
from services.domain.analytics import Dim, Event, EventType

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = date(2026, 6, 1)


def view(event_id: str, days: int = 0, content: str = "c1") -> Event:
    return Event(id=event_id, ts=T0 + timedelta(days=days), type=EventType.CONTENT_VIEW,
                 session_id="s1", content_id=content)


@pytest.fixture
def db(tmp_path: Path) -> SqliteDatabase:
    database = SqliteDatabase(tmp_path / "events.sqlite3")
    database.migrate()
    return database


def content_views(store: SqliteEventStore, start: date, end: date) -> dict[tuple[date, str], int]:
    rows = store.rollups(start, end, types=[EventType.CONTENT_VIEW], dims=[Dim.CONTENT])
    return {(row.key.day, row.key.value): row.count for row in rows}


def test_a_reader_sees_what_another_store_on_the_same_file_wrote(db: SqliteDatabase) -> None:
    """Two processes (the app and the seed script) each have a store and a cache."""
    reader, writer = (SqliteEventStore(db, UTC, 365) for _ in range(2))
    writer.append([view("a"), view("b", days=1)])
    assert content_views(reader, DAY, DAY + timedelta(days=1)) == {
        (DAY, "c1"): 1, (DAY + timedelta(days=1), "c1"): 1}

    writer.append([view("c", days=1), view("d", days=1, content="c2")])

    assert content_views(reader, DAY, DAY + timedelta(days=1)) == {
        (DAY, "c1"): 1, (DAY + timedelta(days=1), "c1"): 2, (DAY + timedelta(days=1), "c2"): 1}


def test_migrating_twice_is_harmless(db: SqliteDatabase) -> None:
    SqliteEventStore(db, UTC, 365).append([view("a")])
    again = SqliteEventStore(db, UTC, 365)

    assert len(again.append([view("a")])) == 0
    assert content_views(again, DAY, DAY) == {(DAY, "c1"): 1}


def test_prune_drops_old_raw_events_but_keeps_rollups(db: SqliteDatabase) -> None:
    store = SqliteEventStore(db, UTC, retention_days=30)
    store.append([view("old", days=-40), view("edge", days=-30), view("new", days=-1)])

    assert store.prune(T0) == 1
    assert store.prune(T0) == 0

    left = [e.id for e in store.raw_events(T0 - timedelta(days=90), T0)]
    assert left == ["edge", "new"]
    assert content_views(store, DAY - timedelta(days=40), DAY)[DAY - timedelta(days=40), "c1"] == 1
    # A pruned event's id is free again: re-sending it stores and counts it once more. Events
    # older than the retention are not expected (the tracker sends events seconds old).
    assert len(store.append([view("old", days=-40)])) == 1


def test_days_are_grouped_into_consecutive_runs() -> None:
    days = ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-03", "2026-03-05", "2026-03-06"]

    assert _runs(days) == [("2026-02-27", "2026-03-01"), ("2026-03-03", "2026-03-03"),
                           ("2026-03-05", "2026-03-06")]
    assert _runs([]) == []


def test_samples_are_removed_from_the_rollups_after_their_raw_events_were_pruned(
    db: SqliteDatabase,
) -> None:
    store = SqliteEventStore(db, UTC, retention_days=30)
    demo = [replace(view(f"demo{i}", days=-40 + i), sample=True) for i in range(3)]
    store.append([view("old", days=-40), *demo, view("new", days=-1)])
    assert store.prune(T0) == 4  # "old" and every demo event: their rollups stay

    assert store.remove_samples() == 3
    span = (DAY - timedelta(days=40), DAY)
    assert content_views(store, *span) == {(DAY - timedelta(days=40), "c1"): 1,
                                           (DAY - timedelta(days=1), "c1"): 1}
    assert [e.id for e in store.raw_events(T0 - timedelta(days=90), T0)] == ["new"]


def test_a_store_opened_over_old_sample_page_views_renames_them(db: SqliteDatabase) -> None:
    """Sample traffic recorded "search", a page the app does not have; the app's start (a store
    opening) makes those sample page views "browse", and leaves a real visitor's alone."""
    seeded = SqliteEventStore(db, UTC, 365)
    seeded.append([Event(id=f"p{i}", ts=T0, type=EventType.PAGE_VIEW, session_id=f"s{i}",
                         page="search", sample=i > 0) for i in range(3)])

    reopened = SqliteEventStore(db, UTC, 365)

    rows = reopened.rollups(DAY, DAY, types=[EventType.PAGE_VIEW], dims=[Dim.PAGE])
    assert {row.key.value: row.count for row in rows} == {"search": 1, "browse": 2}
    assert {e.id: e.page for e in reopened.raw_events(T0, T0 + timedelta(seconds=1))} == {
        "p0": "search", "p1": "browse", "p2": "browse"}
    assert seeded.rollups(DAY, DAY, types=[EventType.PAGE_VIEW], dims=[Dim.PAGE]) == rows
