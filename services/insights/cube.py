"""Day-level rollup rows as numpy series: one array over consecutive local days per
(type, dim, value). Every insight reads these arrays, so its cost grows with the days and the
distinct values, never with the number of events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import numpy as np

from services.domain.analytics import WHOLE_DAY, Dim, EventType, RollupRow

Series = np.ndarray  # float64, one entry per day of the cube


class DayCube:
    """Counts per local day from ``start`` to ``end`` inclusive (days without rows are 0)."""

    def __init__(self, rows: Iterable[RollupRow], start: date, end: date) -> None:
        self.start = start
        self.days = (end - start).days + 1
        self._series: dict[tuple[str, str], dict[str, Series]] = {}
        day_index = {start + timedelta(days=i): i for i in range(self.days)}
        cells: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
        for row in rows:  # plain Python first: numpy per row would cost more than it saves
            key = row.key
            index = day_index.get(key.day)
            if index is None or key.hour != WHOLE_DAY:
                continue
            cell = (key.type, key.dim, key.value)
            found = cells.get(cell)
            if found is None:
                found = cells[cell] = []
            found.append((index, row.count))
        for (type_, dim, value), pairs in cells.items():
            at, counts = zip(*pairs, strict=True)
            self._series.setdefault((type_, dim), {})[value] = np.bincount(
                at, weights=counts, minlength=self.days).astype(float)

    def index(self, day: date) -> int:
        return (day - self.start).days

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def dims(self, type_: EventType) -> list[Dim]:
        """The dimensions with rows for ``type_`` (Dim.ALL included when present)."""
        return [Dim(dim) for (kind, dim) in self._series if kind == type_]

    def values(self, type_: EventType, dim: Dim) -> Mapping[str, Series]:
        """Daily series by value. Shared: do not modify."""
        return self._series.get((type_, dim), {})

    def total(self, type_: EventType, dim: Dim = Dim.ALL) -> Series:
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
