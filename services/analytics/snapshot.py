"""One read of the event store, answered from memory: a view made of several parts (a report:
the dashboards of two periods and the insights) counts the same events in every part.

Each part used to read the store on its own. Events arriving in between (on a busy platform
every second) made one report say "36 page views" in its summary and "from 0 to 37" in what
moved, and a total of the trend differ from the KPI beside it. ``read_snapshot`` reads, once,
the day rows of the days and dimensions ``Reads`` names (summed per item segment for the
``fold`` dimensions, as ``EventStore.rollups(fold=)`` does), the hourly rows and the visitor
sketches; ``Snapshot`` then answers the store's read methods from those alone. A read outside
them raises: it would be a second moment in the same view. Writes are refused.

The reads themselves are several store calls. Where the store can, they are made at one moment
(``EventStore.one_moment``: SQLite's one read transaction, every read on this thread). Where it
cannot (DynamoDB), a page view appended between the day rows' read and the hours' made the
hours add up to more than the page-view KPI beside them. So the numbers a reader adds up are
taken from the same rows: a day's whole-day total (``Dim.ALL``) of a type whose hours the view
shows beside it (``HourReads.totals``: a report's page views by hour) is the sum of those
hours, and each day's hours of a type come from one read (the first that holds them),
whichever part asks. At one moment that changes no number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.domain.analytics import (
    WHOLE_DAY,
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
    RollupKey,
    RollupRow,
)
from services.domain.hll import HyperLogLog
from services.domain.rollups import day_totals, period_totals
from services.ports import EventStore

MapFn = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]
Range = tuple[date, date]
_Groups = dict[tuple[EventType, Dim], list[RollupRow]]


@dataclass(frozen=True)
class HourReads:
    """Hourly Dim.ALL rows of ``types`` for the local days ``days``. ``totals``: the view shows
    these hours beside their types' whole-day totals, which are then the hours' sums."""

    days: Range
    types: frozenset[EventType]
    totals: bool = False


@dataclass(frozen=True)
class Reads:
    """What a view reads: day rows of ``dims`` and of the per-item segment dimensions ``fold``
    (summed over items; none of ``dims``) for ``days``, the hourly rows of each of ``hours``
    (a few types over long ranges cost less apart than every type over the longest), and the
    visitor sketch of each range of ``visitors``."""

    days: Range
    dims: frozenset[Dim]
    fold: frozenset[Dim]
    hours: tuple[HourReads, ...]
    visitors: tuple[Range, ...]


def _holder(reads: Sequence[HourReads], type_: EventType, day: date) -> int | None:
    """The index of the first read that holds ``type_``'s hours of ``day``."""
    return next((i for i, read in enumerate(reads)
                 if type_ in read.types and read.days[0] <= day <= read.days[1]), None)


def _one_read_per_day(reads: Sequence[HourReads],
                      hourly: Sequence[list[RollupRow]]) -> list[RollupRow]:
    """Each (type, day)'s hourly rows from the first read that holds them: two reads of the
    same hours (at two moments, on DynamoDB) never answer two parts of one view."""
    return [row for i, rows in enumerate(hourly) for row in rows
            if _holder(reads, row.key.type, row.key.day) == i]


def _day_totals_of_hours(daily: list[RollupRow], hours: list[RollupRow],
                         reads: Reads) -> list[RollupRow]:
    """``daily`` with the whole-day ``Dim.ALL`` row of each (type, day) whose hours a
    ``totals`` read holds replaced by the sum of those hours: the same count when both were
    read at one moment, and the one a reader adds up from the hours when not. Only those
    types: a type's other day rows (content views by category) are summed beside its total
    too, and they come from the day rows' read."""
    types = {type_ for read in reads.hours if read.totals for type_ in read.types}
    if Dim.ALL not in reads.dims or not types:
        return daily
    first, last = reads.days
    sums: Counter[tuple[EventType, date]] = Counter()
    for row in hours:
        if row.key.type in types:
            sums[row.key.type, row.key.day] += row.count

    def derived(row: RollupRow) -> bool:
        key = row.key
        return (key.dim == Dim.ALL and key.type in types
                and _holder(reads.hours, key.type, key.day) is not None)

    return [*(row for row in daily if not derived(row)),
            *(RollupRow(RollupKey(day, WHOLE_DAY, type_, Dim.ALL, ""), count)
              for (type_, day), count in sorted(sums.items(), key=lambda item: item[0][1])
              if count > 0 and first <= day <= last)]


def _grouped(rows: Iterable[RollupRow]) -> _Groups:
    found: defaultdict[tuple[EventType, Dim], list[RollupRow]] = defaultdict(list)
    for row in rows:
        found[(row.key.type, row.key.dim)].append(row)
    return dict(found)


