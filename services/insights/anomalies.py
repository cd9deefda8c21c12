"""Anomalies: days (and hours) whose value falls outside a weekday-aware baseline.

The baseline of a day is the same weekday in each of the ``WEEKS`` (8) weeks before it (of an
hour: the same weekday and hour). With m = their median and MAD = median |x - m|, the expected
range is

    m +/- max(K * 1.4826 * MAD, K * sqrt(max(m, 1)), MIN_DEVIATION)

with K = 4: 1.4826 * MAD estimates the standard deviation of normal noise; the sqrt(m) floor is
the Poisson noise of a count (eight quiet weeks can have a MAD of nearly 0); MIN_DEVIATION (5
events) keeps a day of 0 against a median of 1 from being news. A baseline needs at least
``MIN_HISTORY`` (4) of those weekdays on or after the first day with any event; days without
that are not judged (status NOT_ENOUGH_HISTORY or PARTIAL, never a flag). The caller leaves out
the running day and hour: a partial day would always look like an outage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

from services.insights.cube import Series
from services.insights.drivers import Drivers

K = 4.0
MAD_TO_SIGMA = 1.4826
WEEKS = 8
MIN_HISTORY = 4
MIN_DEVIATION = 5.0
DAY = 7  # steps of one week in a daily series
HOUR = 7 * 24  # ... and in an hourly series


class Status(StrEnum):
    CHECKED = "checked"  # every day (hour) had a baseline
    PARTIAL = "partial"  # some had too little history and were not judged
    NOT_ENOUGH_HISTORY = "not_enough_history"  # none had a baseline


@dataclass(frozen=True)
class Baseline:
    median: float
    low: float
    high: float
    indices: tuple[int, ...]  # the same-weekday (hour) entries it was taken from


def baseline(series: Series, index: int, first: int, step: int = DAY) -> Baseline | None:
    """The expected range at ``index`` from the WEEKS entries one week apart before it (those
    at or after ``first`` only); None with fewer than MIN_HISTORY of them."""
    indices = tuple(i for i in (index - step * k for k in range(1, WEEKS + 1)) if i >= first)
    if len(indices) < MIN_HISTORY:
        return None
    values = series[list(indices)]
    median = float(np.median(values))
    mad = float(np.median(np.abs(values - median)))
    half = max(K * MAD_TO_SIGMA * mad, K * float(np.sqrt(max(median, 1.0))), MIN_DEVIATION)
    return Baseline(median, median - half, median + half, indices)


@dataclass(frozen=True)
class Anomaly:
    metric: str  # a Kpi key
    dim: str  # "all", or the dimension of a per-value series ("category")
    value: str  # "" for "all"
    day: date
    hour: int | None  # None: the whole day
    actual: float
    expected: float  # the baseline's median
    low: float
    high: float
    drivers: Drivers | None = None  # the day against its baseline (daily KPI totals only)

    @property
    def direction(self) -> int:
        return 1 if self.actual > self.expected else -1


@dataclass(frozen=True)
class SeriesCheck:
    metric: str
    dim: str
    value: str
    hourly: bool
    status: Status
    anomalies: tuple[Anomaly, ...]


@dataclass(frozen=True)
class Signal:
    """One series to check: its identity and its values (days or hours of the cube)."""

    metric: str
    dim: str
    value: str
    values: Series


# Drivers of one flagged day: (series, day index, baseline indices) -> Drivers or None.
Explain = Callable[[Signal, int, Sequence[int]], Drivers | None]


def check_series(series: Signal, indices: Sequence[int], first: int,
                 when: Callable[[int], tuple[date, int | None]], *, hourly: bool = False,
                 explain: Explain | None = None) -> SeriesCheck:
    """Judge ``series.values`` at ``indices`` (days, or hours when ``hourly``)."""
    step = HOUR if hourly else DAY
    found: list[Anomaly] = []
    judged = 0
    for index in indices:
        base = baseline(series.values, index, first, step)
        if base is None:
            continue
        judged += 1
        actual = float(series.values[index])
        if base.low <= actual <= base.high:
            continue
        day, hour = when(index)
        drivers = explain(series, index, base.indices) if explain is not None else None
        found.append(Anomaly(series.metric, series.dim, series.value, day, hour, actual,
                             base.median, max(base.low, 0.0), base.high, drivers))
    status = (Status.NOT_ENOUGH_HISTORY if not judged else
              Status.CHECKED if judged == len(indices) else Status.PARTIAL)
    return SeriesCheck(series.metric, series.dim, series.value, hourly, status, tuple(found))


@dataclass(frozen=True)
class AnomalyReport:
    checks: tuple[SeriesCheck, ...]

    @property
    def anomalies(self) -> list[Anomaly]:
        """Every flagged day and hour, newest first."""
        found = [a for check in self.checks for a in check.anomalies]
        return sorted(found, key=lambda a: (a.day, a.hour if a.hour is not None else -1),
                      reverse=True)

    @property
    def short_history(self) -> list[SeriesCheck]:
        """Series with days not judged for too little history."""
        return [c for c in self.checks if c.status is not Status.CHECKED]

    def days_of(self, metric: str) -> list[date]:
        """The flagged days of a KPI's total (what the trend chart marks)."""
        return sorted({a.day for a in self.anomalies
                       if a.metric == metric and a.dim == "all" and a.hour is None})

    def by_metric(self) -> Mapping[str, list[Anomaly]]:
        grouped: dict[str, list[Anomaly]] = {}
        for anomaly in self.anomalies:
            grouped.setdefault(anomaly.metric, []).append(anomaly)
        return grouped
