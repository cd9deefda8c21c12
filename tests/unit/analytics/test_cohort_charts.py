"""The returning-users charts: percentages written in the triangle's cells, blanks for weeks
still to come, oldest cohort on top; new and returning stacked per day."""

from __future__ import annotations

from datetime import date, timedelta

from services.analytics.cohorts import Retention
from services.analytics.dashboards import Period
from services.domain.cohorts import CohortRow, DayUsers
from services.ui.cohorts import daily_chart, triangle_chart, triangle_empty_text

MON = date(2026, 3, 2)


def retention() -> Retention:
    rows = [CohortRow(MON, 4, (2, 1, None, None, None, None, None, None)),
            CohortRow(MON + timedelta(days=7), 2, (0, None, None, None, None, None, None, None))]
    days = [DayUsers(MON, 3, 0), DayUsers(MON + timedelta(days=1), 1, 2)]
    return Retention(Period(MON, MON + timedelta(days=1)), rows, days)


def test_the_triangle_writes_each_share_in_its_cell() -> None:
    heat = triangle_chart(retention()).data[0]

    assert list(heat.y) == ["2026-03-02 (4)", "2026-03-09 (2)"]
    assert list(heat.text[0][:3]) == ["50%", "25%", ""]
    assert list(heat.z[1][:2]) == [0.0, None]
    assert (heat.zmin, heat.zmax) == (0, 100)


def test_new_and_returning_users_are_stacked_per_day() -> None:
    figure = daily_chart(retention())

    assert figure.layout.barmode == "stack"
    assert [list(bar.y) for bar in figure.data] == [[3, 1], [0, 2]]


def test_a_triangle_without_a_week_begun_after_any_cohort_says_why_it_is_empty() -> None:
    """Only this week's cohort (no week after it has begun): no blank heatmap, but why, and
    what period to choose."""
    this_week = Retention(Period(MON, MON), [CohortRow(MON, 3, (None,) * 8)],
                          [DayUsers(MON, 3, 0)])
    assert not this_week.has_shares
    assert "90일" in triangle_empty_text(this_week)
    assert retention().has_shares and triangle_empty_text(retention()) is None
