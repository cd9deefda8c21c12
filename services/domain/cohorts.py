"""Returning users: weekly cohorts of signed-in users and new vs returning per day. Pure.

A signed-in user's *cohort* is the local (ISO, Monday-first) week of their first event; they
are *new* on the local day of their first event and *returning* on every later day they are
active. Anonymous visitors are not counted (they are a browser session, no more).

The stores keep, per user, the first day and the set of active weeks and days, and counters:
users of cohort week W active in week W + k (k = 0 is the cohort's size, up to ``MAX_WEEKS``)
and new / returning users per day. ``record`` is the one definition of how one user's new
activity changes those counters, including an earlier event arriving late (an import): the
user then moves to the earlier cohort and their first day becomes a returning day.

Sample events (demo traffic) are counted as users of their own (``UserKey`` holds the flag), so
removing them takes out exactly what they added; an id seen in both is counted in both until
the samples are removed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from enum import StrEnum
from typing import TypeVar

from services.domain.analytics import Event, local_day_hour

_K = TypeVar("_K")
MAX_WEEKS = 8  # the triangle shows weeks 1..MAX_WEEKS after the first week
_WEEK = timedelta(days=7)


class DayKind(StrEnum):
    NEW = "new"
    RETURNING = "returning"


UserKey = tuple[str, bool]  # (user id, sample): demo traffic is counted apart


def user_days(events: Iterable[Event], tz: tzinfo) -> dict[UserKey, set[date]]:
    """The local days each signed-in user was active in ``events``."""
    found: defaultdict[UserKey, set[date]] = defaultdict(set)
    for event in events:
        if event.user_id:
            found[event.user_id, event.sample].add(local_day_hour(event.ts, tz)[0])
    return found


def week_of(day: date) -> date:
    """The Monday that starts ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def weeks_after(cohort: date, week: date) -> int:
    return (week - cohort).days // 7


@dataclass(frozen=True)
class CohortCell:
    """Users of the cohort starting ``cohort`` (a Monday) active ``offset`` weeks later."""

    cohort: date
    offset: int
    users: int


@dataclass(frozen=True)
class DayUsers:
    day: date
    new: int
    returning: int


@dataclass(frozen=True)
class Activity:
    """What one user's new activity changes: their first day, the facts to store and the
    counter deltas (zero deltas left out)."""

    first: date | None
    days: frozenset[date] = frozenset()
    weeks: frozenset[date] = frozenset()
    cohort_deltas: Mapping[tuple[date, int], int] = field(default_factory=dict)
    day_deltas: Mapping[tuple[date, DayKind], int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.days or self.weeks)


def weeks_to_read(first: date | None, days: Collection[date]) -> tuple[date, date]:
    """The range of a user's stored active weeks ``record`` needs: the weeks of ``days`` and,
    when an earlier day moves the user to an earlier cohort, every week the old cohort's
    counters held them in."""
    weeks = [week_of(day) for day in days]
    low, high = min(weeks), max(weeks)
    if first is not None and low < week_of(first):
        high = max(high, week_of(first) + MAX_WEEKS * _WEEK)
    return low, high


def record(first: date | None, new_days: Collection[date],
           stored_weeks: Collection[date]) -> Activity:
    """The change ``new_days`` (active days not stored yet) make for a user whose first day is
    ``first`` (None: never seen) and whose stored active weeks include ``stored_weeks`` (at
    least those in ``weeks_to_read``)."""
    if not new_days:
        return Activity(first)
    stored = set(stored_weeks)
    weeks = {week_of(day) for day in new_days} - stored
    earliest = min(new_days)
    days_delta: Counter[tuple[date, DayKind]] = Counter()
    cohort_delta: Counter[tuple[date, int]] = Counter()
    if first is None or earliest < first:
        new_first = earliest
        days_delta[earliest, DayKind.NEW] += 1
        days_delta.update((day, DayKind.RETURNING) for day in new_days if day != earliest)
        if first is not None:  # the old first day was "new": it is a returning day now
            days_delta[first, DayKind.NEW] -= 1
            days_delta[first, DayKind.RETURNING] += 1
    else:
        new_first = first
        days_delta.update((day, DayKind.RETURNING) for day in new_days)
    cohort = week_of(new_first)
    if first is not None and week_of(first) != cohort:
        # Moved to an earlier cohort: out of the old one's cells, into the new one's.
        cohort_delta.subtract(_cells(week_of(first), stored))
        cohort_delta.update(_cells(cohort, stored | weeks))
    else:
        cohort_delta.update(_cells(cohort, weeks))
    return Activity(new_first, frozenset(new_days), frozenset(weeks),
                    _nonzero(cohort_delta), _nonzero(days_delta))


def _cells(cohort: date, weeks: Iterable[date]) -> list[tuple[date, int]]:
    offsets = (weeks_after(cohort, week) for week in weeks)
    return [(cohort, k) for k in offsets if 0 <= k <= MAX_WEEKS]


def _nonzero(counts: Counter[_K]) -> dict[_K, int]:
    return {key: n for key, n in counts.items() if n}


# ---- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortRow:
    """One row of the retention triangle: ``returned[k - 1]`` users active k weeks after the
    cohort week, None for a week that has not begun yet (after ``today``'s week)."""

    cohort: date
    size: int
    returned: tuple[int | None, ...]

    def share(self, offset: int) -> float | None:
        count = self.returned[offset - 1]
        return None if count is None or not self.size else count / self.size


def cohort_weeks(start: date, end: date) -> list[date]:
    """The Mondays of the weeks that overlap the local days ``start``..``end``."""
    first, last = week_of(start), week_of(end)
    return [first + i * _WEEK for i in range(weeks_after(first, last) + 1)]


def triangle(cells: Iterable[CohortCell], weeks: Iterable[date], today: date) -> list[CohortRow]:
    """The cohorts of ``weeks`` (empty ones left out), newest last; a week after ``today``'s
    has no value yet."""
    counts: Counter[tuple[date, int]] = Counter()
    for cell in cells:
        counts[cell.cohort, cell.offset] += cell.users
    current = week_of(today)
    rows = []
    for week in weeks:
        size = counts[week, 0]
        if size <= 0:
            continue
        returned = tuple(counts[week, k] if week + k * _WEEK <= current else None
                         for k in range(1, MAX_WEEKS + 1))
        rows.append(CohortRow(week, size, returned))
    return rows


def daily(rows: Iterable[DayUsers], start: date, end: date) -> list[DayUsers]:
    """Every day of ``start``..``end`` (zero where nobody signed in was active)."""
    found: dict[date, tuple[int, int]] = {}
    for row in rows:
        new, returning = found.get(row.day, (0, 0))
        found[row.day] = (new + row.new, returning + row.returning)
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [DayUsers(day, *found.get(day, (0, 0))) for day in days]
