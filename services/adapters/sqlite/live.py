"""LiveWindow on SQLite (local mode): the last minutes of real traffic, for the "now" panel.

Small tables on their own migration track ("live"):

* ``live_events`` (event id -> UTC minute): one row per event, ``INSERT OR IGNORE``, so a
  re-delivered batch counts once; a trigger adds each row that was really inserted to
  ``live_minutes`` (minute -> events), so events per minute are at most 30 rows to read.
* ``live_visitors`` (visitor -> latest activity, latest page view, latest content event, each
  with its ts and event id): an upsert that keeps, field by field, the later of stored and new
  by (ts, id), so neither re-delivery nor the order batches arrive in changes the result. The
  panel's numbers are counted in SQL over the window's visitors (index on ``last_ts``). One
  approximation: a visitor whose latest event is stamped after the snapshot's ``now`` (a
  clock running ahead) is not counted; the app's snapshots are taken after the writes.

A batch is one transaction. Each ``ingest`` first deletes what is older than ``KEEP_MINUTES``
(by index, so it costs next to nothing when there is nothing to drop): the tables never hold
more than the kept window. Sample and old events are never taken (``domain.live.kept``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from services.adapters.sqlite.db import Migration, SqliteDatabase, to_db_time
from services.domain.analytics import Event, EventType
from services.domain.live import (
    ACTIVE_MINUTES,
    ITEM_TYPES,
    KEEP_MINUTES,
    LiveSnapshot,
    kept,
    minute_key,
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
        # Events per minute, counted by the database itself for exactly the ids that were new
        # (INSERT OR IGNORE fires no insert trigger for an id it ignores).
        """CREATE TABLE live_minutes (
            minute TEXT PRIMARY KEY,
            count INTEGER NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TRIGGER live_events_counted AFTER INSERT ON live_events BEGIN
            INSERT INTO live_minutes (minute, count) VALUES (new.minute, 1)
            ON CONFLICT (minute) DO UPDATE SET count = count + 1;
        END""",
    ),
)

SCHEMA: dict[str, Sequence[Migration]] = {"live": _LIVE}

_INSERT_EVENT = "INSERT OR IGNORE INTO live_events (id, minute) VALUES (?, ?)"
# ?1, ?2: the window's start (excluded) and end; ?3: the start of the last ACTIVE_MINUTES.
_ACTIVE = ("SELECT count(*), coalesce(sum(last_ts > ?3), 0) FROM live_visitors"
           " WHERE last_ts > ?1 AND last_ts <= ?2")
# A visitor's page: their latest page view, if in the window.
_PAGES = ("SELECT page, count(*) FROM live_visitors WHERE last_ts > ?1 AND last_ts <= ?2"
          " AND page_ts > ?1 GROUP BY page")
# A visitor's item: their latest content event, if in the window and at or after that page.
_ITEMS = ("SELECT item, count(*) FROM live_visitors WHERE last_ts > ?1 AND last_ts <= ?2"
          " AND item_ts > ?1 AND (page_ts IS NULL OR page_ts <= ?1 OR item_ts >= page_ts)"
          " GROUP BY item")


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
        # Fixed-width UTC text, made once per event: its first 16 characters are the minute.
        taken = [(_utc_text(e.ts), e) for e in kept(events, now)]
        with self._db.transaction() as conn:
            _prune(conn, now)
            if not taken:
                return
            conn.executemany(_INSERT_EVENT, [(e.id, ts[:16]) for ts, e in taken])
            conn.executemany(_UPSERT_VISITOR, _visitor_rows(taken))

    def remove_samples(self) -> None:
        """Nothing to remove: sample events are never taken (``domain.live.kept``)."""

    def snapshot(self, now: datetime) -> LiveSnapshot:
        minutes = window_minutes(now)
        window = (to_db_time(window_start(now)), to_db_time(now),
                  to_db_time(window_start(now, ACTIVE_MINUTES)))
        with self._db.read() as conn:
            counts = dict(conn.execute(
                "SELECT minute, count FROM live_minutes WHERE minute BETWEEN ? AND ?",
                (minute_key(minutes[0]), minute_key(minutes[-1])),
            ).fetchall())
            active_30, active_5 = conn.execute(_ACTIVE, window).fetchone()
            pages = conn.execute(_PAGES, window[:2]).fetchall()
            items = conn.execute(_ITEMS, window[:2]).fetchall()
        return LiveSnapshot(
            now=now,
            active_5=int(active_5),
            active_30=int(active_30),
            pages={str(page): int(n) for page, n in pages},
            items={str(item): int(n) for item, n in items},
            per_minute=tuple((m, int(counts.get(minute_key(m), 0))) for m in minutes),
        )


def _utc_text(ts: datetime) -> str:
    """``to_db_time``, without its conversion for the tracker's events, already in UTC."""
    return ts.isoformat(timespec="microseconds") if ts.tzinfo is UTC else to_db_time(ts)


def _prune(conn: sqlite3.Connection, now: datetime) -> None:
    cutoff = now - timedelta(minutes=KEEP_MINUTES)
    for table in ("live_events", "live_minutes"):
        conn.execute(f"DELETE FROM {table} WHERE minute < ?",  # noqa: S608 - constants
                     (minute_key(cutoff),))
    conn.execute("DELETE FROM live_visitors WHERE last_ts <= ?", (to_db_time(cutoff),))


# One visitor's latest activity, page view and content event as (ts text, id) keys, with the
# page and item: [last, page_key, page, item_key, item]. Plain lists and text keys: this runs
# for every event at ingest, where VisitorState's datetimes would cost a third of the time.
_State = list[Any]


def _visitor_rows(kept: Sequence[tuple[str, Event]]) -> list[tuple[Any, ...]]:
    """One row per visitor of the batch: their latest activity, page view and item event."""
    states: dict[str, _State] = {}
    for ts, event in kept:
        key = (ts, event.id)
        state = states.get(event.visitor_id)
        if state is None:
            state = states[event.visitor_id] = [key, None, None, None, None]
        elif key > state[0]:
            state[0] = key
        if event.type == EventType.PAGE_VIEW and event.page and (
                state[1] is None or key > state[1]):
            state[1], state[2] = key, event.page
        if event.type in ITEM_TYPES and event.content_id and (
                state[3] is None or key > state[3]):
            state[3], state[4] = key, event.content_id
    return [(visitor, *last, page, *(page_key or (None, None)), item,
             *(item_key or (None, None)))
            for visitor, (last, page_key, page, item_key, item) in states.items()]
