"""EventStore contract, period totals (``rollup_totals``) and day totals
(``rollup_day_totals``): on every backend, the day-level rows of a period summed by (type, dim)
and value (or day), exactly as computed from the raw events with ``rollup_keys``; also after a
warm read, when events arrive for the last day or late for an earlier day, and after the
sample events are removed."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.domain.analytics import (
    SEARCH_TERM_PROP,
    WHOLE_DAY,
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
)
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_event_store import expected

FIRST = date(2026, 3, 1)
LAST = date(2026, 3, 4)
CV = EventType.CONTENT_VIEW
ITEMS = ("c1", "c10", "c2")
TERMS = ("agent", "agent|bedrock", "a")


def events(prefix: str, days: Iterable[date], per_day: int) -> list[Event]:
    found = []
    for day in days:
        for i in range(per_day):
            local = datetime(day.year, day.month, day.day, 9 + i % 3, i % 50, tzinfo=EVENT_TZ)
            found.append(Event(
                id=f"{prefix}{day.isoformat()}-{i:03d}", ts=local.astimezone(UTC),
                type=(CV, CV, EventType.DOWNLOAD, EventType.SEARCH)[i % 4],
                session_id=f"s{i % 5}", content_id=ITEMS[i % 3], category="Finance",
                author_id=f"a{i % 2}", page="home",
                properties={SEARCH_TERM_PROP: TERMS[i // 3 % 3], "query": TERMS[i % 3],
                            "results": i % 2}))
    return found


def period_days(start: date = FIRST, end: date = LAST) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def wanted(events_: Iterable[Event], start: date, end: date,
           types: Collection[EventType] | None, dims: Collection[Dim] | None,
           values: Collection[str] | None = None, prefix: str | None = None) -> PeriodTotals:
    """The totals computed from the raw events: their rollup keys summed over the days."""
    totals: PeriodTotals = {}
    for key, count in expected(events_, EVENT_TZ).items():
        if (key.hour == WHOLE_DAY and start <= key.day <= end
                and (types is None or key.type in types) and (dims is None or key.dim in dims)
                and (values is None or key.value in values)
                and (prefix is None or key.value.startswith(prefix))):
            group = totals.setdefault((key.type, key.dim), {})
            group[key.value] = group.get(key.value, 0) + count
    return totals


READS: list[tuple[list[EventType] | None, list[Dim] | None, list[str] | None, str | None]] = [
    (None, None, None, None),  # everything
    ([CV, EventType.DOWNLOAD], [Dim.ALL, Dim.CONTENT, Dim.AUTHOR], None, None),
    ([EventType.SEARCH], [Dim.SEARCH_TERM], None, None),
    (None, [Dim.CONTENT], ["c1", "none"], None),  # exact ids ("c1" is not "c10")
    ([CV], [Dim.CONTENT_SEARCH], None, "c1|"),  # one item's breakdown
    ([CV], [Dim.CONTENT_SEARCH], ["c1|agent", "c2|a"], "c1|"),
]


@pytest.mark.parametrize(("types", "dims", "values", "prefix"), READS)
def test_totals_are_the_period_rows_summed(
        event_store: Any, types: list[EventType] | None, dims: list[Dim] | None,
        values: list[str] | None, prefix: str | None) -> None:
    stored = events("a", period_days(FIRST, LAST + timedelta(days=1)), 12)
    event_store.append(stored)

    found = event_store.rollup_totals(FIRST, LAST, types, dims, values=values, prefix=prefix)
    assert found == wanted(stored, FIRST, LAST, types, dims, values, prefix)
    assert found  # each selection has something to compare
    # A warm read gives the same answer, and what a caller does to it is its own business.
    found[next(iter(found))].clear()
    again = event_store.rollup_totals(FIRST, LAST, types, dims, values=values, prefix=prefix)
    assert again == wanted(stored, FIRST, LAST, types, dims, values, prefix)


def test_totals_follow_new_events_of_the_last_day_and_late_ones_of_earlier_days(
        event_store: Any) -> None:
    dims = [Dim.ALL, Dim.CONTENT]
    stored = events("a", period_days(), 8)
    event_store.append(stored)
    assert event_store.rollup_totals(FIRST, LAST, dims=dims) == wanted(
        stored, FIRST, LAST, None, dims)

    today = events("b", [LAST], 5)  # the live day
    event_store.append(today)
    stored += today
    assert event_store.rollup_totals(FIRST, LAST, dims=dims) == wanted(
        stored, FIRST, LAST, None, dims)

    late = events("c", [FIRST + timedelta(days=1)], 7)  # a late batch for a past day
    event_store.append(late)
    stored += late
    found = event_store.rollup_totals(FIRST, LAST, dims=dims)
    assert found == wanted(stored, FIRST, LAST, None, dims)
    assert found[CV, Dim.CONTENT]["c1"] > wanted(stored[:-7], FIRST, LAST, None, dims)[
        CV, Dim.CONTENT]["c1"]

    # A day of the period that had no rows gets some; a re-delivered batch changes nothing.
    gap = FIRST - timedelta(days=1)
    event_store.append(events("d", [gap], 4) + late)
    stored += events("d", [gap], 4)
    assert event_store.rollup_totals(gap, LAST, dims=dims) == wanted(
        stored, gap, LAST, None, dims)
    assert event_store.rollup_totals(FIRST, LAST, dims=dims) == wanted(
        stored, FIRST, LAST, None, dims)


def test_removing_the_samples_takes_their_share_out_of_the_totals(event_store: Any) -> None:
    real = events("r", period_days(), 6)
    samples = [replace(e, sample=True) for e in events("s", period_days(), 9)]
    event_store.append(real + samples)
    with_samples = event_store.rollup_totals(FIRST, LAST)
    assert with_samples == wanted(real + samples, FIRST, LAST, None, None)

    event_store.remove_samples()
    assert event_store.rollup_totals(FIRST, LAST) == wanted(real, FIRST, LAST, None, None)
    assert event_store.rollup_totals(FIRST, LAST, [CV], [Dim.CONTENT], values=["c2"]) == (
        wanted(real, FIRST, LAST, [CV], [Dim.CONTENT], ["c2"]))


def test_empty_selections_and_periods_have_no_totals(event_store: Any) -> None:
    event_store.append(events("a", period_days(), 4))
    assert event_store.rollup_totals(FIRST, LAST, types=[]) == {}
    assert event_store.rollup_totals(FIRST, LAST, dims=[Dim.CONTENT], values=[]) == {}
    assert event_store.rollup_totals(LAST, FIRST) == {}
    assert event_store.rollup_totals(date(2025, 1, 1), date(2025, 1, 31)) == {}


def wanted_by_day(events_: Iterable[Event], start: date, end: date,
                  types: Collection[EventType] | None, dims: Collection[Dim] | None,
                  values: Collection[str] | None = None, prefix: str | None = None) -> DayTotals:
    """The day totals computed from the raw events: their rollup keys summed over values."""
    totals: DayTotals = {}
    for key, count in expected(events_, EVENT_TZ).items():
        if (key.hour == WHOLE_DAY and start <= key.day <= end
                and (types is None or key.type in types) and (dims is None or key.dim in dims)
                and (values is None or key.value in values)
                and (prefix is None or key.value.startswith(prefix))):
            group = totals.setdefault((key.type, key.dim), {})
            group[key.day] = group.get(key.day, 0) + count
    return totals


@pytest.mark.parametrize(("types", "dims", "values", "prefix"), READS)
def test_day_totals_are_each_days_rows_summed(
        event_store: Any, types: list[EventType] | None, dims: list[Dim] | None,
        values: list[str] | None, prefix: str | None) -> None:
    stored = events("a", period_days(FIRST, LAST + timedelta(days=1)), 12)
    event_store.append(stored)
    found = event_store.rollup_day_totals(FIRST, LAST, types, dims, values=values,
                                          prefix=prefix)
    assert found == wanted_by_day(stored, FIRST, LAST, types, dims, values, prefix)
    assert found

    late = events("b", [FIRST], 5)  # a warm day changes: its sums with it
    event_store.append(late)
    again = event_store.rollup_day_totals(FIRST, LAST, types, dims, values=values,
                                          prefix=prefix)
    assert again == wanted_by_day(stored + late, FIRST, LAST, types, dims, values, prefix)


def test_removing_the_samples_takes_their_share_out_of_the_day_totals(
        event_store: Any) -> None:
    real = events("r", period_days(), 6)
    samples = [replace(e, sample=True) for e in events("s", period_days(), 9)]
    event_store.append(real + samples)
    assert event_store.rollup_day_totals(FIRST, LAST) == wanted_by_day(
        real + samples, FIRST, LAST, None, None)
    event_store.remove_samples()
    assert event_store.rollup_day_totals(FIRST, LAST) == wanted_by_day(
        real, FIRST, LAST, None, None)


def test_after_new_events_each_part_of_a_warm_day_is_read_again(event_store: Any) -> None:
    stored = events("a", period_days(), 8)
    event_store.append(stored)
    event_store.rollups(FIRST, LAST)  # every part of every day, warm
    event_store.rollups(FIRST, LAST, hourly=True)

    more = events("b", [LAST], 6)
    event_store.append(more)
    stored += more
    # One view's parts first (a live dashboard), then another's, then everything.
    assert event_store.rollup_totals(FIRST, LAST, [CV], [Dim.CONTENT]) == wanted(
        stored, FIRST, LAST, [CV], [Dim.CONTENT])
    assert event_store.rollup_day_totals(FIRST, LAST, dims=[Dim.SEARCH_TERM]) == wanted_by_day(
        stored, FIRST, LAST, None, [Dim.SEARCH_TERM])
    everything = {key: count for key, count in expected(stored, EVENT_TZ).items()
                  if FIRST <= key.day <= LAST}
    read = [*event_store.rollups(FIRST, LAST), *event_store.rollups(FIRST, LAST, hourly=True)]
    assert {row.key: row.count for row in read} == everything
