"""Rollup rows of whole local days, kept in memory until their day changes (local mode).

A 90-day dashboard reads tens of thousands of per-day rollup rows, and turning SQLite rows
into ``RollupRow`` objects costs a few microseconds each: read every time, that is most of a
dashboard's time, and it grows with the number of distinct values per day. But a day's rows
only change when events of that day are appended, and every append bumps that day's *epoch*
(``rollup_epochs``) in the same transaction. So a read fetches the epochs of the asked days
(one small query), re-reads only the days whose epoch moved (today, in a live app) and serves
the others from memory. Epochs live in the database, so writes by other processes (the seed
script, a second app process) invalidate the cache just as well as our own.

A read of some values only (one item's rows, one segment's: ``values`` / ``prefix``) must not
cost every value's rows of the day, which grow with the traffic (search terms per item, items
per segment and hour). So each cached slice gets, on first such read, an index by the value's
*head*: the value up to and including its first ``|`` (the per-item and per-segment values are
"<item>|<term>", "<segment>|<item>"), or the whole value when it has none. An exact value, or a
prefix that ends at its first ``|``, is then one dictionary lookup per day and slice; a prefix
without ``|`` looks at the heads (dozens), not at the rows (thousands).

A day never cached is read whole; a cached day whose epoch moved (today, in a live app) reads
again only the slices the current read needs, so a tracker flush does not make the next view
re-read every other view's rows of a busy day.

The insights' source and device drivers read the per-item segment rows summed over their
items (``rows(..., fold=)``); each cached day keeps those sums too.

Period sums (``totals``) are memoised per slice with the (day, epoch) pairs they were summed
at, as the whole period and as its "closed" part (without its last day with rows): a warm read
after new events of today re-sums today only, and costs the number of values, not days x
values. A late event for an earlier day moves that day's epoch, so exactly the sums that hold
it are summed again (once). Day sums (``day_totals``) are kept per cached day.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from services.domain.analytics import (
    ITEM_VALUE_SEP,
    WHOLE_DAY,
    DayTotals,
    Dim,
    EventType,
    PeriodTotals,
    RollupKey,
    RollupRow,
)
from services.domain.rollups import fold_item_segments

SliceKey = tuple[bool, EventType, Dim]  # (hourly?, type, dim)
Slices = dict[SliceKey, list[RollupRow]]  # that day's rows of each
# Enum lookups by value, a dict read instead of ``EventType(text)`` (a few microseconds each,
# half of reading a cold day's rows).
_TYPES = {type_.value: type_ for type_ in EventType}
_DIMS = {dim.value: dim for dim in Dim}
_SEP = ITEM_VALUE_SEP  # also what a segment and its item are joined with


def value_head(value: str) -> str:
    """The value up to and including its first "|", or all of it (the index key)."""
    cut = value.find(_SEP)
    return value if cut < 0 else value[: cut + 1]


@dataclass(frozen=True)
class _Day:
    day: date
    epoch: int
    slices: Slices
    loaded: frozenset[SliceKey] | None = None  # the slices read (None: all of them)
    # Built on demand and never changed after (a day's rows are immutable once cached); two
    # threads building the same index (or sum) at once build the same thing.
    heads: dict[SliceKey, dict[str, list[RollupRow]]] = field(default_factory=dict)
    totals: dict[tuple[SliceKey, frozenset[str] | None, str | None], int] = field(
        default_factory=dict)
    folded: dict[SliceKey, list[RollupRow]] = field(default_factory=dict)
    by_hour: dict[SliceKey, dict[int, list[RollupRow]]] = field(default_factory=dict)

    def at_hour(self, key: SliceKey, hour: int) -> list[RollupRow]:
        """This day's rows of one hourly slice at one local hour (an index kept)."""
        index = self.by_hour.get(key)
        if index is None:
            grouped: defaultdict[int, list[RollupRow]] = defaultdict(list)
            for row in self.slices.get(key, ()):
                grouped[row.key.hour].append(row)
            index = self.by_hour[key] = dict(grouped)
        return index.get(hour, [])

    def segments(self, key: SliceKey) -> list[RollupRow]:
        """This day's per-item segment rows of one slice summed over the items, kept."""
        found = self.folded.get(key)
        if found is None:
            found = self.folded[key] = fold_item_segments(self.slices.get(key, ()))
        return found

    def total(self, key: SliceKey, values: frozenset[str] | None, prefix: str | None) -> int:
        """The sum of ``select``'s rows, kept."""
        memo = (key, values, prefix)
        found = self.totals.get(memo)
        if found is None:
            found = self.totals[memo] = sum(row.count for row in self.select(key, values, prefix))
        return found

    def select(self, key: SliceKey, values: Collection[str] | None,
               prefix: str | None) -> list[RollupRow]:
        """This day's rows of one slice whose value is one of ``values`` (if given) and starts
        with ``prefix`` (if given)."""
        rows = self.slices.get(key)
        if not rows:
            return []
        if values is not None:
            heads = self._heads(key, rows)
            picked = [row for value in dict.fromkeys(values)
                      for row in heads.get(value_head(value), ()) if row.key.value == value]
            return picked if prefix is None else [
                row for row in picked if row.key.value.startswith(prefix)]
        if prefix is None:
            return rows
        heads = self._heads(key, rows)
        if _SEP not in prefix:
            # A value starts with such a prefix exactly when its head does: scan the heads
            # (a few dozen segments or items), not the rows.
            return [row for head, found in heads.items() if head.startswith(prefix)
                    for row in found]
        head = value_head(prefix)
        found = heads.get(head, [])
        return found if head == prefix else [
            row for row in found if row.key.value.startswith(prefix)]

    def _heads(self, key: SliceKey, rows: list[RollupRow]) -> dict[str, list[RollupRow]]:
        index = self.heads.get(key)
        if index is None:
            grouped: defaultdict[str, list[RollupRow]] = defaultdict(list)
            for row in rows:
                grouped[value_head(row.key.value)].append(row)
            index = self.heads[key] = dict(grouped)
        return index


