"""What a followed metric shows: its value against the previous period, its top drivers and any
unusual day, in the follow's scope. From rollups only, never raw events.

Platform-wide follows take all three from the insights analysis. A follow filtered to a
category, an author or an item is a count KPI (rates and visitors have no per-item rows): its
value is the scope's own rollup rows (Dim.CATEGORY, Dim.AUTHOR, Dim.CONTENT), its drivers the
scope's items (Dim.CONTENT rows of the items the catalogue puts in it), and no anomaly is judged
for it (the detector runs on platform-wide series; a scoped follower must not see those).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from services.analytics.dashboards import Period
from services.analytics.tables import Catalog
from services.domain.analytics import Dim
from services.domain.follows import Follow, FollowScope
from services.insights.analysis import Insights
from services.insights.drivers import Contribution
from services.insights.metrics import COUNTS, RATES, VISITORS
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
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def relative_change(self) -> float | None:
        """Counts: change / before (None from zero); rates: the change itself."""
        change = self.change
        if change is None or self.kind == "rate":
            return change
        return change / self.before if self.before else None

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


def scoped(follow: Follow, store: EventStore, period: Period, catalog: Catalog) -> FollowedMetric:
    """A count KPI in a category, of an author or of an item (``follow.scope`` is not ALL)."""
    metric = next(m for m in COUNTS if m.key == follow.metric)
    previous = period.previous()
    dim = _SCOPE_DIM[follow.scope]
    dims = [dim] if dim is Dim.CONTENT else [dim, Dim.CONTENT]
    rows = store.rollups(previous.start, period.end, types=[t for t, _ in metric.terms],
                         dims=dims)
    signs = dict(metric.terms)
    totals = [0.0, 0.0]
    items: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in rows:
        side = 1 if row.key.day >= period.start else 0
        amount = signs[row.key.type] * row.count
        if row.key.dim is dim and row.key.value == follow.value:
            totals[side] += amount
        if (row.key.dim is Dim.CONTENT and dim is not Dim.CONTENT
                and _in_scope(catalog, row.key.value, follow)):
            items[row.key.value][side] += amount
    change = totals[1] - totals[0]
    drivers = sorted((Contribution(Dim.CONTENT.value, item, b, a, a - b,
                                   (a - b) / change if change else None)
                      for item, (b, a) in items.items() if a != b),
                     key=lambda c: -abs(c.change))
    return FollowedMetric(follow, period, "count", totals[0], totals[1],
                          tuple(drivers[:TOP_DRIVERS]), ())


def _in_scope(catalog: Catalog, item_id: str, follow: Follow) -> bool:
    item = catalog.get(item_id)
    if item is None:
        return False
    if follow.scope is FollowScope.CATEGORY:
        return item.category == follow.value
    return item.author_id == follow.value
