"""The returning-users benchmark, run by ``python -m scripts.bench analytics`` for each size.

On the store the analytics benchmark has just filled: the retention triangle and new vs
returning users for 90 days from the cohort counters (what the "returning users" tab reads),
as a median, next to the same numbers computed naively from the raw events with pandas.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections import Counter
from contextlib import closing
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pandas as pd

from services.bootstrap import build_local_ports
from services.domain.cohorts import (
    MAX_WEEKS,
    CohortCell,
    CohortRow,
    DayUsers,
    cohort_weeks,
    daily,
    triangle,
)
from services.ports import CohortStore
from services.settings import Settings

DAYS = 90
# (title, metric, format) columns for the analytics benchmark's table.
COLUMNS = [("cohort90 ms", "cohorts_ms", ".1f"), ("naive coh ms", "naive_cohorts_ms", ",.0f")]

Answer = tuple[list[CohortRow], list[DayUsers]]


def retention(store: CohortStore, start: date, end: date) -> Answer:
    """What ``CohortService.retention`` reads and computes (without the permission check)."""
    weeks = cohort_weeks(start, end)
    cells = store.cohort_cells(weeks[0], weeks[-1])
    return (triangle(cells, weeks, end),
            daily(store.new_returning(start, end), start, end))


def naive_retention(db: Path, start: date, end: date, tz: tzinfo) -> Answer:
    """The same from raw events: every signed-in event of the period loaded into pandas (the
    benchmark's history starts with the period, so first days agree with the store's)."""
    low = datetime.combine(start, dtime(0), tz).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), dtime(0), tz).astimezone(UTC)
    with closing(sqlite3.connect(db)) as connection:
        frame = pd.read_sql_query(
            "SELECT ts, user_id, sample FROM events WHERE user_id IS NOT NULL"
            " AND ts >= ? AND ts < ?", connection,
            params=(low.isoformat(timespec="microseconds"),
                    high.isoformat(timespec="microseconds")))
    local = pd.to_datetime(frame["ts"], utc=True, format="ISO8601").dt.tz_convert(tz)
    frame = pd.DataFrame({"user": frame["user_id"] + "#" + frame["sample"].astype(str),
                          "day": local.dt.normalize().dt.tz_localize(None)})
    frame = frame.drop_duplicates()
    frame["week"] = frame["day"] - pd.to_timedelta(frame["day"].dt.day_of_week, unit="D")
    first = frame.groupby("user")["day"].transform("min")
    frame["cohort"] = first - pd.to_timedelta(first.dt.day_of_week, unit="D")
    frame["k"] = (frame["week"] - frame["cohort"]).dt.days // 7
    weeks = frame[frame["k"] <= MAX_WEEKS].drop_duplicates(["user", "week"])
    cells = [CohortCell(cohort.date(), int(k), int(n))
             for (cohort, k), n in weeks.groupby(["cohort", "k"]).size().items()]
    is_new = frame["day"] == first
    new = Counter(d.date() for d in frame.loc[is_new, "day"])
    returning = Counter(d.date() for d in frame.loc[~is_new, "day"])
    days = [DayUsers(d, new[d], returning[d]) for d in sorted(set(new) | set(returning))]
    return (triangle(cells, cohort_weeks(start, end), end), daily(days, start, end))


def measure(settings: Settings, end: date, runs: int, timed: Any) -> dict[str, float]:
    """Median milliseconds of both, on the store of ``settings`` (already filled)."""
    store = build_local_ports(settings).cohorts
    assert store is not None
    start = end - timedelta(days=DAYS - 1)
    fast = timed(lambda: retention(store, start, end), runs)
    naive = timed(lambda: naive_retention(settings.sqlite_path, start, end, settings.tz),
                  max(1, runs // 3))
    return {"cohorts_ms": statistics.median(fast), "naive_cohorts_ms": statistics.median(naive)}
