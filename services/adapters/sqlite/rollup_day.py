"""One local day of rollup rows as the cache keeps it (local mode): its rows by slice
(hourly or not, type, dimension), read from SQLite at one epoch, and the indexes built on them.

A read of some values only (one item's rows, one segment's: ``values`` / ``prefix``) must not
cost every value's rows of the day, which grow with the traffic (search terms per item, items
per segment and hour). So each cached slice gets, on first such read, an index by the value's
*head*: the value up to and including its first ``|`` (the per-item and per-segment values are
"<item>|<term>", "<segment>|<item>"), or the whole value when it has none. An exact value, or a
prefix that ends at its first ``|``, is then one dictionary lookup per day and slice; a prefix
without ``|`` looks at the heads (dozens), not at the rows (thousands).

The insights' source and device drivers read the per-item segment rows summed over their
items (``rows(..., fold=)``); each cached day keeps those sums too.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from services.domain.analytics import (
    ITEM_VALUE_SEP,
    WHOLE_DAY,
    Dim,
    EventType,
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
class CachedDay:
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


# What every write that changes a day's rows runs for that day, in its transaction.
BUMP_EPOCH = (
    "INSERT INTO rollup_epochs (day, epoch) VALUES (?, 1)"
    " ON CONFLICT (day) DO UPDATE SET epoch = epoch + 1"
)


def day_epochs(conn: sqlite3.Connection, start: date, end: date) -> list[tuple[str, int]]:
    """(day, epoch) of the days start..end that have rows, oldest first."""
    found = conn.execute(
        "SELECT day, epoch FROM rollup_epochs WHERE day BETWEEN ? AND ? ORDER BY day",
        (start.isoformat(), end.isoformat()),
    ).fetchall()
    return [(str(day), int(epoch)) for day, epoch in found]


def read_days(conn: sqlite3.Connection, epochs: dict[str, int], days: list[str]) -> dict[
    str, CachedDay
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
    return {day: CachedDay(dates[day], epochs[day], dict(slices[day])) for day in days}


def read_slices(conn: sqlite3.Connection, cached: CachedDay, day: str, epoch: int,
                 need: frozenset[SliceKey]) -> CachedDay:
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
    return CachedDay(when, epoch, {**kept, **slices}, have | missing)


def _runs(days: list[str]) -> list[tuple[str, str]]:
    """Sorted ISO days grouped into runs of consecutive days, as (first, last) pairs."""
    runs: list[tuple[str, str]] = []
    for day in days:
        if runs and (date.fromisoformat(day) - date.fromisoformat(runs[-1][1])).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
