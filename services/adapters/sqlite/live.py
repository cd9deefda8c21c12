"""LiveWindow on SQLite (local mode): the last minutes of real traffic, for the "now" panel.

Two small tables on their own migration track ("live"):

* ``live_events`` (event id -> UTC minute): one row per event, ``INSERT OR IGNORE``, so a
  re-delivered batch counts once; events per minute are a ``GROUP BY`` over at most the kept
  window.
* ``live_visitors`` (visitor -> latest activity, latest page view, latest content event, each
  with its ts and event id): an upsert that keeps, field by field, the later of stored and new
  by (ts, id), so neither re-delivery nor the order batches arrive in changes the result.

A batch is one transaction. Each ``ingest`` first deletes what is older than ``KEEP_MINUTES``
(by index, so it costs next to nothing when there is nothing to drop): the tables never hold
more than the kept window. Sample and old events are never taken (``domain.live.keeps``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from services.adapters.sqlite.db import Migration, SqliteDatabase, to_db_time
from services.domain.analytics import Event
from services.domain.live import (
    ACTIVE_MINUTES,
    KEEP_MINUTES,
    LiveSnapshot,
    VisitorState,
    keeps,
    minute_key,
    order_key,
    window_minutes,
    window_start,
)
from services.domain.models import utcnow

_LIVE: tuple[Migration, ...] = (
    (
        """CREATE TABLE live_events (
            id TEXT PRIMARY KEY,
            minute TEXT NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX live_events_minute ON live_events(minute)",
        """CREATE TABLE live_visitors (
            visitor TEXT PRIMARY KEY,
            last_ts TEXT NOT NULL,
            last_id TEXT NOT NULL,
            page TEXT,
            page_ts TEXT,
            page_id TEXT,
            item TEXT,
            item_ts TEXT,
            item_id TEXT
        ) WITHOUT ROWID""",
        "CREATE INDEX live_visitors_last ON live_visitors(last_ts)",
    ),
)

SCHEMA: dict[str, Sequence[Migration]] = {"live": _LIVE}

_INSERT_EVENT = "INSERT OR IGNORE INTO live_events (id, minute) VALUES (?, ?)"


def _newer(field: str) -> str:
    """SQL: the new row's ``field`` (page or item) is later than the stored one."""
    return (f"excluded.{field}_ts IS NOT NULL AND ({field}_ts IS NULL OR"
            f" (excluded.{field}_ts, excluded.{field}_id) > ({field}_ts, {field}_id))")


def _keep_later(field: str) -> str:
    newer = _newer(field)
    return ", ".join(
        f"{column} = CASE WHEN {newer} THEN excluded.{column} ELSE {column} END"
        for column in (field, f"{field}_ts", f"{field}_id")
    )


def _upsert_visitor() -> str:
    """One visitor's row, keeping field by field the later of stored and new. SQLite evaluates
    every SET expression on the stored row, so each CASE sees the old values."""
    columns = "visitor, last_ts, last_id, page, page_ts, page_id, item, item_ts, item_id"
    later = "(excluded.last_ts, excluded.last_id) > (last_ts, last_id)"
    last = ", ".join(f"{c} = CASE WHEN {later} THEN excluded.{c} ELSE {c} END"
                     for c in ("last_ts", "last_id"))
    return (f"INSERT INTO live_visitors ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
            f" ON CONFLICT (visitor) DO UPDATE SET {last}, {_keep_later('page')},"
            f" {_keep_later('item')}")


_UPSERT_VISITOR = _upsert_visitor()


class SqliteLiveWindow:
    """Implements ``services.ports.LiveWindow`` (an ``EventSink``); brings its own tables."""

    def __init__(self, db: SqliteDatabase, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock
        db.migrate(extra=SCHEMA)

    def ingest(self, events: Sequence[Event]) -> None:
        now = self._clock()
        kept = [event for event in events if keeps(event, now)]
        with self._db.transaction() as conn:
            _prune(conn, now)
            if not kept:
                return
            conn.executemany(_INSERT_EVENT, [(e.id, minute_key(e.ts)) for e in kept])
            conn.executemany(_UPSERT_VISITOR, _visitor_rows(kept))

    def remove_samples(self) -> None:
        """Nothing to remove: sample events are never taken (``domain.live.keeps``)."""

    def snapshot(self, now: datetime) -> LiveSnapshot:
        start, recent = to_db_time(window_start(now)), to_db_time(window_start(now, ACTIVE_MINUTES))
        minutes = window_minutes(now)
        with self._db.read() as conn:
            counts = dict(conn.execute(
                "SELECT minute, count(*) FROM live_events WHERE minute BETWEEN ? AND ?"
                " GROUP BY minute", (minute_key(minutes[0]), minute_key(minutes[-1])),
            ).fetchall())
            rows = conn.execute(
                "SELECT last_ts, page, page_ts, item, item_ts FROM live_visitors"
                " WHERE last_ts > ? AND last_ts <= ?", (start, to_db_time(now)),
            ).fetchall()
        pages, items = _places(rows, start)
        return LiveSnapshot(
            now=now,
            active_5=sum(1 for row in rows if row[0] > recent),
            active_30=len(rows),
            pages=pages,
            items=items,
            per_minute=tuple((m, int(counts.get(minute_key(m), 0))) for m in minutes),
        )


def _places(rows: Sequence[sqlite3.Row], start: str) -> tuple[dict[str, int], dict[str, int]]:
    """Visitors per page and per item: the page of their latest page view in the window, and
    the item of their latest content event when it is at or after that page view."""
    pages: dict[str, int] = {}
    items: dict[str, int] = {}
    for _, page, page_ts, item, item_ts in rows:
        page_now = page if page_ts is not None and page_ts > start else None
        if page_now is not None:
            pages[page_now] = pages.get(page_now, 0) + 1
        if item_ts is not None and item_ts > start and (page_now is None or item_ts >= page_ts):
            items[item] = items.get(item, 0) + 1
    return pages, items


def _prune(conn: sqlite3.Connection, now: datetime) -> None:
    cutoff = now - timedelta(minutes=KEEP_MINUTES)
    conn.execute("DELETE FROM live_events WHERE minute < ?", (minute_key(cutoff),))
    conn.execute("DELETE FROM live_visitors WHERE last_ts <= ?", (to_db_time(cutoff),))


def _visitor_rows(events: Sequence[Event]) -> list[tuple[Any, ...]]:
    """One row per visitor of the batch: their latest activity, page view and item event."""
    states: dict[str, VisitorState] = {}
    for event in events:
        state = states.get(event.visitor_id)
        if state is None:
            state = states[event.visitor_id] = VisitorState(order_key(event))
        state.add(event)
    return [
        (visitor, to_db_time(s.last[0]), s.last[1], *_fact(s.page), *_fact(s.item))
        for visitor, s in states.items()
    ]


def _fact(fact: tuple[tuple[datetime, str], str] | None) -> tuple[Any, Any, Any]:
    if fact is None:
        return None, None, None
    (ts, event_id), value = fact
    return value, to_db_time(ts), event_id

