"""Day-level rollup rows as numpy series: one array over consecutive local days per
(type, dim, value). Every insight reads these arrays, so its cost grows with the days and the
distinct values, never with the number of events.

The click filter's segment rows (``Dim.SEGMENT`` "<kind>=<value>" per type, and the per-item
rows of content events summed over their items: ``EventStore.rollups(..., fold=)``, also
"<kind>=<value>") become the driver dimensions ``SEGMENT_DRIVERS`` (the visit's source, its
device): each event of a visit with a known source counts in exactly one value, so the values
plus ``UNKNOWN`` (events of visits whose source is not known) add up to the type's total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import numpy as np

from services.domain.analytics import (
    UNKNOWN_SEGMENT,
    WHOLE_DAY,
    Dim,
    EventType,
    RollupRow,
    SegmentKind,
)
from services.domain.rollups import SEGMENT_CONTENT_DIMS
from services.i18n.labels import page_name, segment_mark_name

Series = np.ndarray  # float64, one entry per day of the cube
# Segment kinds that are driver dimensions, by the name they go by (not a ``Dim``: derived).
SEGMENT_DRIVERS = {SegmentKind.SOURCE: "visit_source", SegmentKind.DEVICE: "visit_device"}
# The rollup dimensions they are derived from: per type, and per item (read summed over the
# items, ``EventStore.rollups(..., fold=)``).
ITEM_SEGMENT_DIMS = tuple(SEGMENT_CONTENT_DIMS[kind] for kind in SEGMENT_DRIVERS)
SEGMENT_DIMS = (Dim.SEGMENT, *ITEM_SEGMENT_DIMS)
UNKNOWN = UNKNOWN_SEGMENT  # a segment driver's value for the events of visits it does not know
_DRIVER_OF = {f"{kind.value}=": name for kind, name in SEGMENT_DRIVERS.items()}
_SEGMENT_DIMS = frozenset(SEGMENT_DIMS)


def driver_mark_name(lang: str, dim: str, value: object) -> str | None:
    """Our words for a page driver's value (the page's name, ``page_name``) and for a source
    or device driver's value that is one of the app's marks or a device class ("(직접 방문)",
    "모바일"); None for any other dimension or a label someone chose, which each caller shows
    as that text."""
    if dim == Dim.PAGE:
        return page_name(lang, str(value))
    if dim not in SEGMENT_DRIVERS.values():
        return None
    return segment_mark_name(lang, value, device=dim == SEGMENT_DRIVERS[SegmentKind.DEVICE])


def _segment_driver(value: str) -> tuple[str, str] | None:
    """("visit_source", "newsletter") for "source=newsletter" (a segment row, or per-item
    segment rows summed over their items)."""
    kind, sep, part = value.partition("=")
    name = _DRIVER_OF.get(kind + sep)
    return (name, part) if name is not None and part else None


class DayCube:
    """Counts per local day from ``start`` to ``end`` inclusive (days without rows are 0)."""

    def __init__(self, rows: Iterable[RollupRow], start: date, end: date) -> None:
        self.start = start
        self.days = (end - start).days + 1
        self._series: dict[tuple[str, str], dict[str, Series]] = {}
        ids: dict[tuple[str, str, str], int] = {}  # (type, dim, value) -> its matrix row
        cell_of: list[int] = []
        at: list[int] = []
        counts: list[int] = []
        day_index = {start + timedelta(days=i): i for i in range(self.days)}.get
        for row in rows:  # plain Python once per row; numpy per cell would cost more
            key = row.key  # (day, hour, type, dim, value)
            if key[1] != WHOLE_DAY or (index := day_index(key[0])) is None:
                continue
            cell = ids.get(key[2:])
            if cell is None:
                cell = ids[key[2:]] = len(ids)
            cell_of.append(cell)
            at.append(index)
            counts.append(row.count)
        if ids:
            self._build(ids, np.bincount(np.array(cell_of) * self.days + np.array(at),
                                         weights=counts, minlength=len(ids) * self.days
                                         ).reshape(len(ids), self.days))

    def _build(self, ids: dict[tuple[str, str, str], int], matrix: np.ndarray) -> None:
        """Each cell's row of ``matrix`` as its series; segment cells summed into their
        driver's values in one step."""
        derived: dict[tuple[str, str, str], int] = {}
        folded: list[tuple[int, int]] = []  # (cell row, derived row)
        for (type_, dim, value), row in ids.items():
            if dim not in _SEGMENT_DIMS:
                self._series.setdefault((type_, dim), {})[value] = matrix[row]
            elif (driver := _segment_driver(value)) is not None:
                target = derived.setdefault((type_, *driver), len(derived))
                folded.append((row, target))
        if not folded:
            return
        rows, targets = (np.array(column) for column in zip(*folded, strict=True))
        sums = np.zeros((len(derived), self.days))
        np.add.at(sums, targets, matrix[rows])
        parts_of: dict[tuple[str, str], dict[str, Series]] = {}
        for (type_, name, value), target in derived.items():
            parts_of.setdefault((type_, name), {})[value] = sums[target]
        for (type_, name), parts in parts_of.items():
            self._add_unknown(type_, parts)
            self._series[(type_, name)] = parts

    def _add_unknown(self, type_: str, parts: dict[str, Series]) -> None:
        """What no value holds (events of visits of unknown source), as the value UNKNOWN."""
        rest = self.total(type_) - np.sum(list(parts.values()), axis=0)
        if np.any(rest > 0):
            parts[UNKNOWN] = parts.get(UNKNOWN, np.zeros(self.days)) + np.maximum(rest, 0.0)

    def index(self, day: date) -> int:
        return (day - self.start).days

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def dims(self, type_: EventType) -> list[str]:
        """The dimensions with rows for ``type_`` (Dim.ALL included when present; a segment
        driver by its ``SEGMENT_DRIVERS`` name)."""
        return [dim for (kind, dim) in self._series if kind == type_]

    def values(self, type_: EventType | str, dim: str) -> Mapping[str, Series]:
        """Daily series by value. Shared: do not modify."""
        return self._series.get((type_, dim), {})

    def total(self, type_: EventType | str, dim: str = Dim.ALL) -> Series:
        """The daily sum over every value of ``dim`` (for Dim.ALL: the type's total)."""
        found = self.values(type_, dim)
        if not found:
            return np.zeros(self.days)
        total: Series = np.sum(list(found.values()), axis=0)
        return total

    def first_active(self) -> int | None:
        """The index of the first day with any event (None: no event at all)."""
        active = np.zeros(self.days, dtype=bool)
        for (_, dim), values in self._series.items():
            if dim == Dim.ALL:
                for series in values.values():
                    active |= series > 0
        found = np.flatnonzero(active)
        return int(found[0]) if found.size else None


def window_sums(values: Mapping[str, Series], lo: int, hi: int) -> dict[str, float]:
    """Each value's sum over the cube days lo..hi-1 (zero sums left out)."""
    sums = {name: float(series[lo:hi].sum()) for name, series in values.items()}
    return {name: total for name, total in sums.items() if total}


class HourCube:
    """The per-hour Dim.ALL totals of each type over the same days as a DayCube: index
    day_index * 24 + hour."""

    def __init__(self, rows: Iterable[RollupRow], start: date, end: date) -> None:
        self.start = start
        self.hours = ((end - start).days + 1) * 24
        self._series: dict[str, Series] = {}
        for row in rows:
            key = row.key
            index = (key.day - start).days * 24 + key.hour
            if key.hour == WHOLE_DAY or key.dim != Dim.ALL or not 0 <= index < self.hours:
                continue
            series = self._series.get(key.type)
            if series is None:
                series = self._series[key.type] = np.zeros(self.hours)
            series[index] += row.count

    def total(self, type_: EventType) -> Series:
        found = self._series.get(type_)
        return found if found is not None else np.zeros(self.hours)

    def when(self, index: int) -> tuple[date, int]:
        return self.start + timedelta(days=index // 24), index % 24
