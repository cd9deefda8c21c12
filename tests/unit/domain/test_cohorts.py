"""The cohort math: how one user's new activity changes the counters, and the triangle."""

from __future__ import annotations

from datetime import date, timedelta

from services.domain.cohorts import (
    MAX_WEEKS,
    CohortCell,
    DayKind,
    DayUsers,
    cohort_weeks,
    daily,
    record,
    triangle,
    week_of,
    weeks_to_read,
)

MON = date(2026, 3, 2)
WEEK = timedelta(days=7)
NEW, RET = DayKind.NEW, DayKind.RETURNING


def test_weeks_start_on_monday() -> None:
    assert week_of(date(2026, 3, 8)) == MON  # a Sunday
    assert week_of(MON) == MON
    assert cohort_weeks(date(2026, 3, 4), date(2026, 3, 16)) == [MON, MON + WEEK, MON + 2 * WEEK]


def test_a_first_visit_makes_a_new_user_in_their_weeks_cohort() -> None:
    change = record(None, {MON + timedelta(days=2), MON + WEEK}, [])

    assert change.first == MON + timedelta(days=2)
    assert change.cohort_deltas == {(MON, 0): 1, (MON, 1): 1}
    assert change.day_deltas == {(MON + timedelta(days=2), NEW): 1, (MON + WEEK, RET): 1}


def test_a_later_day_in_a_week_already_counted_adds_a_returning_day_only() -> None:
    change = record(MON, {MON + timedelta(days=3)}, [MON])

    assert change.cohort_deltas == {}
    assert change.day_deltas == {(MON + timedelta(days=3), RET): 1}
    assert change.weeks == frozenset()


def test_an_earlier_day_moves_the_user_to_the_earlier_cohort() -> None:
    first = MON + 2 * WEEK
    low, high = weeks_to_read(first, {MON})
    assert (low, high) == (MON, first + MAX_WEEKS * WEEK)

    change = record(first, {MON}, [first, first + WEEK])

    assert change.first == MON
    assert change.cohort_deltas == {
        (first, 0): -1, (first, 1): -1,  # out of the old cohort
        (MON, 0): 1, (MON, 2): 1, (MON, 3): 1,  # into the new one
    }
    assert change.day_deltas == {(MON, NEW): 1, (first, NEW): -1, (first, RET): 1}


def test_an_earlier_day_in_the_same_week_keeps_the_cohort() -> None:
    change = record(MON + timedelta(days=4), {MON}, [MON])

    assert change.cohort_deltas == {}
    assert change.day_deltas == {(MON, NEW): 1, (MON + timedelta(days=4), NEW): -1,
                                 (MON + timedelta(days=4), RET): 1}


def test_weeks_beyond_the_triangle_are_not_counted() -> None:
    change = record(MON, {MON + (MAX_WEEKS + 1) * WEEK}, [MON])

    assert change.cohort_deltas == {}
    assert change.weeks == {MON + (MAX_WEEKS + 1) * WEEK}  # the fact is kept all the same


def test_nothing_new_changes_nothing() -> None:
    assert not record(MON, set(), [MON]).changed


def test_the_triangle_has_shares_and_blanks_for_weeks_to_come() -> None:
    cells = [CohortCell(MON, 0, 4), CohortCell(MON, 1, 2), CohortCell(MON, 2, 1),
             CohortCell(MON + WEEK, 0, 2), CohortCell(MON + WEEK, 1, 0)]

    rows = triangle(cells, [MON, MON + WEEK, MON + 2 * WEEK], today=MON + 2 * WEEK)

    assert [row.cohort for row in rows] == [MON, MON + WEEK]  # an empty cohort is left out
    assert rows[0].returned[:3] == (2, 1, None)
    assert (rows[0].share(1), rows[0].share(2), rows[0].share(3)) == (0.5, 0.25, None)
    assert rows[1].returned[:2] == (0, None)


def test_daily_fills_every_day_of_the_period() -> None:
    rows = daily([DayUsers(MON + timedelta(days=1), 2, 1)], MON, MON + timedelta(days=2))

    assert rows == [DayUsers(MON, 0, 0), DayUsers(MON + timedelta(days=1), 2, 1),
                    DayUsers(MON + timedelta(days=2), 0, 0)]