class RollupDayCache:
    """Thread-safe; bounded to ``max_days`` days (least recently used go first)."""

    def __init__(self, max_days: int = 800) -> None:
        self._max_days = max_days
        self._days: OrderedDict[str, _Day] = OrderedDict()
        self._lock = threading.Lock()
        self._sums = _PeriodSums()

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
        ``_Day.select``; or, hourly, of one ``hour``), and the rows of the ``fold`` dims
        summed over their items (each day keeps those sums); ``conn`` must be in a read
        transaction, so that epochs and rows come from one snapshot."""
        wanted = [(hourly, t, d) for t in types for d in dims]
        folded = [(False, t, d) for t in types for d in fold]
        days = self._current(conn, _epochs(conn, start, end), wanted + folded)
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
        (see ``_PeriodSums``)."""
        epochs = _epochs(conn, start, end)
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
        days = self._current(conn, _epochs(conn, start, end),
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
                 wanted: list[SliceKey]) -> list[_Day]:
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
        fresh = _read_days(conn, dict(epochs), cold) if cold else {}
        for day, epoch in partial:
            fresh[day] = _read_slices(conn, cached[day], day, epoch, need)  # type: ignore[arg-type]
        with self._lock:
            for day, entry in fresh.items():
                self._days[day] = entry
            for day, _ in epochs:
                if day in self._days:
                    self._days.move_to_end(day)
            while len(self._days) > self._max_days:
                self._days.popitem(last=False)
        return [fresh.get(day) or cached[day] for day, _ in epochs]  # type: ignore[misc]


def _epochs(conn: sqlite3.Connection, start: date, end: date) -> list[tuple[str, int]]:
    """(day, epoch) of the days start..end that have rows, oldest first."""
    found = conn.execute(
        "SELECT day, epoch FROM rollup_epochs WHERE day BETWEEN ? AND ? ORDER BY day",
        (start.isoformat(), end.isoformat()),
    ).fetchall()
    return [(str(day), int(epoch)) for day, epoch in found]


SumKey = tuple[date, date, EventType, Dim, frozenset[str] | None, str | None]
Sums = dict[str, int]
Stamp = tuple[tuple[str, int], ...]  # (day, epoch) of the days summed


