"""Returning users (administrators and analysts: VIEW_DASHBOARDS): the weekly retention
triangle of signed-in users and new vs returning users per day, read from the counters the
cohort sink keeps at ingest (``ports.CohortStore``), never from raw events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from services.analytics.dashboards import Period
from services.domain.cohorts import (
    MAX_WEEKS,
    CohortRow,
    DayUsers,
    cohort_weeks,
    daily,
    triangle,
)
from services.domain.permissions import Action, Actor, require
from services.ports import CohortStore

WEEK_COLUMNS = [f"w{k}" for k in range(1, MAX_WEEKS + 1)]


@dataclass(frozen=True)
class Retention:
    """The cohorts whose first week overlaps the period, and every day of the period."""

    period: Period
    cohorts: list[CohortRow]
    days: list[DayUsers]

    @property
    def is_empty(self) -> bool:
        return not self.cohorts and not any(d.new or d.returning for d in self.days)

    @property
    def has_shares(self) -> bool:
        """Whether any cohort has a week after its own that has begun: else the triangle has
        no cell to colour (only this week's cohort, or cohorts counted from this week on)."""
        return any(count is not None for row in self.cohorts for count in row.returned)

    def triangle_frame(self) -> pd.DataFrame:
        """One row per cohort: its Monday, size and the share back k weeks later (NaN for a
        week still to come)."""
        rows = [{"cohort": row.cohort, "users": row.size,
                 **{col: row.share(k) for k, col in enumerate(WEEK_COLUMNS, start=1)}}
                for row in self.cohorts]
        return pd.DataFrame(rows, columns=["cohort", "users", *WEEK_COLUMNS])

    def returned_frame(self) -> pd.DataFrame:
        """The same triangle in users rather than shares."""
        rows = [{"cohort": row.cohort, "users": row.size,
                 **dict(zip(WEEK_COLUMNS, row.returned, strict=True))} for row in self.cohorts]
        return pd.DataFrame(rows, columns=["cohort", "users", *WEEK_COLUMNS])

    def daily_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"day": d.day, "new": d.new, "returning": d.returning}
                             for d in self.days], columns=["day", "new", "returning"])


class CohortService:
    def __init__(self, store: CohortStore, today: Callable[[], date]) -> None:
        self._store = store
        self._today = today

    def retention(self, actor: Actor, period: Period) -> Retention:
        """The cohorts of the weeks overlapping ``period`` and its days' new and returning
        users: two range reads, whatever the number of events or users."""
        require(actor, Action.VIEW_DASHBOARDS)
        weeks = cohort_weeks(period.start, period.end)
        cells = self._store.cohort_cells(weeks[0], weeks[-1])
        days = self._store.new_returning(period.start, period.end)
        return Retention(period, triangle(cells, weeks, self._today()),
                         daily(days, period.start, period.end))
