"""Anomalies: days (and hours) whose value falls outside a weekday-aware baseline.

The baseline of a day is the same weekday in each of the ``WEEKS`` (8) weeks before it (of an
hour: the same weekday and hour). With m = their median and MAD = median |x - m|, the expected
range is

    m +/- max(K * 1.4826 * MAD, K_NOISE * sqrt(DISPERSION * max(m, 1)), min_deviation)

with K = 4: 1.4826 * MAD estimates the standard deviation of normal noise. Eight quiet weeks
can have a MAD of nearly 0, so the range is never narrower than K_NOISE = 3 standard
deviations of the noise of a count, whose variance is taken as DISPERSION = 4 times a Poisson
count's because events come in visits of several (6 * sqrt(m) in all). ``min_deviation`` is 5
events for a day (a day of 0 against a median of 1 is not news) and 20 for an hour (one busy
visit can add a dozen page views to a quiet hour).

Rates (the purpose skip rate, the zero-result search rate) are judged by day the same way, with
the binomial noise K_NOISE * sqrt(m (1 - m) / n) of the day's n trials as the floor, at least
MIN_RATE_DEVIATION (5 percentage points), and only on days with n >= MIN_RATE_BASE (30).

A baseline needs at least ``MIN_HISTORY`` (4) of those weekdays on or after the first day with
any event; days without that are not judged (status NOT_ENOUGH_HISTORY or PARTIAL, never a
flag). The caller leaves out the running day and hour: a partial day would always look like an
outage.
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
K_NOISE = 3.0
DISPERSION = 4.0
MIN_DEVIATION = 5.0  # events, for a day
MIN_DEVIATION_HOUR = 20.0
MIN_RATE_BASE = 30  # a rate's denominator on the day, at least, to be judged
MIN_RATE_DEVIATION = 0.05  # 5 percentage points
DAY = 7  # steps of one week in a daily series
HOUR = 7 * 24  # ... and in an hourly series


class Status(StrEnum):
    CHECKED = "checked"  # every day (hour) had a baseline
    PARTIAL = "partial"  # some had too little history and were not judged
    NOT_ENOUGH_HISTORY = "not_enough_history"  # none had a baseline


def _half_width(median: Series, mad: Series, step: int, base: Series | None) -> Series:
    """How far from the median a value may be (see the module's docstring)."""
    if base is None:  # a count
        noise = K_NOISE * np.sqrt(DISPERSION * np.maximum(median, 1.0))
        least = MIN_DEVIATION_HOUR if step == HOUR else MIN_DEVIATION
    else:  # a rate of ``base`` trials: binomial noise
        share = np.clip(median, 0.0, 1.0)
        noise = K_NOISE * np.sqrt(share * (1 - share) / np.maximum(base, 1.0))
        least = MIN_RATE_DEVIATION
    half: Series = np.maximum(np.maximum(K * MAD_TO_SIGMA * mad, noise), least)
    return half


def _lags(index: int, first: int, step: int) -> tuple[int, ...]:
    return tuple(i for i in (index - step * k for k in range(1, WEEKS + 1)) if i >= first)


def baselines(series: Series, indices: Sequence[int], first: int,
              step: int = DAY) -> tuple[Series, Series, Series]:
    """The baselines at ``indices`` (the WEEKS entries one week apart before each, those at or
    after ``first`` only): (judged mask: at least MIN_HISTORY of them, median, MAD)."""
    at = np.asarray(indices)[:, None] - step * np.arange(1, WEEKS + 1)[None, :]
    # Lags run back in time, so the usable ones (at or after ``first``) are the first n of a
    # row: rows are grouped by n and each group's median taken on its first n columns.
    usable = (at >= first).sum(axis=1)
    judged = usable >= MIN_HISTORY
    values = series[np.clip(at, 0, None)]
    median = np.zeros(len(at))
    mad = np.zeros(len(at))
    for n in np.unique(usable[judged]).tolist():
        rows = usable == n
        block = values[rows, :n]
        middle = np.median(block, axis=1)
        median[rows] = middle
        mad[rows] = np.median(np.abs(block - middle[:, None]), axis=1)
    return judged, median, mad


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
    base: Series | None = None  # a rate's denominators (None: a count)


# Drivers of one flagged day: (series, day index, baseline indices) -> Drivers or None.
Explain = Callable[[Signal, int, Sequence[int]], Drivers | None]


def check_series(series: Signal, indices: Sequence[int], first: int,
                 when: Callable[[int], tuple[date, int | None]], *, hourly: bool = False,
                 explain: Explain | None = None) -> SeriesCheck:
    """Judge ``series.values`` at ``indices`` (days, or hours when ``hourly``)."""
    step = HOUR if hourly else DAY
    found: list[Anomaly] = []
    if not indices:
        return SeriesCheck(series.metric, series.dim, series.value, hourly,
                           Status.NOT_ENOUGH_HISTORY, ())
    judged_mask, median, mad = baselines(series.values, indices, first, step)
    at_base = None if series.base is None else series.base[np.asarray(indices)]
    if at_base is not None:  # a rate of too few trials that day says nothing
        judged_mask &= at_base >= MIN_RATE_BASE
    half = _half_width(median, mad, step, at_base)
    low, high = median - half, median + half
    actual = series.values[np.asarray(indices)]
    outside = judged_mask & ((actual < low) | (actual > high))
    for at in np.flatnonzero(outside).tolist():
        index = indices[at]
        day, hour = when(index)
        lags = _lags(index, first, step)
        drivers = explain(series, index, lags) if explain is not None else None
        found.append(Anomaly(series.metric, series.dim, series.value, day, hour,
                             float(actual[at]), float(median[at]), max(float(low[at]), 0.0),
                             float(high[at]), drivers))
    judged = int(judged_mask.sum())
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