class _PeriodSums:
    """Memoised per-slice sums over a period's days, each stored with the epochs it was
    summed at. Two entries per key: the whole period, and the period without its last day
    with rows (its "closed" part). In a live app only the last day (today) changes, so a
    read after new events re-sums that one day and adds it to the closed part: O(values).
    A late event for an earlier day changes that day's epoch, which no longer matches the
    closed part's, so that part is summed again once (and only reads over that day are)."""

    def __init__(self, max_entries: int = 2048) -> None:
        self._max = max_entries
        self._memo: OrderedDict[tuple[SumKey, bool], tuple[Stamp, Sums]] = (
            OrderedDict())
        self._lock = threading.Lock()

    def get(self, key: SumKey, stamp: Stamp, days: list[_Day], slice_: SliceKey,
            values: frozenset[str] | None, prefix: str | None) -> Sums:
        whole = self._find((key, True), stamp)
        if whole is not None:
            return whole
        if not days:
            return {}
        closed = self._find((key, False), stamp[:-1])
        if closed is None:
            closed = _sum_days(days[:-1], slice_, values, prefix)
            self._keep((key, False), stamp[:-1], closed)
        whole = _sum_days([days[-1]], slice_, values, prefix, start=closed)
        self._keep((key, True), stamp, whole)
        return whole

    def _find(self, key: tuple[SumKey, bool], stamp: Stamp) -> Sums | None:
        with self._lock:
            entry = self._memo.get(key)
            if entry is None or entry[0] != stamp:
                return None
            self._memo.move_to_end(key)
            return entry[1]

    def _keep(self, key: tuple[SumKey, bool], stamp: Stamp, sums: Sums) -> None:
        with self._lock:
            self._memo[key] = (stamp, sums)
            self._memo.move_to_end(key)
            while len(self._memo) > self._max:
                self._memo.popitem(last=False)


def _sum_days(days: list[_Day], slice_: SliceKey, values: frozenset[str] | None,
              prefix: str | None, start: Sums | None = None) -> Sums:
    """``start`` (not modified) plus the days' rows of one slice, by value."""
    sums = dict(start) if start else {}
    get = sums.get
    for day in days:
        for row in day.select(slice_, values, prefix):
            value = row.key.value
            sums[value] = get(value, 0) + row.count
    return sums


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
            key = RollupKey(dates[day_text], hour, _TYPES[type_], _DIMS[dim], value)
            slices[day_text][hour != WHOLE_DAY, key.type, key.dim].append(RollupRow(key, count))
    return {day: _Day(dates[day], epochs[day], dict(slices[day])) for day in days}


def _read_slices(conn: sqlite3.Connection, cached: _Day, day: str, epoch: int,
                 need: frozenset[SliceKey]) -> _Day:
    """The day at ``epoch`` with the ``need`` slices read (keeping the cached ones when the
    epoch did not move, since a day's rows at one epoch never change)."""
    same = cached.epoch == epoch
    have = (cached.loaded or frozenset()) if same else frozenset()
    missing = need - have
    types = sorted({t for _, t, _ in missing})
    dims = sorted({d for _, _, d in missing})
    slices: defaultdict[SliceKey, list[RollupRow]] = defaultdict(list)
    when = cached.day
    cursor = conn.cursor()
    cursor.row_factory = None
    for hour, type_, dim, value, count in cursor.execute(
        "SELECT hour, type, dim, value, count FROM rollups WHERE day = ?"
        " AND type IN (SELECT value FROM json_each(?))"
        " AND dim IN (SELECT value FROM json_each(?))",
        (day, json.dumps(types), json.dumps(dims)),
    ):
        slice_ = (hour != WHOLE_DAY, _TYPES[type_], _DIMS[dim])
        if slice_ in missing:
            slices[slice_].append(
                RollupRow(RollupKey(when, hour, slice_[1], slice_[2], value), count))
    kept = {key: rows for key, rows in cached.slices.items() if key in have} if same else {}
    return _Day(when, epoch, {**kept, **slices}, have | missing)


def _runs(days: list[str]) -> list[tuple[str, str]]:
    """Sorted ISO days grouped into runs of consecutive days, as (first, last) pairs."""
    runs: list[tuple[str, str]] = []
    for day in days:
        if runs and (date.fromisoformat(day) - date.fromisoformat(runs[-1][1])).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
