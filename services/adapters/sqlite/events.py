"""EventStore on SQLite (local mode): raw events, rollup counters and daily visitor sketches.

``append`` is one transaction per batch: the ids already stored are looked up first (inside the
write lock, so nobody can add them in between), only the new events are inserted, and exactly
those are aggregated in memory into rollup deltas (``rollup_keys``, the single definition of
what an event counts for) and upserted with ``count = count + excluded.count``; their visitors
are merged into each local day's HyperLogLog. A crash anywhere rolls back the whole batch, so a
retry of the same batch never double-counts.

Each append also bumps the *epoch* of every local day it touched, in the same transaction; reads
go through ``RollupDayCache``, which keeps whole days' rows in memory and re-reads only days
whose epoch moved, so a dashboard's cost does not grow with the history it has already read.
Raw events are kept for ``retention_days`` (``prune``); rollups and sketches stay.

Sample events (``Event.sample``: demo traffic for the sample content) count in ``rollups`` like
any other, and their contributions are also kept apart in ``sample_rollups``; their visitors go
to ``sample_visitor_sketches`` only (a sketch cannot be subtracted from; reads merge both).
``remove_samples`` subtracts ``sample_rollups`` from ``rollups`` in one transaction, so what
stays is exactly what the other events added, whether or not the raw events were pruned.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from services.adapters.event_common import first_of_each_id, merge_registers
from services.adapters.sqlite.db import Migration, SqliteDatabase, from_db_time, to_db_time
from services.adapters.sqlite.rollup_cache import RollupDayCache
from services.adapters.sqlite.rollup_day import BUMP_EPOCH
from services.adapters.sqlite.sample_pages import rename_sample_page
from services.domain.analytics import (
    RETIRED_SAMPLE_PAGES,
    WHOLE_DAY,
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
    RollupRow,
    local_day_hour,
)
from services.domain.hll import HyperLogLog
from services.domain.rollups import rollup_keys

_EVENTS: tuple[Migration, ...] = (
    (
        # WITHOUT ROWID: the ULID is the only key, so one B-tree instead of table + unique index.
        """CREATE TABLE events (
            id TEXT PRIMARY KEY,
            ts TEXT NOT NULL,
            type TEXT NOT NULL,
            session_id TEXT NOT NULL,
            user_id TEXT,
            page TEXT,
            content_id TEXT,
            category TEXT,
            author_id TEXT,
            properties TEXT NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX events_ts ON events(ts)",
        """CREATE TABLE rollups (
            day TEXT NOT NULL,
            hour INTEGER NOT NULL,
            type TEXT NOT NULL,
            dim TEXT NOT NULL,
            value TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, hour, type, dim, value)
        ) WITHOUT ROWID""",
        # Bumped by every append for each day it touched: what the read cache checks.
        """CREATE TABLE rollup_epochs (
            day TEXT PRIMARY KEY,
            epoch INTEGER NOT NULL
        ) WITHOUT ROWID""",
        # A plain rowid table: 16 KiB blobs do not belong inside a WITHOUT ROWID B-tree.
        """CREATE TABLE visitor_sketches (
            day TEXT PRIMARY KEY,
            registers BLOB NOT NULL
        )""",
    ),
    (
        "ALTER TABLE events ADD COLUMN sample INTEGER NOT NULL DEFAULT 0",
        # Partial: costs nothing for ordinary events, finds the sample ones without a scan.
        "CREATE INDEX events_sample ON events(id) WHERE sample = 1",
        """CREATE TABLE sample_rollups (
            day TEXT NOT NULL,
            hour INTEGER NOT NULL,
            type TEXT NOT NULL,
            dim TEXT NOT NULL,
            value TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, hour, type, dim, value)
        ) WITHOUT ROWID""",
        """CREATE TABLE sample_visitor_sketches (
            day TEXT PRIMARY KEY,
            registers BLOB NOT NULL
        )""",
    ),
)

