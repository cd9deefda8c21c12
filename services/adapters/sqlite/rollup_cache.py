"""Rollup rows of whole local days, kept in memory until their day changes (local mode).

A 90-day dashboard reads tens of thousands of per-day rollup rows, and turning SQLite rows
into ``RollupRow`` objects costs a few microseconds each: read every time, that is most of a
dashboard's time, and it grows with the number of distinct values per day. But a day's rows
only change when events of that day are appended, and every append bumps that day's *epoch*
(``rollup_epochs``) in the same transaction. So a read fetches the epochs of the asked days
(one small query), re-reads only the days whose epoch moved (today, in a live app) and serves
the others from memory. Epochs live in the database, so writes by other processes (the seed
script, a second app process) invalidate the cache just as well as our own.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from services.domain.analytics import WHOLE_DAY, Dim, EventType, RollupKey, RollupRow

# (hourly?, type, dim) -> that day's rows of it
Slices = dict[tuple[bool, EventType, Dim], list[RollupRow]]


@dataclass(frozen=True)
class _Day:
    epoch: int
    slices: Slices


class RollupDayCache:
    """Thread-safe; bounded to ``max_days`` days (least recently used go first)."""

    def __init__(self, max_days: int = 800) -> None:
        self._max_days = max_days
        self._days: OrderedDict[str, _Day] = OrderedDict()
        self._lock = threading.Lock()

    def rows(
        self,
        conn: sqlite3.Connection,
        start: date,
        end: date,
        types: Collection[EventType],
        dims: Collection[Dim],
        hourly: bool,
    ) -> list[RollupRow]:
        """Rows of days start..end for these types and dims; ``conn`` must be in a read
        transaction, so that epochs and rows come from one snapshot."""
        low, high = start.isoformat(), end.isoformat()
        epochs = conn.execute(
            "SELECT day, epoch FROM rollup_epochs WHERE day BETWEEN ? AND ? ORDER BY day",
            (low, high),
        ).fetchall()
        days = self._current(conn, [(str(day), int(epoch)) for day, epoch in epochs])
        wanted = [(hourly, t, d) for t in types for d in dims]
        found: list[RollupRow] = []
        for day in days:
            slices = day.slices
            for key in wanted:
                rows = slices.get(key)
                if rows:
                    found.extend(rows)
        return found

    def _current(self, conn: sqlite3.Connection, epochs: list[tuple[str, int]]) -> list[_Day]:
        with self._lock:
            cached = {day: self._days.get(day) for day, _ in epochs}
        stale = [day for day, epoch in epochs
                 if cached[day] is None or cached[day].epoch != epoch]  # type: ignore[union-attr]
        fresh = _read_days(conn, dict(epochs), stale) if stale else {}
        with self._lock:
            for day, entry in fresh.items():
                self._days[day] = entry
            for day, _ in epochs:
                if day in self._days:
                    self._days.move_to_end(day)
            while len(self._days) > self._max_days:
                self._days.popitem(last=False)
        return [fresh.get(day) or cached[day] for day, _ in epochs]  # type: ignore[misc]


def _read_days(conn: sqlite3.Connection, epochs: dict[str, int], days: list[str]) -> dict[
    str, _Day
]:
    """Every rollup row of these days, sliced by (hourly, type, dim)."""
    slices: dict[str, Slices] = {day: defaultdict(list) for day in days}
    dates = {day: date.fromisoformat(day) for day in days}
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: about twice as fast as sqlite3.Row here
    # Contiguous runs of days become one range scan each (the key starts with the day).
    for first, last in _runs(days):
        for day_text, hour, type_, dim, value, count in cursor.execute(
            "SELECT day, hour, type, dim, value, count FROM rollups WHERE day BETWEEN ? AND ?",
            (first, last),
        ):
            if day_text not in slices:
                continue  # a day inside the run that did not need reading
            key = RollupKey(dates[day_text], hour, EventType(type_), Dim(dim), value)
            slices[day_text][hour != WHOLE_DAY, key.type, key.dim].append(RollupRow(key, count))
    return {day: _Day(epochs[day], dict(slices[day])) for day in days}


def _runs(days: list[str]) -> list[tuple[str, str]]:
    """Sorted ISO days grouped into runs of consecutive days, as (first, last) pairs."""
    runs: list[tuple[str, str]] = []
    for day in days:
        if runs and (date.fromisoformat(day) - date.fromisoformat(runs[-1][1])).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
