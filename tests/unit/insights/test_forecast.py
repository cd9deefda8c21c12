"""The forecast: a weekday profile x level, with an interval, back-tested."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np

from services.analytics.dashboards import Period
from services.insights.analysis import analyse
from services.insights.cube import DayCube, HourCube
from services.insights.forecast import backtest_mape, forecast
from tests.unit.insights.rollups import WEEKDAY_LEVEL, Book, seasonal_views

LAST = date(2026, 6, 30)
MAPE_BOUND = 15.0  # percent, on a weekday-seasonal series with ~10% noise


def seasonal(days: int, seed: int = 1, noise: float = 0.1) -> list[float]:
    rng = random.Random(seed)
    first = LAST - timedelta(days=days - 1)
    return [max(0.0, WEEKDAY_LEVEL[(first + timedelta(days=i)).weekday()] * 10
                * (1 + rng.gauss(0, noise))) for i in range(days)]


def test_backtest_error_on_a_seasonal_series_is_below_the_bound() -> None:
    for seed in range(5):
        mape = backtest_mape(seasonal(70, seed), LAST, 7)
        assert mape is not None and mape < MAPE_BOUND, (seed, mape)
        mape14 = backtest_mape(seasonal(70, seed), LAST, 14)
        assert mape14 is not None and mape14 < MAPE_BOUND


def test_the_forecast_follows_the_weekday_pattern_with_an_interval() -> None:
    found = forecast("page_views", seasonal(56), LAST)
    assert len(found.points) == 14 and found.enough_history
    assert found.points[0].day == LAST + timedelta(days=1)
    for point in found.points:
        assert 0 <= point.low <= point.estimate <= point.high
        expected = WEEKDAY_LEVEL[point.day.weekday()] * 10
        assert abs(point.estimate - expected) / expected < 0.15
    estimate, low, high = found.total(7)
    assert low < estimate < high
    assert abs(estimate - sum(WEEKDAY_LEVEL) * 10) / (sum(WEEKDAY_LEVEL) * 10) < 0.1


def test_too_short_a_history_gives_no_forecast() -> None:
    found = forecast("visitors", seasonal(13), LAST)
    assert found.points == () and not found.enough_history
    assert backtest_mape(seasonal(20), LAST, 7) is None


def test_an_all_zero_series_forecasts_zero() -> None:
    found = forecast("content_views", [0.0] * 30, LAST)
    assert all(p.estimate == p.low == p.high == 0 for p in found.points)


def test_days_before_the_first_event_are_not_history() -> None:
    book = Book()
    seasonal_views(book, LAST - timedelta(days=9), 10)  # ten days of events only
    start = LAST - timedelta(days=80)
    rows = book.rows()
    cube = DayCube(rows, start, LAST + timedelta(days=1))
    found = analyse(cube, HourCube(rows, start, LAST), np.zeros(cube.days),
                    Period(LAST - timedelta(days=6), LAST), LAST + timedelta(days=1), 0, 0, 0)
    assert [f.enough_history for f in found.forecasts] == [False, False, False]


def _analysed(period: Period, today: date) -> tuple[int, bool]:
    book = Book()
    seasonal_views(book, LAST - timedelta(days=55), 56)
    start = LAST - timedelta(days=80)
    rows = book.rows()
    cube = DayCube(rows, start, today)
    found = analyse(cube, HourCube(rows, start, today), np.zeros(cube.days), period, today, 0,
                    0, 0)
    return len(found.forecasts), found.period_ended


def test_a_period_that_ended_before_yesterday_has_no_forecast() -> None:
    """A forecast looks ahead from yesterday: the days after an older period are history."""
    today = LAST + timedelta(days=1)
    assert _analysed(Period(LAST - timedelta(days=20), LAST - timedelta(days=19)), today) == \
        (0, True)
    assert _analysed(Period(LAST - timedelta(days=6), LAST), today) == (3, False)
    assert _analysed(Period(LAST - timedelta(days=5), today), today) == (3, False)
