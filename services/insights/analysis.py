"""Every insight of one period from already loaded rollups (pure; ``service`` loads them).

The period is compared with the one before it (as the KPI tiles are); anomalies are judged on
the period's complete days and, for its last 7 days, complete hours; the forecast starts the
day after the last complete day, and only follows a period that reaches that day
(``forecast_follows``). What "complete" means is the caller's ``today`` and ``hour``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from services.analytics.dashboards import Period
from services.domain.analytics import Dim, EventType
from services.insights.anomalies import WEEKS, AnomalyReport, SeriesCheck, Signal, check_series
from services.insights.cube import DayCube, HourCube, Series
from services.insights.drivers import (
    Drivers,
    count_drivers,
    mean_weights,
    period_weights,
    rate_drivers,
)
from services.insights.forecast import Forecast, forecast
from services.insights.metrics import (
    COUNTS,
    JUDGED_RATES,
    RATES,
    TREND_COLUMNS,
    VISITORS,
    CountMetric,
    RateMetric,
)

HOURLY_DAYS = 7  # hours are judged over the period's last week only
FORECAST_METRICS = ("page_views", "content_views", VISITORS)
HISTORY_DAYS = 7 * WEEKS  # what a baseline or the forecast looks back over
HEADLINE_MIN_BASE = 20


def forecast_follows(period: Period, today: date) -> bool:
    """A forecast starts the day after the last complete day (yesterday): it follows a period
    that reaches that day. The days after an older period are history, not a forecast, and a
    forecast from today would be read as that period's future."""
    return period.end >= today - timedelta(days=1)


def window(period: Period, today: date) -> tuple[date, date]:
    """The local days the analysis reads: the previous period, the baselines of the period's
    days and the forecast's history (up to ``today``)."""
    start = min(period.previous().start, period.start - timedelta(days=HISTORY_DAYS),
                today - timedelta(days=HISTORY_DAYS))
    return start, max(period.end, today - timedelta(days=1))


@dataclass(frozen=True)
class Insights:
    period: Period
    drivers: tuple[Drivers, ...]  # every KPI: visitors, the counts, then the rates
    anomalies: AnomalyReport
    forecasts: tuple[Forecast, ...]  # FORECAST_METRICS, in that order (none: period_ended)
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # dim -> id -> name
    period_ended: bool = False  # before yesterday: no forecast follows it (forecast_follows)

    def headline(self) -> Drivers | None:
        """The count KPI with the largest relative change that has drivers to show; KPIs of
        fewer than HEADLINE_MIN_BASE events before only when no other moved (1 -> 5 is +400%
        but rarely the story)."""
        moved = [d for d in self.drivers if d.kind == "count" and d.by_dim
                 and d.relative_change is not None and d.change]
        sizable = [d for d in moved if (d.before or 0) >= HEADLINE_MIN_BASE] or moved
        return max(sizable, key=lambda d: abs(d.relative_change or 0.0), default=None)

    def of(self, metric: str) -> Drivers | None:
        return next((d for d in self.drivers if d.metric == metric), None)

    def trend_marks(self) -> dict[str, list[date]]:
        """Flagged days by trend column (event type), for markers on the trend chart."""
        return {column: days for metric, column in TREND_COLUMNS.items()
                if (days := self.anomalies.days_of(metric))}


def analyse(cube: DayCube, hours: HourCube, visitors: Series, period: Period, today: date,
            hour: int, visitors_before: float, visitors_after: float) -> Insights:
    """``visitors``: distinct visitors per cube day; ``visitors_before``/``after``: of the
    previous period and the period (merged sketches: not sums of days)."""
    before = period_weights(cube, period.previous().start, period.previous().end)
    after = period_weights(cube, period.start, period.end)
    drivers = (Drivers(VISITORS, "count", visitors_before, visitors_after, {}),
               *(count_drivers(m, cube, before, after) for m in COUNTS),
               *(rate_drivers(m, cube, before, after) for m in RATES))
    report = AnomalyReport((*daily_checks(cube, visitors, period, today),
                            *hourly_checks(hours, cube, period, today, hour)))
    last = today - timedelta(days=1)
    history = {m.key: m.daily(cube) for m in COUNTS} | {VISITORS: visitors}
    upto = cube.index(last) + 1
    # History starts with the first event: zeros before it are no history, only no data.
    since = max(upto - HISTORY_DAYS, cube.first_active() or 0, 0)
    follows = forecast_follows(period, today)
    forecasts = tuple(forecast(key, history[key][since:upto].tolist(), last)
                      for key in FORECAST_METRICS if follows)
    return Insights(period, drivers, report, forecasts, period_ended=not follows)


def daily_checks(cube: DayCube, visitors: Series, period: Period,
                 today: date) -> list[SeriesCheck]:
    first = cube.first_active()
    days = [i for i in range(max(cube.index(period.start), 0), cube.index(period.end) + 1)
            if i < cube.index(today)]
    if first is None or not days:
        return []
    counts = {m.key: m for m in COUNTS}
    rates = {m.key: m for m in RATES if m.key in JUDGED_RATES}

    def explain(signal: Signal, index: int, base: Sequence[int]) -> Drivers | None:
        if signal.dim != Dim.ALL.value:
            return None
        sides = (mean_weights(cube, list(base)),
                 period_weights(cube, cube.day(index), cube.day(index)))
        if signal.metric in counts:
            return count_drivers(counts[signal.metric], cube, *sides)
        if signal.metric in rates:
            return rate_drivers(rates[signal.metric], cube, *sides)
        return None

    signals = [Signal(VISITORS, "all", "", visitors),
               *(Signal(m.key, "all", "", m.daily(cube)) for m in COUNTS),
               *(_rate_signal(m, cube) for m in rates.values()),
               *(Signal("content_views", Dim.CATEGORY.value, name, series) for name, series
                 in sorted(cube.values(EventType.CONTENT_VIEW, Dim.CATEGORY).items()))]
    return [check_series(s, days, first, lambda i: (cube.day(i), None), explain=explain)
            for s in signals]


def _rate_signal(metric: RateMetric, cube: DayCube) -> Signal:
    numerator, denominator = metric.daily(cube)
    rate = np.divide(numerator, denominator, out=np.zeros(cube.days), where=denominator > 0)
    return Signal(metric.key, "all", "", rate, denominator)


def hourly_checks(hours: HourCube, cube: DayCube, period: Period, today: date,
                  hour: int) -> list[SeriesCheck]:
    first = cube.first_active()
    start = max(period.start, period.end - timedelta(days=HOURLY_DAYS - 1))
    now = cube.index(today) * 24 + hour  # the running hour is not judged
    indices = [i for i in range(max(cube.index(start), 0) * 24, (cube.index(period.end) + 1) * 24)
               if i < now]
    if first is None or not indices:
        return []
    return [check_series(Signal(m.key, "all", "", _hourly(m, hours)), indices, first * 24,
                         hours.when, hourly=True) for m in COUNTS]


def _hourly(metric: CountMetric, hours: HourCube) -> Series:
    total = hours.total(metric.terms[0][0]) * 0.0
    for type_, sign in metric.terms:
        total = total + sign * hours.total(type_)
    return total
