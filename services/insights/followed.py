"""What a followed metric shows: its value against the previous period, its top drivers and any
unusual day, in the follow's scope. From rollups only, never raw events.

Platform-wide follows take all three from the insights analysis. A follow filtered to a
category, an author or an item is a count KPI (rates and visitors have no per-item rows): its
value is the scope's own rollup rows (Dim.CATEGORY, Dim.AUTHOR, Dim.CONTENT), its drivers the
scope's items (Dim.CONTENT rows of the items the catalogue puts in it), its unusual days the
anomaly detector's verdict on the scope's own daily series (never a platform-wide one: an
author following their item must not learn platform-wide numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from services.analytics.dashboards import Period
from services.analytics.tables import Catalog
from services.domain.analytics import Dim
from services.domain.follows import Follow, FollowScope
from services.insights.analysis import Insights, window
from services.insights.anomalies import Signal, check_series
from services.insights.cube import DayCube, Series
from services.insights.drivers import Contribution, change_of, relative_change_of
from services.insights.metrics import COUNTS, RATES, VISITORS, CountMetric
from services.ports import EventStore

TOP_DRIVERS = 3
ALL_METRICS = (VISITORS, *(m.key for m in COUNTS), *(m.key for m in RATES))
SCOPED_METRICS = tuple(m.key for m in COUNTS)
_SCOPE_DIM = {FollowScope.CATEGORY: Dim.CATEGORY, FollowScope.AUTHOR: Dim.AUTHOR,
              FollowScope.ITEM: Dim.CONTENT}


@dataclass(frozen=True)
class FollowedMetric:
    follow: Follow
    period: Period
    kind: str  # "count" or "rate"
    before: float | None
    after: float | None
    drivers: tuple[Contribution, ...]  # largest |change| first
    anomalies: tuple[date, ...]  # flagged days of the period (platform-wide follows only)

    @property
    def change(self) -> float | None:
        return change_of(self.before, self.after)

    @property
    def relative_change(self) -> float | None:
        return relative_change_of(self.kind, self.before, self.after)

    @property
    def platform_wide(self) -> bool:
        return self.follow.scope is FollowScope.ALL


def platform_wide(follow: Follow, insights: Insights) -> FollowedMetric:
    drivers = insights.of(follow.metric)
    days = tuple(insights.anomalies.days_of(follow.metric))
    if drivers is None:
        return FollowedMetric(follow, insights.period, "count", None, None, (), days)
    return FollowedMetric(follow, insights.period, drivers.kind, drivers.before, drivers.after,
                          tuple(drivers.top(TOP_DRIVERS)), days)


def scoped(follow: Follow, store: EventStore, period: Period, catalog: Catalog,
           today: date) -> FollowedMetric:
    """A count KPI in a category, of an author or of an item (``follow.scope`` is not ALL):
    value and drivers over ``period`` and the one before, unusual days judged on the scope's
    own daily series against its baselines (as the insights judge platform-wide series)."""
    metric = next(m for m in COUNTS if m.key == follow.metric)
    dim = _SCOPE_DIM[follow.scope]
    start, end = window(period, today)
    dims = [dim] if dim is Dim.CONTENT else [dim, Dim.CONTENT]
    cube = DayCube(store.rollups(start, end, types=[t for t, _ in metric.terms], dims=dims),
                   start, end)
    before = period.previous()
    series = metric.daily(cube, dim, follow.value)
    total = [_sum(cube, series, before.start, before.end),
             _sum(cube, series, period.start, period.end)]
    items = ({} if dim is Dim.CONTENT else
             {item: metric.daily(cube, Dim.CONTENT, item) for item in _items(cube, metric)
              if _in_scope(catalog, item, follow)})
    change = total[1] - total[0]
    drivers = []
    for item, daily in items.items():
        b, a = (_sum(cube, daily, before.start, before.end),
                _sum(cube, daily, period.start, period.end))
        if a != b:
            drivers.append(Contribution(Dim.CONTENT.value, item, b, a, a - b,
                                        (a - b) / change if change else None))
    drivers.sort(key=lambda c: -abs(c.change))
    return FollowedMetric(follow, period, "count", total[0], total[1],
                          tuple(drivers[:TOP_DRIVERS]),
                          _unusual(cube, series, metric.key, dim, follow.value, period, today))


def _sum(cube: DayCube, series: Series, first: date, last: date) -> float:
    return float(series[max(cube.index(first), 0):cube.index(last) + 1].sum())


def _items(cube: DayCube, metric: CountMetric) -> set[str]:
    return {item for type_, _ in metric.terms for item in cube.values(type_, Dim.CONTENT)}


def _unusual(cube: DayCube, series: Series, key: str, dim: Dim, value: str, period: Period,
             today: date) -> tuple[date, ...]:
    """The period's complete days outside the scope's usual range (none before it had 4
    weeks of history; the detector's rules, ``anomalies.check_series``)."""
    active = np.flatnonzero(series != 0)
    days = [i for i in range(max(cube.index(period.start), 0), cube.index(period.end) + 1)
            if i < cube.index(today)]
    if not active.size or not days:
        return ()
    check = check_series(Signal(key, dim.value, value, series), days, int(active[0]),
                         lambda i: (cube.day(i), None))
    return tuple(sorted({a.day for a in check.anomalies}))


def _in_scope(catalog: Catalog, item_id: str, follow: Follow) -> bool:
    item = catalog.get(item_id)
    if item is None:
        return False
    if follow.scope is FollowScope.CATEGORY:
        return item.category == follow.value
    return item.author_id == follow.value
