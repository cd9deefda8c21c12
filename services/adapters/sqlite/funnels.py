"""FunnelStore on SQLite (local mode): funnel definitions, each visit's progress, day counters.

Its own migration track (``SCHEMA["funnels"]``); a visit's times are integer microseconds
since the epoch (UTC). ``ingest`` is one transaction per batch: the
progress of every visit the batch could move is read, moved in memory
(``domain.funnels.move_visits``), written back, and for each step a visit newly reached one is
added to ``funnel_counts`` (local day of the visit's step 1, funnel, step). A batch delivered
again moves nothing (each visit's cursor is past its events), so it adds nothing. Sample events
move their own visits (``sample`` = 1 in the keys) and counters, which ``remove_samples``
deletes, leaving exactly what the other events counted. ``counts`` sums a funnel's day
counters: a 90-day funnel reads at most 90 x steps small rows. Each item's own funnels
(``domain.funnels.ITEM_FUNNELS``, ids "<template>:<content id>") are counted the same way.
A saved funnel's row says whether its back-fill finished (``backfilled``) and until when a run
has claimed finishing it (``backfill_claim``, UTC text: text order is time order).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import islice
from typing import Any

from services.adapters.sqlite.db import Migration, SqliteDatabase, from_db_time, to_db_time
from services.domain.analytics import Event
from services.domain.funnels import (
    DEFAULT_FUNNELS,
    ITEM_FUNNELS,
    Funnel,
    FunnelVisit,
    Progress,
    StepIndex,
    local_day,
    move_visits,
    name_key,
    newly_reached,
    sessions_of,
    steps_from_json,
    steps_to_json,
)
from services.errors import ConflictError, NotFound

_FUNNELS: tuple[Migration, ...] = (
    (
        """CREATE TABLE funnels (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            name TEXT NOT NULL,
            steps TEXT NOT NULL,
            window_minutes INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            counted_from TEXT
        )""",
        "CREATE INDEX funnels_owner ON funnels(owner, created_at)",
        # Keyed by session first: a batch looks its visits up by session.
        """CREATE TABLE funnel_visits (
            session_id TEXT NOT NULL,
            funnel_id TEXT NOT NULL,
            sample INTEGER NOT NULL,
            reached INTEGER NOT NULL,
            started INTEGER NOT NULL,
            cursor_ts INTEGER NOT NULL,
            cursor_id TEXT NOT NULL,
            PRIMARY KEY (session_id, funnel_id, sample)
        ) WITHOUT ROWID""",
        """CREATE TABLE funnel_counts (
            funnel_id TEXT NOT NULL,
            day TEXT NOT NULL,
            step INTEGER NOT NULL,
            sample INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (funnel_id, day, step, sample)
        ) WITHOUT ROWID""",
    ),
    # A back-fill that can be cut short and resumed: whether it finished, and until when a run
    # has taken it. Funnels saved before were back-filled in the call that saved them.
    (
        "ALTER TABLE funnels ADD COLUMN backfilled INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE funnels ADD COLUMN backfill_claim TEXT",
    ),
    # One funnel per owner and name (``domain.funnels.name_key``), kept by the index itself so
    # that two saves at the same moment cannot both pass. SQLite has no NFC or case folding:
    # funnels saved before get their key from Python when the store opens (``_fill_name_keys``).
    (
        "ALTER TABLE funnels ADD COLUMN name_key TEXT",
        "CREATE UNIQUE INDEX funnels_owner_name ON funnels(owner, name_key)",
    ),
)

SCHEMA: dict[str, Sequence[Migration]] = {"funnels": _FUNNELS}

_UPSERT_VISIT = (
    "INSERT INTO funnel_visits (session_id, funnel_id, sample, reached, started, cursor_ts,"
    " cursor_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, funnel_id, sample)"
    " DO UPDATE SET reached = excluded.reached, started = excluded.started,"
    " cursor_ts = excluded.cursor_ts, cursor_id = excluded.cursor_id"
)
_ADD_COUNT = (
    "INSERT INTO funnel_counts (funnel_id, day, step, sample, count) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (funnel_id, day, step, sample) DO UPDATE SET count = count + excluded.count"
)
_BACKFILL_CHUNK = 5000


class SqliteFunnelStore:
    """Implements ``services.ports.FunnelStore`` (and ``EventSink``); brings its own tables."""

    def __init__(self, db: SqliteDatabase, tz: tzinfo, retention_days: int = 180) -> None:
        self._db = db
        self._tz = tz
        self._retention = timedelta(days=retention_days)
        db.migrate(extra=SCHEMA)
        self._fill_name_keys()

    def _fill_name_keys(self) -> None:
        """The name key of funnels saved before it was kept. Two such funnels of one owner with
        the same name both stay (the second keeps no key): nothing saved is lost."""
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT id, name FROM funnels WHERE name_key IS NULL").fetchall()
            for funnel_id, name in rows:
                with suppress(sqlite3.IntegrityError):
                    conn.execute("UPDATE funnels SET name_key = ? WHERE id = ?",
                                 (name_key(name), funnel_id))

    def prune(self, now: datetime) -> int:
        """Forget visits last moved before the raw-event retention: no event that could still
        move them is accepted any more (imports refuse older events), and the day counters
        keep what they counted. Run by the housekeeping with the event store's own pruning."""
        cutoff = _micros(now - self._retention)
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM funnel_visits WHERE cursor_ts < ?",
                                (cutoff,)).rowcount

    # ---- counting ----------------------------------------------------------------------------

    def ingest(self, events: Sequence[Event]) -> None:
        saved = self.list()
        self._count(StepIndex([*DEFAULT_FUNNELS, *saved], ITEM_FUNNELS), events,
                    {funnel.id for funnel in saved})

    def backfill(self, funnel: Funnel, events: Iterable[Event]) -> None:
        index = StepIndex([funnel])
        iterator = iter(events)
        while chunk := list(islice(iterator, _BACKFILL_CHUNK)):
            self._count(index, chunk, {funnel.id})

    def _count(self, index: StepIndex, events: Sequence[Event], saved: set[str]) -> None:
        """Move and count the visits ``events`` advance. ``saved``: the ids of the saved
        funnels in ``index``, read before the transaction; one deleted since gets nothing."""
        candidates = index.candidates(events)
        if not candidates:
            return
        with self._db.transaction() as conn:
            stored = _load_visits(conn, sessions_of(candidates))
            gone = saved - _still_saved(conn, saved)
            changed = {key: after for key, after in move_visits(candidates, stored).items()
                       if key[0] not in gone}
            if not changed:
                return
            rows: list[tuple[Any, ...]] = []
            counts: Counter[tuple[str, str, int, int]] = Counter()
            days: dict[int, str] = {}  # local day by quarter hour of step 1 (see _QUARTER)
            for key, after in changed.items():
                funnel_id, session_id, sample = key
                started = _micros(after.started)
                ts, event_id = after.cursor
                rows.append((session_id, funnel_id, int(sample), after.reached, started,
                             started if ts is after.started else _micros(ts), event_id))
                day = days.get(started // _QUARTER)
                if day is None:
                    day = days[started // _QUARTER] = local_day(after, self._tz).isoformat()
                for step in newly_reached(stored.get(key), after):
                    counts[funnel_id, day, step, int(sample)] += 1
            conn.executemany(_UPSERT_VISIT, rows)
            conn.executemany(_ADD_COUNT, [(*key, n) for key, n in counts.items()])

    def remove_samples(self) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM funnel_counts WHERE sample = 1")
            conn.execute("DELETE FROM funnel_visits WHERE sample = 1")

    def counts(self, funnel_id: str, steps: int, start: date, end: date) -> list[int]:
        found = [0] * steps
        with self._db.read() as conn:
            for step, total in conn.execute(
                "SELECT step, sum(count) FROM funnel_counts WHERE funnel_id = ?"
                " AND day BETWEEN ? AND ? GROUP BY step",
                (funnel_id, start.isoformat(), end.isoformat()),
            ):
                if 0 <= step < steps:
                    found[step] = int(total)
        return found

    # ---- definitions -------------------------------------------------------------------------

    def save(self, funnel: Funnel) -> None:
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT INTO funnels (id, owner, name, steps, window_minutes, created_at,"
                    " counted_from, backfilled, name_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*_funnel_row(funnel), name_key(funnel.name)))
        except sqlite3.IntegrityError as exc:
            if "name_key" in str(exc):  # the unique index of (owner, name key)
                raise ConflictError("funnels.err_duplicate_name", name=funnel.name) from exc
            raise ConflictError("errors.conflict", id=funnel.id) from exc

    def claim_backfill(self, funnel_id: str, now: datetime, until: datetime) -> bool:
        with self._db.transaction() as conn:
            return conn.execute(
                "UPDATE funnels SET backfill_claim = ? WHERE id = ? AND backfilled = 0"
                " AND (backfill_claim IS NULL OR backfill_claim < ?)",
                (to_db_time(until), funnel_id, to_db_time(now))).rowcount == 1

    def release_backfill(self, funnel_id: str, until: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE funnels SET backfill_claim = NULL"
                         " WHERE id = ? AND backfill_claim = ?", (funnel_id, to_db_time(until)))

    def finish_backfill(self, funnel_id: str, counted_from: date) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE funnels SET backfilled = 1, counted_from = ?,"
                         " backfill_claim = NULL WHERE id = ?",
                         (counted_from.isoformat(), funnel_id))

    def get(self, funnel_id: str) -> Funnel:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM funnels WHERE id = ?", (funnel_id,)).fetchone()
        if row is None:
            raise NotFound("errors.not_found", id=funnel_id)
        return _funnel(row)

    def list(self, owner: str | None = None) -> list[Funnel]:
        query, args = "SELECT * FROM funnels", tuple[str, ...]()
        if owner is not None:
            query, args = query + " WHERE owner = ?", (owner,)
        with self._db.read() as conn:
            rows = conn.execute(query + " ORDER BY created_at, id", args).fetchall()
        return [_funnel(row) for row in rows]

    def delete(self, funnel_id: str) -> None:
        """The definition, its visits and its counters, in one transaction."""
        with self._db.transaction() as conn:
            if not conn.execute("DELETE FROM funnels WHERE id = ?", (funnel_id,)).rowcount:
                raise NotFound("errors.not_found", id=funnel_id)
            conn.execute("DELETE FROM funnel_counts WHERE funnel_id = ?", (funnel_id,))
            conn.execute("DELETE FROM funnel_visits WHERE funnel_id = ?", (funnel_id,))


def _still_saved(conn: sqlite3.Connection, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    rows = conn.execute("SELECT id FROM funnels WHERE id IN (SELECT value FROM json_each(?))",
                        (json.dumps(sorted(ids)),))
    return {row[0] for row in rows}


def _load_visits(conn: sqlite3.Connection, sessions: set[str]) -> dict[FunnelVisit, Progress]:
    """Every funnel's progress of these sessions (a session's few extra rows cost less than
    building the exact keys)."""
    found: dict[FunnelVisit, Progress] = {}
    for row in conn.execute(
        "SELECT * FROM funnel_visits WHERE session_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(sessions)),),
    ):
        key = (row["funnel_id"], row["session_id"], bool(row["sample"]))
        found[key] = Progress(row["reached"], _time(row["started"]),
                              (_time(row["cursor_ts"]), row["cursor_id"]))
    return found


# A visit's times as microseconds since the epoch: formatting ISO text for every moved visit
# cost a quarter of the funnels' ingest time. (Floats of today's timestamps resolve 0.24 us,
# so rounding recovers the exact microsecond.)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Every time zone's offset is a whole number of quarter hours, so a local day never changes
# inside a quarter hour of UTC: ingest works a visit's day out once per quarter hour.
_QUARTER = 15 * 60 * 1_000_000


def _micros(ts: datetime) -> int:
    return round(ts.timestamp() * 1_000_000)


def _time(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _funnel_row(funnel: Funnel) -> tuple[Any, ...]:
    assert funnel.owner is not None and funnel.created_at is not None
    return (funnel.id, funnel.owner, funnel.name, steps_to_json(funnel.steps),
            funnel.window_minutes, to_db_time(funnel.created_at),
            funnel.counted_from.isoformat() if funnel.counted_from else None,
            int(funnel.backfilled))


def _funnel(row: sqlite3.Row) -> Funnel:
    counted = row["counted_from"]
    return Funnel(row["id"], row["name"], steps_from_json(row["steps"]), row["window_minutes"],
                  owner=row["owner"], created_at=from_db_time(row["created_at"]),
                  counted_from=date.fromisoformat(counted) if counted else None,
                  backfilled=bool(row["backfilled"]))

