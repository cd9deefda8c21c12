"""What a followed metric shows: its value against the previous period, its top drivers and any
unusual day, in the follow's scope. From rollups only, never raw events.

Platform-wide follows take all three from the insights analysis. A follow filtered to a
category, an author or an item is a count KPI (rates and visitors have no per-item rows): its
value, drivers (the scope's items) and unusual days are those of ``services.insights.scoped``
(the scope's own rows, never a platform-wide series: an author following their item must not
learn platform-wide numbers); an item's follow has no drivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.analytics.dashboards import Period
from services.analytics.tables import Catalog
from services.domain.analytics import Dim
from services.domain.follows import Follow, FollowScope
from services.insights.analysis import Insights
from services.insights.drivers import Contribution, change_of, relative_change_of
from services.insights.metrics import COUNTS, RATES, VISITORS
from services.insights.scoped import load_scoped
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
    own daily series against its baselines (``services.insights.scoped``)."""
    found = load_scoped(store, period, catalog, today, _SCOPE_DIM[follow.scope], follow.value,
                        (follow.metric,), finer=False)
    drivers = found.drivers[0]
    days = tuple(sorted({a.day for a in found.anomalies.anomalies}))
    return FollowedMetric(follow, period, "count", drivers.before, drivers.after,
                          tuple(drivers.top(TOP_DRIVERS)), days)