SCHEMA: dict[str, Sequence[Migration]] = {"events": _EVENTS}

_INSERT_EVENT = (
    "INSERT INTO events (id, ts, type, session_id, user_id, page, content_id, category,"
    " author_id, properties, sample) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT = (
    "INSERT INTO {table} (type, dim, hour, day, value, count) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (day, hour, type, dim, value) DO UPDATE SET count = count + excluded.count"
)
_UPSERT_ROLLUP = _UPSERT.format(table="rollups")
_UPSERT_SAMPLE_ROLLUP = _UPSERT.format(table="sample_rollups")
_SKETCH_TABLES = {False: "visitor_sketches", True: "sample_visitor_sketches"}
_KEY_MATCH = " AND ".join(f"rollups.{c} = s.{c}" for c in ("day", "hour", "type", "dim", "value"))
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_ID_LOOKUP_CHUNK = 5000
_RAW_PAGE = 2000


class SqliteEventStore:
    """Implements ``services.ports.EventStore``; brings its own tables (idempotent)."""

    def __init__(self, db: SqliteDatabase, tz: tzinfo, retention_days: int) -> None:
        self._db = db
        self._tz = tz
        self._retention = timedelta(days=retention_days)
        self._cache = RollupDayCache()
        db.migrate(extra=SCHEMA)
        for old, new in RETIRED_SAMPLE_PAGES:  # data recorded before: once, then a no-op
            self.rename_sample_page(old, new)

    # ---- writing ---------------------------------------------------------------------------

    def append(self, events: Sequence[Event]) -> list[Event]:
        unique = first_of_each_id(events)
        if not unique:
            return []
        with self._db.transaction() as conn:
            existing = _stored_ids(conn, list(unique))
            new = [event for event_id, event in unique.items() if event_id not in existing]
            if not new:
                return []
            conn.executemany(_INSERT_EVENT, map(_event_row, new))
            deltas = self._deltas(new)
            conn.executemany(_UPSERT_ROLLUP, deltas)
            samples = [event for event in new if event.sample]
            if samples:
                conn.executemany(_UPSERT_SAMPLE_ROLLUP, self._deltas(samples))
            conn.executemany(BUMP_EPOCH, [(day,) for day in sorted({d[3] for d in deltas})])
            self._merge_visitors(conn, new)
        return new

    def forget_user(self, user_id: str, since: datetime, until: datetime) -> int:
        """The events stay (rollups and sketches hold no user ids); only the id goes."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE events SET user_id = NULL WHERE user_id = ? AND ts >= ? AND ts < ?"
                " RETURNING id", (user_id, to_db_time(since), to_db_time(until)),
            ).fetchall()
        return len(changed)

    def rekey_author(self, old: str, new: str, since: datetime, until: datetime) -> int:
        """Move the AUTHOR counters (and sample copies) of ``old`` onto ``new`` and re-key the
        raw events, in one transaction: a reader sees either author, never both or neither."""
        if old == new:
            return 0
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE events SET author_id = ? WHERE author_id = ? AND ts >= ? AND ts < ?",
                (new, old, to_db_time(since), to_db_time(until)),
            )
            moved, days = _author_counts(conn, old)
            for table in ("rollups", "sample_rollups"):
                conn.execute(
                    f"INSERT INTO {table} (day, hour, type, dim, value, count)"  # noqa: S608
                    f" SELECT day, hour, type, dim, ?, count FROM {table}"  # table: a constant
                    " WHERE dim = ? AND value = ?"
                    " ON CONFLICT (day, hour, type, dim, value)"
                    " DO UPDATE SET count = count + excluded.count",
                    (new, Dim.AUTHOR, old),
                )
                conn.execute(f"DELETE FROM {table} WHERE dim = ? AND value = ?",  # noqa: S608
                             (Dim.AUTHOR, old))
            conn.executemany(BUMP_EPOCH, [(day,) for day in days])
        return moved

    def rename_sample_page(self, old: str, new: str) -> int:
        """Sample page views of ``old`` become ``new`` (``sample_pages.py``, one transaction)."""
        with self._db.transaction() as conn:
            return rename_sample_page(conn, old, new)

    def remove_samples(self) -> int:
        """Take every sample event out of rollups, sketches and raw events, as if it had never
        been appended (one transaction). Returns how many sample events the rollups held."""
        with self._db.transaction() as conn:
            removed = conn.execute(
                "SELECT coalesce(sum(count), 0) FROM sample_rollups WHERE hour = ? AND dim = ?",
                (WHOLE_DAY, Dim.ALL),
            ).fetchone()[0]
            days = [row[0] for row in conn.execute("SELECT DISTINCT day FROM sample_rollups")]
            conn.execute(
                f"UPDATE rollups SET count = rollups.count - s.count"  # noqa: S608 - constants
                f" FROM sample_rollups AS s WHERE {_KEY_MATCH}"
            )
            # Counters only ever grow by positive deltas: zero means no other event counted.
            conn.execute("DELETE FROM rollups WHERE count <= 0"
                         " AND day IN (SELECT day FROM sample_rollups)")
            conn.execute("DELETE FROM sample_rollups")
            conn.execute("DELETE FROM sample_visitor_sketches")
            conn.execute("DELETE FROM events WHERE sample = 1")
            conn.executemany(BUMP_EPOCH, [(day,) for day in days])
        return int(removed)

    def prune(self, now: datetime) -> int:
        """Delete raw events older than the retention period; rollups stay. Returns how many."""
        cutoff = to_db_time(now - self._retention)
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM events WHERE ts < ?", (cutoff,)).rowcount

    def _deltas(self, events: Iterable[Event]) -> list[tuple[Any, ...]]:
        # Counted by plain tuples of the key's fields (StrEnum members are str to sqlite3):
        # RollupKey's generated __eq__ and enum ``.value`` run in Python and together cost a
        # quarter of the ingest time when the Counter was keyed by the dataclass itself.
        counts: Counter[tuple[Any, ...]] = Counter()
        tz = self._tz
        for event in events:
            counts.update((k.type, k.dim, k.hour, k.day, k.value) for k in rollup_keys(event, tz))
        return [
            (type_, dim, hour, day.isoformat(), value, count)
            for (type_, dim, hour, day, value), count in counts.items()
        ]

    def _merge_visitors(self, conn: sqlite3.Connection, events: Iterable[Event]) -> None:
        by_day: defaultdict[tuple[bool, date], set[str]] = defaultdict(set)
        for event in events:
            by_day[event.sample, local_day_hour(event.ts, self._tz)[0]].add(event.visitor_id)
        for (sample, day), visitors in by_day.items():
            table = _SKETCH_TABLES[sample]
            row = conn.execute(
                f"SELECT registers FROM {table} WHERE day = ?",  # noqa: S608 - a constant
                (day.isoformat(),),
            ).fetchone()
            sketch = HyperLogLog(row[0] if row else None).update(visitors)
            conn.execute(
                f"INSERT INTO {table} (day, registers) VALUES (?, ?)"  # noqa: S608 - a constant
                " ON CONFLICT (day) DO UPDATE SET registers = excluded.registers",
                (day.isoformat(), sketch.to_bytes()),
            )

    # ---- reading ---------------------------------------------------------------------------

    @contextmanager
    def one_moment(self) -> Iterator[bool]:
        """One read transaction: the reads inside join it (``SqliteDatabase.transaction``), and
        WAL shows them the database as of its first read, whatever commits meanwhile. The
        rollup cache serves a day only at the epoch read in it, so it mixes no moments."""
        with self._db.read():
            yield True

    def rollups(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        hourly: bool = False,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
        fold: Collection[Dim] = (),
        hour: int | None = None,
    ) -> list[RollupRow]:
        folded = [] if hourly else list(dict.fromkeys(fold))
        wanted_types = list(EventType) if types is None else list(dict.fromkeys(types))
        wanted_dims = [d for d in (Dim if dims is None else dict.fromkeys(dims))
                       if d not in folded]
        if hourly:
            wanted_dims = [d for d in wanted_dims if d == Dim.ALL]
        if not wanted_types or not (wanted_dims or folded) or start > end:
            return []
        with self._db.read() as conn:
            return self._cache.rows(conn, start, end, wanted_types, wanted_dims, hourly,
                                    values, prefix, folded, hour if hourly else None)

    def rollup_totals(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> PeriodTotals:
        wanted_types = list(EventType) if types is None else list(dict.fromkeys(types))
        wanted_dims = list(Dim) if dims is None else list(dict.fromkeys(dims))
        if not wanted_types or not wanted_dims or start > end:
            return {}
        with self._db.read() as conn:
            return self._cache.totals(conn, start, end, wanted_types, wanted_dims, values,
                                      prefix)

    def rollup_day_totals(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> DayTotals:
        wanted_types = list(EventType) if types is None else list(dict.fromkeys(types))
        wanted_dims = list(Dim) if dims is None else list(dict.fromkeys(dims))
        if not wanted_types or not wanted_dims or start > end:
            return {}
        with self._db.read() as conn:
            return self._cache.day_totals(conn, start, end, wanted_types, wanted_dims, values,
                                          prefix)

    def visitors(self, start: date, end: date) -> HyperLogLog:
        with self._db.read() as conn:
            blobs = [
                row[0]
                for row in conn.execute(
                    "SELECT registers FROM visitor_sketches WHERE day BETWEEN ?1 AND ?2"
                    " UNION ALL SELECT registers FROM sample_visitor_sketches"
                    " WHERE day BETWEEN ?1 AND ?2",
                    (start.isoformat(), end.isoformat()),
                )
            ]
        return merge_registers(blobs)

    def raw_events(self, since: datetime, until: datetime) -> Iterator[Event]:
        low, high = to_db_time(since), to_db_time(until)
        # Keyset pages, each its own short read: a caller that iterates slowly (or stops
        # early) never holds a transaction open, and a long range never sits in memory.
        after = (low, "")
        while True:
            with self._db.read() as conn:
                page = conn.execute(
                    "SELECT * FROM events WHERE (ts, id) > (?, ?) AND ts < ?"
                    " ORDER BY ts, id LIMIT ?",
                    (*after, high, _RAW_PAGE),
                ).fetchall()
            yield from map(_event, page)
            if len(page) < _RAW_PAGE:
                return
            after = (page[-1]["ts"], page[-1]["id"])


def _author_counts(conn: sqlite3.Connection, author: str) -> tuple[int, list[str]]:
    """How many events the author's counters hold, and the days they are on."""
    found = conn.execute(
        "SELECT day, sum(count) FROM rollups WHERE dim = ? AND value = ? GROUP BY day",
        (Dim.AUTHOR, author),
    ).fetchall()
    return sum(int(row[1]) for row in found), [row[0] for row in found]


def _stored_ids(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), _ID_LOOKUP_CHUNK):
        chunk = json.dumps(ids[i : i + _ID_LOOKUP_CHUNK])
        found.update(
            row[0]
            for row in conn.execute(
                "SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?))", (chunk,)
            )
        )
    return found


def _event_row(event: Event) -> tuple[Any, ...]:
    return (event.id, to_db_time(event.ts), event.type,  # a StrEnum is a str to sqlite3
            event.session_id, event.user_id, event.page, event.content_id, event.category,
            event.author_id, _JSON.encode(event.properties) if event.properties else "{}",
            1 if event.sample else 0)


def _event(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"], ts=from_db_time(row["ts"]), type=EventType(row["type"]),
        session_id=row["session_id"], user_id=row["user_id"], page=row["page"],
        content_id=row["content_id"], category=row["category"], author_id=row["author_id"],
        properties=dict(json.loads(row["properties"])), sample=bool(row["sample"]),
    )
