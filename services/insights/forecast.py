"""A short forecast: weekday profile x level, always an estimate.

From the last up to ``WINDOW`` (56) complete days (at least ``MIN_DAYS``, 14):

- weekday profile f_w = mean of weekday w / mean of every day (over whole weeks, so each
  weekday counts as often), 1 for every weekday when the series is all zeros;
- level L = mean over the last ``LEVEL_DAYS`` (14) days of y_t / f_w(t) (recent, with the
  weekday pattern taken out);
- estimate for a day d: L * f_w(d); interval: estimate * (1 +/- Z * s), where s is the
  standard deviation of the relative in-sample errors (y_t - L * f_w(t)) / (L * f_w(t)) over
  the window, Z = 1.96 (about 95% if the level holds); the lower end is never below 0.

No trend term: a week or two ahead the recent level is the honest guess, and every number can
be explained as "a usual Tuesday at this month's level". ``backtest_mape`` measures it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

WINDOW = 56
MIN_DAYS = 14
LEVEL_DAYS = 14
Z = 1.96
HORIZONS = (7, 14)
SHOWN_DAYS = 28  # actual days kept with a forecast, to draw it after them


@dataclass(frozen=True)
class Point:
    day: date
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Forecast:
    metric: str
    points: tuple[Point, ...]  # empty: not enough history
    history_days: int  # complete days the model was fitted on
    mape: float | None = None  # back-test error (percent) at 7 days, None: too short to test
    history: tuple[float, ...] = ()  # the last SHOWN_DAYS actual days, oldest first

    @property
    def enough_history(self) -> bool:
        return bool(self.points)

    def total(self, days: int) -> tuple[float, float, float]:
        """(estimate, low, high) summed over the first ``days`` days (the bounds add up: a
        cautious interval for the sum)."""
        shown = self.points[:days]
        return (sum(p.estimate for p in shown), sum(p.low for p in shown),
                sum(p.high for p in shown))


@dataclass(frozen=True)
class Model:
    level: float
    profile: tuple[float, ...]  # by weekday, Monday first
    spread: float  # the relative errors' standard deviation

    def estimate(self, day: date) -> float:
        return self.level * self.profile[day.weekday()]


def fit(history: Sequence[float], last_day: date) -> Model | None:
    """The model of a daily series ending at ``last_day`` (None: fewer than MIN_DAYS)."""
    values = np.asarray(history[-WINDOW:], dtype=float)
    if len(values) < MIN_DAYS:
        return None
    days = [last_day - timedelta(days=len(values) - 1 - i) for i in range(len(values))]
    weekdays = np.array([d.weekday() for d in days])
    whole = len(values) - len(values) % 7  # whole weeks, the latest ones
    overall = values[-whole:].mean()
    if overall <= 0:
        return Model(0.0, (1.0,) * 7, 0.0)
    profile = tuple(float(values[-whole:][weekdays[-whole:] == w].mean() / overall)
                    for w in range(7))
    factors = np.array([profile[w] for w in weekdays])
    recent = factors[-LEVEL_DAYS:] > 0
    level = float((values[-LEVEL_DAYS:][recent] / factors[-LEVEL_DAYS:][recent]).mean())
    fitted = level * factors
    errors = (values[fitted > 0] - fitted[fitted > 0]) / fitted[fitted > 0]
    return Model(level, profile, float(errors.std()) if errors.size else 0.0)


def forecast(metric: str, history: Sequence[float], last_day: date,
             horizon: int = max(HORIZONS)) -> Forecast:
    """The next ``horizon`` days after ``last_day`` (the last complete day of ``history``)."""
    model = fit(history, last_day)
    if model is None:
        return Forecast(metric, (), len(history))
    points = []
    for ahead in range(1, horizon + 1):
        day = last_day + timedelta(days=ahead)
        value = model.estimate(day)
        points.append(Point(day, value, max(value * (1 - Z * model.spread), 0.0),
                            value * (1 + Z * model.spread)))
    mape = backtest_mape(history, last_day, HORIZONS[0])
    return Forecast(metric, tuple(points), min(len(history), WINDOW), mape,
                    tuple(float(v) for v in history[-SHOWN_DAYS:]))


def backtest_mape(history: Sequence[float], last_day: date, horizon: int = 7,
                  origins: int = 3) -> float | None:
    """Mean absolute percentage error (percent) of ``horizon``-day forecasts made at up to
    ``origins`` past points one week apart, each fitted only on the days before it; days with
    an actual 0 are left out. None when the history is too short for one test."""
    errors: list[float] = []
    for origin in range(origins):
        cut = len(history) - horizon - 7 * origin
        if cut < MIN_DAYS:
            break
        past_end = last_day - timedelta(days=len(history) - cut)
        model = fit(history[:cut], past_end)
        assert model is not None
        for ahead in range(1, horizon + 1):
            actual = history[cut + ahead - 1]
            if actual:
                guess = model.estimate(past_end + timedelta(days=ahead))
                errors.append(abs(actual - guess) / abs(actual))
    return float(np.mean(errors)) * 100 if errors else None
