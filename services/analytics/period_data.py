"""What the dashboards read for one period (pure; the meaning of each number is explained in
``services.analytics.dashboards``).

A period's tables (top content, authors, categories, purposes, search terms) and KPIs need
only the period's totals by value, which the store sums for us (``rollup_totals``: a warm read
costs the number of values, not days x values). Only the trend needs day rows, and only of
``Dim.ALL`` and of the content filter's values (``Scope``): those few are read as rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from services.analytics.periods import Period
from services.analytics.rollups import Rollups
from services.analytics.segments import segment_rollups
from services.analytics.tables import Catalog, Filters
from services.domain.analytics import NET_LIKES, Dim, EventType, RollupRow, SegmentKind, Terms
from services.ports import EventStore

CONTENT_TYPES = (EventType.CONTENT_VIEW, EventType.LIKE, EventType.UNLIKE, EventType.DOWNLOAD)
# The trend's columns (named by event type), each a signed sum of the types it reads: the
# like column is net likes (``NET_LIKES``), the number the tiles and tables show.
TREND_LINES: dict[EventType, Terms] = {
    **{t: ((t, 1),) for t in (EventType.PAGE_VIEW, EventType.CONTENT_VIEW, EventType.SEARCH,
                              EventType.DOWNLOAD)},
    EventType.LIKE: NET_LIKES,
}
TREND_TYPES = tuple(TREND_LINES)
# What the trend reads: every type of its columns' terms.
TREND_READS = tuple(dict.fromkeys(t for terms in TREND_LINES.values() for t, _ in terms))
_KPI_DIMS = (Dim.ALL, Dim.CATEGORY, Dim.AUTHOR, Dim.PURPOSE)
ALL_DIMS = (*_KPI_DIMS, Dim.CONTENT, Dim.SEARCH_TERM, Dim.ZERO_RESULT_TERM, Dim.SIGNUP_PURPOSE)


@dataclass(frozen=True)
class Scope:
    """Which rollup rows hold the content-level numbers for the filters."""

    dim: Dim
    values: frozenset[str]


def content_scope(filters: Filters, catalog: Catalog | None = None) -> Scope:
    several = sum(bool(f) for f in (filters.category, filters.author_id, filters.content_id))
    if several > 1:
        if catalog is None:
            raise ValueError("several filters together need the content catalogue")
        return Scope(Dim.CONTENT, frozenset(catalog.ids(filters)))
    if filters.content_id:
        return Scope(Dim.CONTENT, frozenset({filters.content_id}))
    if filters.category:
        return Scope(Dim.CATEGORY, frozenset({filters.category}))
    if filters.author_id:
        return Scope(Dim.AUTHOR, frozenset({filters.author_id}))
    return Scope(Dim.ALL, frozenset({""}))


def kpi_dims(scope: Scope) -> tuple[Dim, ...]:
    return (*_KPI_DIMS, Dim.CONTENT) if scope.dim is Dim.CONTENT else _KPI_DIMS


@dataclass(frozen=True)
class PeriodData:
    """Everything the dashboards read for one period: rollups, hourly rows, visitors."""

    period: Period
    rollups: Rollups
    hourly: list[RollupRow]
    visitors: int


def load(
    store: EventStore,
    period: Period,
    *,
    types: Collection[EventType] | None = None,
    dims: Collection[Dim] = ALL_DIMS,
    hourly: EventType | None = None,
    visitors: bool = True,
    daily: Scope | None = None,
) -> PeriodData:
    """The period's totals of these types and dims, plus (``daily``, for the trend) the day
    rows of the trend's types for ``Dim.ALL`` and the scope's values, the hourly rows of one
    type and the visitor sketch if asked."""
    totals = store.rollup_totals(period.start, period.end, types=types, dims=dims)
    rows: list[RollupRow] = []
    read: dict[tuple[str, str], frozenset[str] | None] = {}
    if daily is not None:
        trend = [t for t in TREND_READS if types is None or t in types]
        read = {(t, Dim.ALL): None for t in trend}
        day_dims = [Dim.ALL]
        if daily.dim is not Dim.ALL and daily.dim in dims:
            day_dims.append(daily.dim)
            read |= {(t, daily.dim): daily.values for t in trend if t in CONTENT_TYPES}
        # One read for both: a Dim.ALL row's value is "", which no other dimension holds.
        values = None if len(day_dims) == 1 else daily.values | {""}
        rows = store.rollups(period.start, period.end, types=trend, dims=day_dims,
                             values=values) if trend else []
    hours = (store.rollups(period.start, period.end, types=[hourly], dims=[Dim.ALL], hourly=True)
             if hourly is not None else [])
    count = store.visitors(period.start, period.end).estimate() if visitors else 0
    return PeriodData(period, Rollups(rows, totals, read), hours, count)


def load_filtered(store: EventStore, period: Period, filters: Filters, catalog: Catalog | None,
                  *, types: Collection[EventType] | None = None,
                  dims: Collection[Dim] = ALL_DIMS, hourly: EventType | None = None,
                  visitors: bool = True, daily: Scope | None = None) -> PeriodData:
    """``load``, then with a segment filter only that segment's share of the rollups (the
    segment rows are read instead of the whole-platform ones)."""
    segment = filters.segment
    if segment is None:
        return load(store, period, types=types, dims=dims, hourly=hourly, visitors=visitors,
                    daily=daily)
    if catalog is None:
        raise ValueError("a segment filter needs the content catalogue")
    unsplit = [d for d in dims if d not in (Dim.ALL, Dim.CONTENT, Dim.CATEGORY, Dim.AUTHOR)]
    hours = (store.rollups(period.start, period.end, types=types, dims=[Dim.ALL], hourly=True,
                           hour=int(segment.value))
             if segment.kind is SegmentKind.HOUR else [])
    charted = (store.rollups(period.start, period.end, types=[hourly], dims=[Dim.ALL],
                             hourly=True) if hourly is not None else [])
    # The segment's own rows only (not every segment's): what keeps a filtered view's cost
    # from growing with the traffic.
    rollups = segment_rollups(store, period.start, period.end, segment, catalog, types,
                              unsplit, hours,
                              (daily.dim, daily.values) if daily is not None else None)
    return PeriodData(period, rollups, charted, 0)
