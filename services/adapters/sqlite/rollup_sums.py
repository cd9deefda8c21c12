"""Period sums of the rollup cache (local mode), memoised.

Period sums (``totals``) are memoised per slice with the (day, epoch) pairs they were summed
at, as the whole period and as its "closed" part (without its last day with rows): a warm read
after new events of today re-sums today only, and costs the number of values, not days x
values. A late event for an earlier day moves that day's epoch, so exactly the sums that hold
it are summed again (once). Day sums (``day_totals``) are kept per cached day.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from services.adapters.sqlite.rollup_day import CachedDay, SliceKey
from services.domain.analytics import Dim, EventType

SumKey = tuple[date, date, EventType, Dim, frozenset[str] | None, str | None]
Sums = dict[str, int]
Stamp = tuple[tuple[str, int], ...]  # (day, epoch) of the days summed


class PeriodSums:
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

    def get(self, key: SumKey, stamp: Stamp, days: list[CachedDay], slice_: SliceKey,
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


def _sum_days(days: list[CachedDay], slice_: SliceKey, values: frozenset[str] | None,
              prefix: str | None, start: Sums | None = None) -> Sums:
    """``start`` (not modified) plus the days' rows of one slice, by value."""
    sums = dict(start) if start else {}
    get = sums.get
    for day in days:
        for row in day.select(slice_, values, prefix):
            value = row.key.value
            sums[value] = get(value, 0) + row.count
    return sums
