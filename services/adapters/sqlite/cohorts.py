"""CohortStore on SQLite (local mode): returning signed-in users, counted at ingest.

Per user: the first local day (``cohort_users``) and the active weeks and days
(``cohort_user_weeks``, ``cohort_user_days``); counters: users of a cohort week active ``weeks``
weeks later (``cohort_cells``) and new / returning users per day (``cohort_days``). One
transaction per batch: for each user of the batch the stored facts are read inside the write
lock, ``domain.cohorts.record`` says what the days not stored yet change, and facts and counters
are written together, so a re-delivered batch finds its days stored and changes nothing.

Sample events (demo traffic) are counted apart: every row has ``sample`` (0 or 1) in its key, a
sample user's facts and counters are their own, reads add both, and ``remove_samples`` deletes
the ``sample = 1`` rows, leaving exactly what the other events counted.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, tzinfo

from services.adapters.sqlite.db import Migration, SqliteDatabase
from services.domain.analytics import Event
from services.domain.cohorts import (
    CohortCell,
    DayKind,
    DayUsers,
    record,
    user_days,
    weeks_to_read,
)

_COHORTS: tuple[Migration, ...] = (
    (
        """CREATE TABLE cohort_users (
            user_id TEXT NOT NULL,
            sample INTEGER NOT NULL,
            first_day TEXT NOT NULL,
            PRIMARY KEY (user_id, sample)
        ) WITHOUT ROWID""",
        """CREATE TABLE cohort_user_weeks (
            user_id TEXT NOT NULL,
            sample INTEGER NOT NULL,
            week TEXT NOT NULL,
            PRIMARY KEY (user_id, sample, week)
        ) WITHOUT ROWID""",
        """CREATE TABLE cohort_user_days (
            user_id TEXT NOT NULL,
            sample INTEGER NOT NULL,
            day TEXT NOT NULL,
            PRIMARY KEY (user_id, sample, day)
        ) WITHOUT ROWID""",
        """CREATE TABLE cohort_cells (
            cohort TEXT NOT NULL,
            weeks INTEGER NOT NULL,
            sample INTEGER NOT NULL,
            users INTEGER NOT NULL,
            PRIMARY KEY (cohort, weeks, sample)
        ) WITHOUT ROWID""",
        """CREATE TABLE cohort_days (
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            sample INTEGER NOT NULL,
            users INTEGER NOT NULL,
            PRIMARY KEY (day, kind, sample)
        ) WITHOUT ROWID""",
    ),
)

SCHEMA: dict[str, Sequence[Migration]] = {"cohorts": _COHORTS}

_USER_TABLES = ("cohort_users", "cohort_user_weeks", "cohort_user_days")
_COUNTER_TABLES = ("cohort_cells", "cohort_days")
_UPSERT_CELL = (
    "INSERT INTO cohort_cells (cohort, weeks, sample, users) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (cohort, weeks, sample) DO UPDATE SET users = users + excluded.users"
)
_UPSERT_DAY = (
    "INSERT INTO cohort_days (day, kind, sample, users) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (day, kind, sample) DO UPDATE SET users = users + excluded.users"
)
_UPSERT_USER = (
    "INSERT INTO cohort_users (user_id, sample, first_day) VALUES (?, ?, ?)"
    " ON CONFLICT (user_id, sample) DO UPDATE SET first_day = excluded.first_day"
)

class SqliteCohortStore:
    """Implements ``services.ports.CohortStore``; brings its own tables (idempotent)."""

    def __init__(self, db: SqliteDatabase, tz: tzinfo) -> None:
        self._db = db
        self._tz = tz
        db.migrate(extra=SCHEMA)

    def ingest(self, events: Sequence[Event]) -> None:
        active = user_days(events, self._tz)
        if not active:
            return
        with self._db.transaction() as conn:
            for (user_id, sample), days in active.items():
                _apply(conn, user_id, int(sample), days)

    def remove_samples(self) -> None:
        with self._db.transaction() as conn:
            for table in (*_USER_TABLES, *_COUNTER_TABLES):
                conn.execute(f"DELETE FROM {table} WHERE sample = 1")  # noqa: S608 - constants

    def forget_user(self, user_id: str) -> None:
        with self._db.transaction() as conn:
            for table in _USER_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE user_id = ?",  # noqa: S608 - constants
                             (user_id,))

    def cohort_cells(self, first_week: date, last_week: date) -> list[CohortCell]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT cohort, weeks, sum(users) FROM cohort_cells"
                " WHERE cohort BETWEEN ? AND ? GROUP BY cohort, weeks",
                (first_week.isoformat(), last_week.isoformat()),
            ).fetchall()
        return [CohortCell(date.fromisoformat(r[0]), int(r[1]), int(r[2])) for r in rows]

    def new_returning(self, start: date, end: date) -> list[DayUsers]:
        counts: defaultdict[date, dict[str, int]] = defaultdict(dict)
        with self._db.read() as conn:
            for day, kind, users in conn.execute(
                "SELECT day, kind, sum(users) FROM cohort_days"
                " WHERE day BETWEEN ? AND ? GROUP BY day, kind",
                (start.isoformat(), end.isoformat()),
            ):
                counts[date.fromisoformat(day)][kind] = int(users)
        return [DayUsers(day, found.get(DayKind.NEW, 0), found.get(DayKind.RETURNING, 0))
                for day, found in sorted(counts.items())]


def _apply(conn: sqlite3.Connection, user_id: str, sample: int, days: set[date]) -> None:
    """One user's active days of a batch: only the days not stored yet count."""
    key = (user_id, sample)
    row = conn.execute("SELECT first_day FROM cohort_users WHERE user_id = ? AND sample = ?",
                       key).fetchone()
    first = date.fromisoformat(row[0]) if row else None
    stored_days = {r[0] for r in conn.execute(
        "SELECT day FROM cohort_user_days WHERE user_id = ? AND sample = ?"
        " AND day BETWEEN ? AND ?", (*key, min(days).isoformat(), max(days).isoformat()))}
    new_days = {day for day in days if day.isoformat() not in stored_days}
    if not new_days:
        return
    low, high = weeks_to_read(first, new_days)
    stored_weeks = [date.fromisoformat(r[0]) for r in conn.execute(
        "SELECT week FROM cohort_user_weeks WHERE user_id = ? AND sample = ?"
        " AND week BETWEEN ? AND ?", (*key, low.isoformat(), high.isoformat()))]
    change = record(first, new_days, stored_weeks)
    assert change.first is not None  # new days give every user a first day
    conn.execute(_UPSERT_USER, (*key, change.first.isoformat()))
    conn.executemany("INSERT INTO cohort_user_days (user_id, sample, day) VALUES (?, ?, ?)",
                     [(*key, day.isoformat()) for day in change.days])
    conn.executemany("INSERT INTO cohort_user_weeks (user_id, sample, week) VALUES (?, ?, ?)",
                     [(*key, week.isoformat()) for week in change.weeks])
    conn.executemany(_UPSERT_CELL, [(cohort.isoformat(), k, sample, n)
                                    for (cohort, k), n in change.cohort_deltas.items()])
    conn.executemany(_UPSERT_DAY, [(day.isoformat(), str(kind), sample, n)
                                   for (day, kind), n in change.day_deltas.items()])
