"""Rollup rows of whole local days, kept in memory until their day changes (local mode).

A 90-day dashboard reads tens of thousands of per-day rollup rows, and turning SQLite rows
into ``RollupRow`` objects costs a few microseconds each: read every time, that is most of a
dashboard's time, and it grows with the number of distinct values per day. But a day's rows
only change when events of that day are appended, and every append bumps that day's *epoch*
(``rollup_epochs``) in the same transaction. So a read fetches the epochs of the asked days
(one small query), re-reads only the days whose epoch moved (today, in a live app) and serves
the others from memory. Epochs live in the database, so writes by other processes (the seed
script, a second app process) invalidate the cache just as well as our own.

A day never cached is read whole; a cached day whose epoch moved (today, in a live app) reads
again only the slices the current read needs, so a tracker flush does not make the next view
re-read every other view's rows of a busy day.

A day's rows and their indexes are ``rollup_day.py``; the memoised period sums
``rollup_sums.py``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Collection
from datetime import date

from services.adapters.sqlite.rollup_day import (
    CachedDay,
    SliceKey,
    day_epochs,
    read_days,
    read_slices,
)
from services.adapters.sqlite.rollup_sums import PeriodSums
from services.domain.analytics import DayTotals, Dim, EventType, PeriodTotals, RollupRow
from services.domain.rollups import fold_item_segments


class RollupDayCache:
    """Thread-safe; bounded to ``max_days`` days (least recently used go first)."""

    def __init__(self, max_days: int = 800) -> None:
        self._max_days = max_days
        self._days: OrderedDict[str, CachedDay] = OrderedDict()
        self._lock = threading.Lock()
        self._sums = PeriodSums()

    def rows(
        self,
        conn: sqlite3.Connection,
        start: date,
        end: date,
        types: Collection[EventType],
        dims: Collection[Dim],
        hourly: bool,
        values: Collection[str] | None = None,
        prefix: str | None = None,
        fold: Collection[Dim] = (),
        hour: int | None = None,
    ) -> list[RollupRow]:
        """Rows of days start..end for these types and dims (and values, see
        ``CachedDay.select``; or, hourly, of one ``hour``), and the rows of the ``fold`` dims
        summed over their items (each day keeps those sums); ``conn`` must be in a read
        transaction, so that epochs and rows come from one snapshot."""
        wanted = [(hourly, t, d) for t in types for d in dims]
        folded = [(False, t, d) for t in types for d in fold]
        days = self._current(conn, day_epochs(conn, start, end), wanted + folded)
        if hour is not None:
            return [row for day in days for key in wanted for row in day.at_hour(key, hour)]
        found: list[RollupRow] = []
        if values is not None or prefix is not None:
            for day in days:
                for key in wanted:
                    found.extend(day.select(key, values, prefix))
                for key in folded:
                    found.extend(fold_item_segments(day.select(key, values, prefix)))
            return found
        for day in days:
            slices = day.slices
            for key in wanted:
                rows = slices.get(key)
                if rows:
                    found.extend(rows)
            for key in folded:
                found.extend(day.segments(key))
        return found

    def totals(
        self,
        conn: sqlite3.Connection,
        start: date,
        end: date,
        types: Collection[EventType],
        dims: Collection[Dim],
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> PeriodTotals:
        """Day-level rows of days start..end summed by (type, dim) and value; same snapshot
        rule as ``rows``. Each slice's sum is memoised with the epochs of the days it holds
        (see ``PeriodSums``)."""
        epochs = day_epochs(conn, start, end)
        days = self._current(conn, epochs, [(False, t, d) for t in types for d in dims])
        stamp = tuple(epochs)
        chosen = None if values is None else frozenset(values)
        found: PeriodTotals = {}
        for type_ in types:
            for dim in dims:
                key = (start, end, type_, dim, chosen, prefix)
                summed = self._sums.get(key, stamp, days, (False, type_, dim), chosen, prefix)
                if summed:
                    found[type_, dim] = dict(summed)  # the caller's copy
        return found

    def day_totals(
        self,
        conn: sqlite3.Connection,
        start: date,
        end: date,
        types: Collection[EventType],
        dims: Collection[Dim],
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> DayTotals:
        """Day-level rows of days start..end summed over their values, by (type, dim) and
        day; each day keeps its sums (a day's rows never change once cached)."""
        days = self._current(conn, day_epochs(conn, start, end),
                             [(False, t, d) for t in types for d in dims])
        chosen = None if values is None else frozenset(values)
        found: DayTotals = {}
        for type_ in types:
            for dim in dims:
                slice_ = (False, type_, dim)
                by_day = {day.day: total for day in days
                          if (total := day.total(slice_, chosen, prefix))}
                if by_day:
                    found[type_, dim] = by_day
        return found

    def _current(self, conn: sqlite3.Connection, epochs: list[tuple[str, int]],
                 wanted: list[SliceKey]) -> list[CachedDay]:
        """The days at these epochs with at least the ``wanted`` slices. A day never cached is
        read whole (one range scan per run of days); a cached day whose epoch moved (today,
        in a live app) or that lacks some of them reads only the wanted slices: the other
        views' slices of a busy day are not re-read after every tracker flush."""
        need = frozenset(wanted)
        with self._lock:
            cached = {day: self._days.get(day) for day, _ in epochs}
        cold = [day for day, _ in epochs if cached[day] is None]
        partial = [(day, epoch) for day, epoch in epochs
                   if (entry := cached[day]) is not None
                   and (entry.epoch != epoch
                        or (entry.loaded is not None and not need <= entry.loaded))]
        fresh = read_days(conn, dict(epochs), cold) if cold else {}
        for day, epoch in partial:
            fresh[day] = read_slices(conn, cached[day], day, epoch, need)  # type: ignore[arg-type]
        with self._lock:
            for day, entry in fresh.items():
                self._days[day] = entry
            for day, _ in epochs:
                if day in self._days:
                    self._days.move_to_end(day)
            while len(self._days) > self._max_days:
                self._days.popitem(last=False)
        return [fresh.get(day) or cached[day] for day, _ in epochs]  # type: ignore[misc]
