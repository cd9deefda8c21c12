"""Dashboard queries (pure, no Streamlit). They read only ``EventStore.rollups`` and
``EventStore.visitors`` (never raw events) plus published content metadata, so their cost grows
with the number of days and distinct values, not with the number of events.

What the numbers mean:

- Periods are local calendar days (``settings.timezone``), start..end inclusive; ``previous()``
  is the period of equal length right before. "Today" is compared with the whole of yesterday.
- Visitors: distinct signed-in users plus anonymous browser sessions with any event, from the
  merged daily HyperLogLog sketches (standard error 0.8%, far less below ~40,000 visitors).
- Likes are net: like events minus unlike events in the period (can be negative). A count's
  change is a percent only against a positive previous value (``services.analytics.changes``).
- Content-level numbers (content views, likes, downloads, top content, authors, categories and
  the content lines of the trend) follow the category/author/item filters; every other number
  is platform-wide unless a segment filter (purpose, source, device, hour) is set: then every
  count comes from that segment's rollups (``segments.segmented``), and the numbers a segment
  cannot split (visitors from the sketches, the skip rate) are left empty (``Kpi.unsplit``).
  The tables a segment cannot split (time of day, purposes, search terms) stay the whole
  platform's, each with its own totals: the search tab's total is never the segment's.
  A content event is attributed to the category and author it had when it happened; with
  several filters at once, a segment (and for per-item tables) items are matched against the
  *current* published catalogue, so events of deleted or unpublished items drop out there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

import pandas as pd

from services.analytics.changes import count_difference, percent_change
from services.analytics.period_data import ALL_DIMS as ALL_DIMS
from services.analytics.period_data import CONTENT_TYPES as CONTENT_TYPES
from services.analytics.period_data import TREND_LINES as TREND_LINES
from services.analytics.period_data import TREND_READS as TREND_READS
from services.analytics.period_data import TREND_TYPES as TREND_TYPES
from services.analytics.period_data import PeriodData as PeriodData
from services.analytics.period_data import Scope as Scope
from services.analytics.period_data import content_scope as content_scope
from services.analytics.period_data import kpi_dims, load_filtered
from services.analytics.period_data import load as load
from services.analytics.periods import MAX_DAYS as MAX_DAYS
from services.analytics.periods import PRESET_DAYS as PRESET_DAYS
from services.analytics.periods import Period as Period
from services.analytics.periods import Preset as Preset
from services.analytics.periods import local_today as local_today
from services.analytics.rollups import Rollups
from services.analytics.tables import (
    NO_FILTERS,
    Catalog,
    Filters,
    Purposes,
    SearchTerms,
    TimeOfDay,
    authors_table,
    categories_table,
    load_catalog,
    purposes_of,
    search_terms_of,
    time_of_day_of,
    top_content_table,
)
from services.domain.analytics import NET_LIKES, Dim, EventType
from services.domain.models import ContentItem
from services.ports import ContentRepository, EventStore

# The trend's two scopes: content lines follow the filters, the others are platform-wide
# (hundreds against single digits once filtered, so they never share a chart).
CONTENT_TREND_TYPES = tuple(t for t in TREND_TYPES if t in CONTENT_TYPES)
PLATFORM_TREND_TYPES = tuple(t for t in TREND_TYPES if t not in CONTENT_TYPES)
_KPI_TYPES = (EventType.PAGE_VIEW, EventType.SEARCH, EventType.VISITOR_PURPOSE, *CONTENT_TYPES)
# What a segment cannot split: visitors come from per-day sketches of everyone, and the skip
# rate is of the answers (a visit's purpose is only known after its answer).
UNSPLIT_KPIS = frozenset({"visitors", "purpose_skip_rate"})
_SEARCH_DIMS = (Dim.SEARCH_TERM, Dim.ZERO_RESULT_TERM)


# ---- KPIs ------------------------------------------------------------------------------------


class KpiKind(StrEnum):
    COUNT = "count"  # change = percent change against a positive previous value
    RATE = "rate"  # a share 0..1; change = difference in percentage points
    LABEL = "label"  # a name (the top category); no change


@dataclass(frozen=True)
class Kpi:
    key: str  # visitors, page_views, content_views, likes, downloads, searches, ...
    kind: KpiKind
    value: float | str | None  # None: nothing to show (no data)
    previous: float | str | None
    change: float | None  # see KpiKind; None: no percent to give (see ``difference``)
    platform_wide: bool  # True: not affected by the category/author filters
    share: float | None = None  # LABEL only: the top category's share of content views
    unsplit: bool = False  # True: a segment filter is set and cannot split this number

    @property
    def is_new(self) -> bool:
        """A count that rose from zero: no percent to show, and nothing to compare with."""
        return (self.kind is KpiKind.COUNT and self.previous == 0
                and isinstance(self.value, int | float) and self.value > 0)

    @property
    def difference(self) -> float | None:
        """A count's plain difference where it stands in for a percent (see
        ``count_difference``); None otherwise."""
        if self.kind is not KpiKind.COUNT or not isinstance(self.value, int | float) \
                or not isinstance(self.previous, int | float):
            return None
        return count_difference(self.value, self.previous)


def _count_kpi(key: str, value: int, previous: int, platform_wide: bool) -> Kpi:
    return Kpi(key, KpiKind.COUNT, value, previous, percent_change(value, previous),
               platform_wide)


def _rate_kpi(key: str, value: float | None, previous: float | None) -> Kpi:
    change = (value - previous) * 100 if value is not None and previous is not None else None
    return Kpi(key, KpiKind.RATE, value, previous, change, True)


def _scoped(data: PeriodData, type_: EventType, scope: Scope) -> int:
    return data.rollups.total(type_, scope.dim, scope.values)


def _net_likes(data: PeriodData, scope: Scope) -> int:
    return data.rollups.net_total(NET_LIKES, scope.dim, scope.values)


def top_category_of(data: PeriodData) -> tuple[str | None, float | None]:
    """The category with the most content views (ties: alphabetical) and its share."""
    views = data.rollups.by_value(EventType.CONTENT_VIEW, Dim.CATEGORY)
    total = sum(views.values())
    if not total:
        return None, None
    top = min(views, key=lambda name: (-views[name], name))
    return top, views[top] / total


def skip_rate_of(data: PeriodData) -> float | None:
    answers = data.rollups.by_value(EventType.VISITOR_PURPOSE, Dim.PURPOSE)
    total = sum(answers.values())
    return answers.get("skipped", 0) / total if total else None


def kpis_of(current: PeriodData, previous: PeriodData, scope: Scope,
            segment: bool = False) -> list[Kpi]:
    """The tiles; with ``segment`` the counts are the segment's and the numbers it cannot
    split are empty, marked ``unsplit``."""
    kpis = _kpis_of(current, previous, scope)
    if not segment:
        return kpis
    return [Kpi(k.key, k.kind, None, None, None, True, unsplit=True) if k.key in UNSPLIT_KPIS
            else replace(k, platform_wide=False) for k in kpis]


def _kpis_of(current: PeriodData, previous: PeriodData, scope: Scope) -> list[Kpi]:
    def total(data: PeriodData, type_: EventType) -> int:
        return data.rollups.total(type_)

    top, share = top_category_of(current)

    return [
        _count_kpi("visitors", current.visitors, previous.visitors, True),
        _count_kpi("page_views", total(current, EventType.PAGE_VIEW),
                   total(previous, EventType.PAGE_VIEW), True),
        _count_kpi("content_views", _scoped(current, EventType.CONTENT_VIEW, scope),
                   _scoped(previous, EventType.CONTENT_VIEW, scope), False),
        _count_kpi("likes", _net_likes(current, scope), _net_likes(previous, scope),
                   False),
        _count_kpi("downloads", _scoped(current, EventType.DOWNLOAD, scope),
                   _scoped(previous, EventType.DOWNLOAD, scope), False),
        _count_kpi("searches", total(current, EventType.SEARCH),
                   total(previous, EventType.SEARCH), True),
        Kpi("top_category", KpiKind.LABEL, top, top_category_of(previous)[0], None, True,
            share),
        _rate_kpi("purpose_skip_rate", skip_rate_of(current), skip_rate_of(previous)),
    ]


def kpis(store: EventStore, period: Period, filters: Filters = NO_FILTERS,
         catalog: Catalog | None = None) -> list[Kpi]:
    """The KPI tiles with their change against ``period.previous()``."""
    scope = content_scope(filters, catalog)
    dims = kpi_dims(scope)
    current = load_filtered(store, period, filters, catalog, types=_KPI_TYPES, dims=dims)
    previous = load_filtered(store, period.previous(), filters, catalog, types=_KPI_TYPES,
                             dims=dims)
    return kpis_of(current, previous, scope, filters.segment is not None)


# ---- trend -----------------------------------------------------------------------------------


def trend_of(data: PeriodData, scope: Scope) -> pd.DataFrame:
    """One row per local day of the period (zeros included), one column per trend line
    (``TREND_LINES``: the like column is net likes)."""
    days = data.period.dates()
    columns: dict[str, list[int]] = {}
    for column, terms in TREND_LINES.items():
        if column in CONTENT_TYPES:
            counts = data.rollups.net_by_day(terms, scope.dim, scope.values)
        else:
            counts = data.rollups.net_by_day(terms)
        columns[column.value] = [counts.get(day, 0) for day in days]
    return pd.DataFrame({"day": days, **columns})


def daily_trend(store: EventStore, period: Period, filters: Filters = NO_FILTERS,
                catalog: Catalog | None = None) -> pd.DataFrame:
    scope = content_scope(filters, catalog)
    dims = (Dim.ALL, scope.dim)
    return trend_of(load_filtered(store, period, filters, catalog, types=TREND_READS, dims=dims,
                                  visitors=False, daily=scope), scope)


# ---- tables (built in dashboard_tables) ------------------------------------------------------


def top_content(store: EventStore, catalog: Catalog, period: Period,
                filters: Filters = NO_FILTERS, limit: int = 20) -> pd.DataFrame:
    data = load(store, period, types=CONTENT_TYPES, dims=[Dim.CONTENT], visitors=False)
    return top_content_table(data.rollups, catalog, filters, limit)


def authors(store: EventStore, catalog: Catalog, period: Period,
            filters: Filters = NO_FILTERS) -> pd.DataFrame:
    data = load(store, period, types=CONTENT_TYPES, dims=[Dim.AUTHOR, Dim.CONTENT],
                visitors=False)
    return authors_table(data.rollups, catalog, filters)


def categories(store: EventStore, catalog: Catalog, period: Period,
               filters: Filters = NO_FILTERS) -> pd.DataFrame:
    data = load(store, period, types=CONTENT_TYPES, dims=[Dim.CATEGORY, Dim.CONTENT],
                visitors=False)
    return categories_table(data.rollups, catalog, filters)


def time_of_day(store: EventStore, period: Period,
                type_: EventType = EventType.PAGE_VIEW) -> TimeOfDay:
    data = load(store, period, types=[], dims=[], hourly=type_, visitors=False)
    return time_of_day_of(data.hourly, type_)


def purposes(store: EventStore, period: Period) -> Purposes:
    data = load(store, period, types=[EventType.VISITOR_PURPOSE],
                dims=[Dim.PURPOSE, Dim.SIGNUP_PURPOSE], visitors=False)
    return purposes_of(data.rollups)


def search_terms(store: EventStore, period: Period, limit: int = 20) -> SearchTerms:
    data = load(store, period, types=[EventType.SEARCH],
                dims=[Dim.ALL, Dim.SEARCH_TERM, Dim.ZERO_RESULT_TERM], visitors=False)
    return search_terms_of(data.rollups, limit)


# ---- everything at once ----------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    period: Period
    filters: Filters
    kpis: list[Kpi]
    trend: pd.DataFrame
    top_content: pd.DataFrame
    authors: pd.DataFrame
    categories: pd.DataFrame
    time_of_day: TimeOfDay
    purposes: Purposes
    search: SearchTerms
    # The previous period's trend (same columns, its own days), for the overlay.
    previous_trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The item filter's title from the catalogue (the period's tables hold only the items with
    # events in it); None without an item filter or for an item no longer published.
    item_title: str | None = None

    @property
    def is_empty(self) -> bool:
        """No event of any charted type in the period."""
        return not bool(self.trend.drop(columns="day").to_numpy().sum())


def dashboard(store: EventStore, repo: ContentRepository, period: Period,
              filters: Filters = NO_FILTERS, *, catalog: Catalog | None = None,
              limit: int = 20, compared: bool = True) -> Dashboard:
    """Every dashboard query for one view: per period (this one with every dimension, the
    previous one with the KPI dimensions) its totals and the trend's day rows, one hourly
    read, two visitor sketches and one catalogue read (skipped when ``catalog`` is given).
    Under a segment filter the search terms are the whole platform's, read on their own.
    ``compared=False``: the period alone, its KPIs with nothing to compare to (a report
    compares two periods' dashboards itself, and reads no third period for that)."""
    catalog = catalog if catalog is not None else load_catalog(repo)
    scope = content_scope(filters, catalog)
    segmented = filters.segment is not None
    item = catalog.get(filters.content_id) if filters.content_id else None
    current = load_filtered(store, period, filters, catalog, hourly=EventType.PAGE_VIEW,
                            daily=scope,
                            dims=[d for d in ALL_DIMS if d not in _SEARCH_DIMS] if segmented
                            else ALL_DIMS)
    previous = (load_filtered(store, period.previous(), filters, catalog, types=_KPI_TYPES,
                              dims=kpi_dims(scope), daily=scope) if compared
                else PeriodData(period.previous(), Rollups([]), [], 0))
    return Dashboard(
        period=period,
        filters=filters,
        kpis=kpis_of(current, previous, scope, filters.segment is not None),
        trend=trend_of(current, scope),
        top_content=top_content_table(current.rollups, catalog, filters, limit),
        authors=authors_table(current.rollups, catalog, filters),
        categories=categories_table(current.rollups, catalog, filters),
        time_of_day=time_of_day_of(current.hourly, EventType.PAGE_VIEW),
        purposes=purposes_of(current.rollups),
        # No rollup splits search terms by segment: under one the tab reads the whole
        # platform's searches, so that its total and zero-result count share its terms' scope.
        search=search_terms(store, period, limit) if segmented
        else search_terms_of(current.rollups, limit),
        previous_trend=trend_of(previous, scope),
        item_title=item.title if item is not None else None,
    )


# ---- an author's own items -------------------------------------------------------------------


@dataclass(frozen=True)
class ContentStats:
    """Views, net likes and downloads of some items (an author's own) in a period."""

    daily: pd.DataFrame  # day, views, likes, downloads (every day of the period)
    items: pd.DataFrame  # content_id, title, status, views, likes, downloads

    def total(self, column: str) -> int:
        return int(self.daily[column].sum())


def content_stats(store: EventStore, period: Period,
                  items: Sequence[ContentItem]) -> ContentStats:
    """Per day and per item, from the per-content rollup rows of these items only."""
    ids = frozenset(item.id for item in items)
    # These items' rows and totals only: an author's page does not pay for every item's.
    dims = [Dim.CONTENT]
    day_rows = store.rollups(period.start, period.end, CONTENT_TYPES, dims, values=ids)
    totals = store.rollup_totals(period.start, period.end, CONTENT_TYPES, dims, values=ids)
    rollups = Rollups(day_rows, totals, {(t, Dim.CONTENT): ids for t in CONTENT_TYPES})

    def per_day(type_: EventType) -> Counter[date]:
        return rollups.by_day(type_, Dim.CONTENT, ids)

    def per_item(type_: EventType) -> Counter[str]:
        found = rollups.by_value(type_, Dim.CONTENT)
        return Counter({key: count for key, count in found.items() if key in ids})

    days = period.dates()
    views, downloads = per_day(EventType.CONTENT_VIEW), per_day(EventType.DOWNLOAD)
    likes = rollups.net_by_day(NET_LIKES, Dim.CONTENT, ids)
    daily = pd.DataFrame({
        "day": days,
        "views": [views[d] for d in days],
        "likes": [likes[d] for d in days],
        "downloads": [downloads[d] for d in days],
    })
    v, dl = per_item(EventType.CONTENT_VIEW), per_item(EventType.DOWNLOAD)
    lk = rollups.net_by_value(NET_LIKES, Dim.CONTENT)
    rows = [{"content_id": item.id, "title": item.title, "status": str(item.status),
             "views": v[item.id], "likes": lk[item.id], "downloads": dl[item.id]}
            for item in items]
    table = pd.DataFrame(rows, columns=["content_id", "title", "status", "views", "likes",
                                        "downloads"])
    return ContentStats(daily, table.sort_values("views", ascending=False, kind="stable")
                        .reset_index(drop=True))
