"""The insights use case: drivers, anomalies and forecast of a period for those who may see
the dashboards (VIEW_DASHBOARDS).

Reads, per call: one day-level rollups read of the dimensions the metrics use
(``metrics.READ_DIMS``, and the per-item segment rows summed over their items) over the
analysis window (``analysis.window``: the previous period, 8 weeks of baselines, the
forecast's history), one hourly read (the period's last week and its 8-week baselines), one
visitor sketch per day of the baselines and the forecast history (sent off first, so they
overlap with building the cubes) plus one per compared period, and the published catalogue
(for names). Never raw events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo

import numpy as np

from services.analytics.dashboards import Period
from services.analytics.snapshot import HourReads, Reads
from services.analytics.tables import load_catalog
from services.domain.analytics import Dim, EventType
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, require
from services.insights.analysis import HISTORY_DAYS, HOURLY_DAYS, Insights, analyse, window
from services.insights.cube import ITEM_SEGMENT_DIMS, DayCube, HourCube
from services.insights.metrics import COUNTS, READ_DIMS, types_of_all
from services.ports import ContentRepository, EventStore

VISITOR_READS = 8  # per-day visitor sketch reads in flight at once
MapFn = Callable[[Callable[[date], int], Iterable[date]], Iterator[int]]


class InsightsService:
    def __init__(self, store: EventStore, repo: ContentRepository, tz: tzinfo, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._repo = repo
        self._tz = tz
        self._clock = clock
        # One visitor sketch per day is read; on DynamoDB each is a round trip, so they go
        # out a few at a time (threads start on first use; SQLite keeps one connection each).
        self._pool = ThreadPoolExecutor(VISITOR_READS, thread_name_prefix="insights-visitors")

    def insights(self, actor: Actor, period: Period) -> Insights:
        """Every KPI's drivers (this period against the previous one), the period's anomalies
        and the next 14 days' forecast. Platform-wide: the dashboard's filters do not apply."""
        require(actor, Action.VIEW_DASHBOARDS)
        found = self._load(period)
        catalog = load_catalog(self._repo)
        names = {Dim.CONTENT.value: {item.id: item.title for item in catalog},
                 Dim.AUTHOR.value: catalog.author_names()}
        return replace(found, names=names)

    def warm(self, period: Period) -> None:
        """Read what ``insights`` reads for ``period`` and drop the result. SQLite's store keeps
        the days it read in memory, so the first person to open the dashboard after a start
        does not wait for cold reads (0.2 s at 100,000 events, 0.5 s at 1,000,000). Nothing
        is returned, so nothing needs a permission."""
        self._load(period)

    def _load(self, period: Period) -> Insights:
        now = self._clock().astimezone(self._tz)
        return load_insights(self._store, period, now.date(), now.hour, self._pool.map)


def load_insights(store: EventStore, period: Period, today: date, hour: int,
                  each: MapFn = map) -> Insights:
    """Read what the analysis needs from ``store`` (``insight_reads``) and analyse it (no
    permission check: for the service, benchmarks and tests). ``each`` maps the per-day
    visitor reads (a pool's ``map`` to overlap them)."""
    start, end = window(period, today)
    # The per-day visitor reads go out first (a pool's map submits them all at once), so that
    # they run while the rollups are read and the cubes built.
    first, days = visitor_days(start, end, period, today)
    estimates = each(lambda day: store.visitors(day, day).estimate(), days)
    cube = DayCube(store.rollups(start, end, types=types_of_all(), dims=READ_DIMS,
                                 fold=ITEM_SEGMENT_DIMS), start, end)
    hours_from, hours_to = hourly_window(period)
    hours = HourCube(store.rollups(hours_from, hours_to, types=hour_types(), dims=[Dim.ALL],
                                   hourly=True), start, end)
    previous = period.previous()
    visitors = np.zeros(cube.days)
    visitors[first:] = list(estimates)
    return analyse(cube, hours, visitors, period, today, hour,
                   store.visitors(previous.start, previous.end).estimate(),
                   store.visitors(period.start, period.end).estimate())


def hour_types() -> list[EventType]:
    """The types whose hours the analysis judges: every count metric's."""
    return list(dict.fromkeys(type_ for metric in COUNTS for type_, _ in metric.terms))


def hourly_window(period: Period) -> tuple[date, date]:
    """The hours read: the period's last week and that week's baselines."""
    hourly_from = max(period.start, period.end - timedelta(days=HOURLY_DAYS - 1))
    return hourly_from - timedelta(days=HISTORY_DAYS), period.end


def insight_reads(period: Period, today: date) -> Reads:
    """Everything ``load_insights`` reads of the store, as one snapshot's ``Reads`` (a report
    reads it once with its dashboards', ``services.analytics.snapshot``)."""
    start, end = window(period, today)
    _, days = visitor_days(start, end, period, today)
    previous = period.previous()
    return Reads(days=(start, end), dims=frozenset(READ_DIMS),
                 fold=frozenset(ITEM_SEGMENT_DIMS),
                 hours=(HourReads(hourly_window(period), frozenset(hour_types())),),
                 visitors=(*((day, day) for day in days), (previous.start, previous.end),
                           (period.start, period.end)))


def visitor_days(start: date, end: date, period: Period,
                 today: date) -> tuple[int, list[date]]:
    """The days whose distinct visitors the analysis reads (the period and its baselines, and
    the forecast's history; zeros elsewhere), and the cube index of the first."""
    first = max((min(period.start, today) - timedelta(days=HISTORY_DAYS) - start).days, 0)
    return first, [start + timedelta(days=i) for i in range(first, (end - start).days + 1)]

