"""One period's rollups, shaped for the dashboard queries (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date

from services.domain.analytics import Dim, EventType, PeriodTotals, RollupRow, Terms


class Rollups:
    """One period's rollups for the queries: day-level rows grouped by (type, dim), and
    optionally the period's totals by value (``EventStore.rollup_totals``).

    With ``totals``, ``by_value`` and ``total`` answer from them and the day rows are only
    those ``daily`` names, per (type, dim), with the values they were read for (None: every
    value): a table of the period then never re-adds every (day, value) row. ``by_day`` of
    anything else is a caller's bug and raises."""

    def __init__(self, rows: Iterable[RollupRow], totals: PeriodTotals | None = None,
                 daily: Mapping[tuple[str, str], frozenset[str] | None] | None = None
                 ) -> None:
        self._groups: defaultdict[tuple[str, str], list[tuple[date, str, int]]] = defaultdict(
            list
        )
        self._by_value: dict[tuple[str, str], Counter[str]] = {}
        self._daily = daily if totals is not None else None
        if totals is not None:
            self._totals = {key: Counter(counts) for key, counts in totals.items()}
        for row in rows:
            key = row.key
            self._groups[(key.type, key.dim)].append((key.day, key.value, row.count))

    @classmethod
    def of_groups(cls, groups: Mapping[tuple[str, str], list[tuple[date, str, int]]],
                  totals: PeriodTotals | None = None,
                  daily: Mapping[tuple[str, str], frozenset[str] | None] | None = None
                  ) -> Rollups:
        """From (type, dim) -> [(day, value, count)] lists, as ``groups`` yields them (and
        ``totals`` / ``daily`` as in the constructor)."""
        made = cls((), totals, daily)
        made._groups.update(groups)
        return made

    def rows(self, type_: EventType, dim: Dim) -> list[tuple[date, str, int]]:
        return self._groups.get((type_, dim), [])

    def groups(self) -> Iterator[tuple[EventType, Dim, list[tuple[date, str, int]]]]:
        for (type_, dim), rows in self._groups.items():
            yield EventType(type_), Dim(dim), rows

    def total(self, type_: EventType, dim: Dim = Dim.ALL,
              values: Collection[str] | None = None) -> int:
        counts = self.by_value(type_, dim)
        if values is None:
            return sum(counts.values())
        return sum(counts.get(value, 0) for value in values)

    def by_value(self, type_: EventType, dim: Dim) -> Counter[str]:
        """Counts summed over the days, by value. Shared between callers: do not modify."""
        found = self._by_value.get((type_, dim))
        if found is None:
            if self._daily is not None:
                found = self._totals.get((type_, dim)) or Counter()
            else:
                found = Counter()
                for _, value, count in self.rows(type_, dim):
                    found[value] += count
            self._by_value[(type_, dim)] = found
        return found

    def by_day(self, type_: EventType, dim: Dim = Dim.ALL,
               values: Collection[str] | None = None) -> Counter[date]:
        if self._daily is not None:
            read = self._daily.get((type_, dim), frozenset())
            if read is not None and (values is None or not set(values) <= read):
                raise ValueError(f"no day rows were read for {type_} / {dim} / {values}")
        counts: Counter[date] = Counter()
        for day, value, count in self.rows(type_, dim):
            if values is None or value in values:
                counts[day] += count
        return counts

    # Signed sums of several types (``NET_LIKES``): a number of likes is always this.

    def net_total(self, terms: Terms, dim: Dim = Dim.ALL,
                  values: Collection[str] | None = None) -> int:
        return sum(sign * self.total(type_, dim, values) for type_, sign in terms)

    def net_by_value(self, terms: Terms, dim: Dim) -> Counter[str]:
        """Signed counts by value; a value whose terms cancel out stays, at zero."""
        found: Counter[str] = Counter()
        for type_, sign in terms:
            for value, count in self.by_value(type_, dim).items():
                found[value] += sign * count
        return found

    def net_by_day(self, terms: Terms, dim: Dim = Dim.ALL,
                   values: Collection[str] | None = None) -> Counter[date]:
        found: Counter[date] = Counter()
        for type_, sign in terms:
            for day, count in self.by_day(type_, dim, values).items():
                found[day] += sign * count
        return found