class Snapshot:
    """The read side of an ``EventStore`` over what ``read_snapshot`` read."""

    def __init__(self, reads: Reads, daily: list[RollupRow],
                 hourly: Sequence[list[RollupRow]], sketches: dict[Range, HyperLogLog]) -> None:
        self.reads = reads
        hours = _one_read_per_day(reads.hours, hourly)
        self._hourly = _grouped(hours)
        self._daily = _grouped(_day_totals_of_hours(daily, hours, reads))
        self._sketches = sketches

    def _within(self, start: date, end: date, held: Range) -> None:
        if start < held[0] or end > held[1]:
            raise ValueError(f"{start}..{end} was not read (the snapshot holds "
                             f"{held[0]}..{held[1]})")

    def rollups(self, start: date, end: date, types: Collection[EventType] | None = None,
                dims: Collection[Dim] | None = None, hourly: bool = False, *,
                values: Collection[str] | None = None, prefix: str | None = None,
                fold: Collection[Dim] = (), hour: int | None = None) -> list[RollupRow]:
        if hourly:
            if dims is not None and set(dims) - {Dim.ALL}:
                raise ValueError("hourly rows are Dim.ALL's")
            groups = self._hours(start, end, types)
            allowed = {Dim.ALL}
        else:
            self._within(start, end, self.reads.days)
            plain = set(dims) if dims is not None else set(self.reads.dims)
            if plain - self.reads.dims or set(fold) - self.reads.fold:
                raise ValueError("these dimensions were not read (or not folded) so")
            allowed = plain | set(fold)
            groups = self._daily
        chosen = None if types is None else set(types)
        return [row for (type_, dim), rows in groups.items()
                if (chosen is None or type_ in chosen) and dim in allowed
                for row in rows
                if start <= row.key.day <= end
                and (hour is None or row.key.hour == hour)
                and (values is None or row.key.value in values)
                and (prefix is None or row.key.value.startswith(prefix))]

    def _hours(self, start: date, end: date, types: Collection[EventType] | None) -> _Groups:
        """The hourly rows, if one read holds these days and types."""
        for read in self.reads.hours:
            first, last = read.days
            if first <= start and end <= last and types is not None and set(types) <= read.types:
                return self._hourly
        raise ValueError(f"hourly rows of {start}..{end} of these types were not read")

    def rollup_totals(self, start: date, end: date, types: Collection[EventType] | None = None,
                      dims: Collection[Dim] | None = None, *,
                      values: Collection[str] | None = None,
                      prefix: str | None = None) -> PeriodTotals:
        return period_totals(self.rollups(start, end, types, dims, values=values, prefix=prefix))

    def rollup_day_totals(self, start: date, end: date,
                          types: Collection[EventType] | None = None,
                          dims: Collection[Dim] | None = None, *,
                          values: Collection[str] | None = None,
                          prefix: str | None = None) -> DayTotals:
        return day_totals(self.rollups(start, end, types, dims, values=values, prefix=prefix))

    @contextmanager
    def one_moment(self) -> Iterator[bool]:
        """Always: nothing it holds changes any more."""
        yield True

    def visitors(self, start: date, end: date) -> HyperLogLog:
        held = self._sketches.get((start, end))
        if held is None:
            raise ValueError(f"the visitors of {start}..{end} were not read")
        return HyperLogLog(held.registers)  # a copy: the caller's to keep, as the store's is

    # ---- not a snapshot's: raw events and every write --------------------------------------

    def raw_events(self, since: datetime, until: datetime) -> Iterator[Event]:
        raise TypeError("a snapshot holds rollups and sketches, no raw events")

    def append(self, events: Sequence[Event]) -> list[Event]:
        raise TypeError("a snapshot is read-only")

    def forget_user(self, user_id: str, since: datetime, until: datetime) -> int:
        raise TypeError("a snapshot is read-only")

    def rekey_author(self, old: str, new: str, since: datetime, until: datetime) -> int:
        raise TypeError("a snapshot is read-only")

    def rename_sample_page(self, old: str, new: str) -> int:
        raise TypeError("a snapshot is read-only")

    def remove_samples(self) -> int:
        raise TypeError("a snapshot is read-only")


def read_snapshot(store: EventStore, reads: Reads, each: MapFn = map) -> Snapshot:
    """Read ``reads`` from ``store`` once, at one moment where it can: the rollups first, then
    the visitor sketches (``each`` maps their reads where it cannot: a pool's map overlaps
    those round trips; else they stay on this thread, inside the moment)."""
    first, last = reads.days
    ranges = list(dict.fromkeys(reads.visitors))
    with store.one_moment() as held:
        daily = store.rollups(first, last, dims=list(reads.dims), fold=list(reads.fold))
        hourly = [store.rollups(*read.days, types=list(read.types), dims=[Dim.ALL], hourly=True)
                  for read in reads.hours]
        # The store's one moment is this thread's: other threads would read at their own.
        found = (map if held else each)(lambda pair: store.visitors(*pair), ranges)
        sketches = dict(zip(ranges, found, strict=True))
    return Snapshot(reads, daily, hourly, sketches)
