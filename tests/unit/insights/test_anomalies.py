"""Anomalies: planted days and hours are found, clean (weekday-seasonal) series give none, and
a series without enough history is said to be so, never flagged."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from services.analytics.dashboards import Period
from services.domain.analytics import Dim, EventType
from services.insights.analysis import Insights, analyse
from services.insights.anomalies import Status
from services.insights.cube import DayCube, HourCube
from tests.unit.insights.rollups import CV, Book, seasonal_views

TODAY = date(2026, 6, 30)
PERIOD = Period(TODAY - timedelta(days=29), TODAY)
START = PERIOD.start - timedelta(days=70)


def run(book: Book, start: date = START, hour: int = 10) -> Insights:
    rows = book.rows()
    end = TODAY
    cube = DayCube(rows, start, end)
    return analyse(cube, HourCube(rows, start, end), np.zeros(cube.days), PERIOD, TODAY, hour,
                   0, 0)


def flagged(found: Insights, metric: str = "content_views", dim: str = "all") -> list[date]:
    return sorted({a.day for a in found.anomalies.anomalies
                   if a.metric == metric and a.dim == dim and a.hour is None})


def test_a_clean_weekday_seasonal_series_has_no_anomaly() -> None:
    for seed in range(5):
        book = Book()
        seasonal_views(book, START, (TODAY - START).days + 1, seed=seed)
        found = run(book)
        assert found.anomalies.anomalies == [], seed
        checks = [c for c in found.anomalies.checks if c.metric == "content_views"]
        assert all(c.status is Status.CHECKED for c in checks if not c.hourly)


def test_an_outage_and_a_campaign_spike_are_found_with_the_spikes_driver() -> None:
    book = Book()
    # A Wednesday (about 105 views) and a Sunday (about 30 views, +300 in one item).
    outage, spike = TODAY - timedelta(days=20), TODAY - timedelta(days=9)
    assert (outage.weekday(), spike.weekday()) == (2, 6)
    full = (TODAY - START).days + 1
    seasonal_views(book, START, (outage - START).days)
    seasonal_views(book, outage + timedelta(days=1), full - (outage - START).days - 1, seed=8)
    book.add(spike, CV, 300, category="Retail", item="i3", author="a1")
    found = run(book)
    assert flagged(found) == [outage, spike]
    by_day = {a.day: a for a in found.anomalies.anomalies if a.metric == "content_views"
              and a.dim == "all" and a.hour is None}
    assert by_day[outage].direction == -1 and by_day[spike].direction == 1
    drivers = by_day[spike].drivers
    assert drivers is not None
    assert drivers.top(1, sign=1)[0].value in {"i3", "Retail", "a1"}
    assert ("content", "i3") in {(c.dim, c.value) for c in drivers.top(3)}
    # Per category: Retail's spike, and the outage where a category is big enough for a day
    # of nothing to stand out of its noise (Finance: two items, about 50 views).
    by_category = {(a.value, a.day) for a in found.anomalies.anomalies
                   if a.dim == Dim.CATEGORY.value}
    assert ("Retail", spike) in by_category and ("Finance", outage) in by_category
    assert {day for _, day in by_category} == {outage, spike}
    assert found.trend_marks() == {"content_view": [outage, spike]}


def test_too_little_history_is_reported_and_nothing_is_flagged() -> None:
    book = Book()
    start = TODAY - timedelta(days=20)  # three weeks of data: fewer than 4 same weekdays
    seasonal_views(book, start, 21)
    book.add(TODAY - timedelta(days=1), CV, 1000, category="Retail", item="i3")
    found = run(book, start=START)
    assert found.anomalies.anomalies == []
    views = [c for c in found.anomalies.checks if c.metric == "content_views" and not c.hourly
             and c.dim == "all"]
    assert [c.status for c in views] == [Status.NOT_ENOUGH_HISTORY]
    assert views[0] in found.anomalies.short_history


def test_the_running_day_is_not_judged() -> None:
    book = Book()
    seasonal_views(book, START, (TODAY - START).days)  # nothing yet today: not an outage
    assert run(book).anomalies.anomalies == []


def test_an_hourly_spike_in_the_last_week_is_found() -> None:
    book = Book()
    for offset in range((TODAY - START).days + 1):
        day = START + timedelta(days=offset)
        for hour in range(24 if day < TODAY else 10):  # today: the hours gone by
            book.add(day, CV, 20, category="Finance", item="i1", author="a1", hour=hour)
    spike = TODAY - timedelta(days=2)
    book.add(spike, CV, 60, category="Finance", item="i1", author="a1", hour=15)
    found = run(book)
    hours = [(a.day, a.hour) for a in found.anomalies.anomalies if a.hour is not None]
    assert hours == [(spike, 15)]


def test_hours_of_an_outage_today_are_found_but_the_running_hour_is_not() -> None:
    book = Book()
    for offset in range((TODAY - START).days):
        day = START + timedelta(days=offset)
        for hour in range(24):
            book.add(day, CV, 50, category="Finance", item="i1", author="a1", hour=hour)
    found = run(book, hour=3)
    hours = sorted(a.hour for a in found.anomalies.anomalies if a.day == TODAY)
    assert hours == [0, 1, 2]


def purpose_book(skipped: dict[date, int], answers: int = 100) -> Book:
    """Daily visit-purpose answers, 30% skipped unless ``skipped`` says otherwise."""
    book = Book()
    for offset in range((TODAY - START).days):
        day = START + timedelta(days=offset)
        skips = skipped.get(day, 30 + (offset * 7) % 5 - 2)  # 28..32: a little noise
        book.add(day, EventType.VISITOR_PURPOSE, answers)
        book.add_row(day, EventType.VISITOR_PURPOSE, Dim.PURPOSE, "skipped", skips)
        book.add_row(day, EventType.VISITOR_PURPOSE, Dim.PURPOSE, "research", answers - skips)
    return book


def rate_flags(found: Insights) -> list[tuple[date, float]]:
    return [(a.day, a.actual) for a in found.anomalies.anomalies
            if a.metric == "purpose_skip_rate"]


def test_a_day_when_most_visitors_skipped_is_found_and_a_normal_rate_is_not() -> None:
    assert rate_flags(run(purpose_book({}))) == []
    odd = TODAY - timedelta(days=4)
    found = run(purpose_book({odd: 70}))
    assert rate_flags(found) == [(odd, 0.7)]
    anomaly = next(a for a in found.anomalies.anomalies if a.metric == "purpose_skip_rate")
    assert anomaly.drivers is not None and anomaly.drivers.change is not None
    assert anomaly.drivers.change > 0.35  # the day against its weekdays' mean rate


def test_a_rate_of_too_few_answers_is_not_judged() -> None:
    odd = TODAY - timedelta(days=4)
    assert rate_flags(run(purpose_book({odd: 20}, answers=25))) == []
