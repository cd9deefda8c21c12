"""One item's and one author's own analytics pages (pure, no Streamlit): read from day rollups
only, so a 90-day page reads days and values, never events.

What the numbers mean (besides ``dashboards``):

- Visitors of an item: browser sessions that viewed it, once per session and local day
  (``Dim.CONTENT_VISIT``), summed over the days of the period.
- Search terms, purposes and sources: content views of the item by the visit's last search
  term (``q``), purpose (``vp``) and source (``src``), when the view carried them.
- An author's numbers are the sums over their items as they are now (drafts included); views
  of items deleted since are not in them (the dashboard's authors table keeps those).
- Its funnels: visits (browser sessions) that viewed the item and then downloaded it, or
  liked it, within 30 minutes (``domain.funnels.ITEM_FUNNELS``), from day counters the funnel
  store keeps at ingest; on the day of the visit's first view of the item.
- Each daily table holds the period and, beside it, the previous period of equal length day by
  day (``prev_*`` columns), so a chart can draw both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import pandas as pd

from services.analytics.dashboards import CONTENT_TYPES, Period
from services.analytics.funnels import FunnelReport, item_funnel_reports
from services.domain.analytics import ITEM_VALUE_SEP, NET_LIKES, Dim, EventType
from services.domain.models import ContentItem
from services.ports import EventStore, FunnelStore

METRICS = ("views", "visitors", "likes", "downloads")
BREAKDOWNS = {"search_terms": Dim.CONTENT_SEARCH, "purposes": Dim.CONTENT_PURPOSE,
              "sources": Dim.CONTENT_SOURCE}
# Which metric a per-item rollup row adds to, and with which sign (likes are net).
_METRIC_OF: dict[tuple[str, str], tuple[str, int]] = {
    (EventType.CONTENT_VIEW, Dim.CONTENT): ("views", 1),
    (EventType.CONTENT_VIEW, Dim.CONTENT_VISIT): ("visitors", 1),
    **{(type_, Dim.CONTENT): ("likes", sign) for type_, sign in NET_LIKES},
    (EventType.DOWNLOAD, Dim.CONTENT): ("downloads", 1),
}
_ITEM_DIMS = (Dim.CONTENT, Dim.CONTENT_VISIT)
K = TypeVar("K", str, date)


def _by_metric(totals: Mapping[tuple[EventType, Dim], Mapping[K, int]]
               ) -> dict[str, Counter[K]]:
    """Per metric, the counts of its (type, dim) pairs, signed (likes are net)."""
    found: dict[str, Counter[K]] = {m: Counter() for m in METRICS}
    for pair, counts in totals.items():
        metric, sign = _METRIC_OF[pair]
        into = found[metric]
        for key, count in counts.items():
            into[key] += sign * count
    return found


def _daily(store: EventStore, period: Period, ids: Collection[str]) -> dict[str, Counter[date]]:
    """Per metric, these items' counts by local day over the period and the previous one:
    only their rows, summed per day (a store keeps the sums of days that no longer change)."""
    before = period.previous()
    return _by_metric(store.rollup_day_totals(before.start, period.end, CONTENT_TYPES,
                                              _ITEM_DIMS, values=ids))


def _per_item(store: EventStore, period: Period,
              ids: Collection[str]) -> dict[str, Counter[str]]:
    """Per metric, each item's count over the period (a store keeps those sums too)."""
    return _by_metric(store.rollup_totals(period.start, period.end, CONTENT_TYPES, _ITEM_DIMS,
                                          values=ids))


def daily_frame(counts: dict[str, Counter[date]], period: Period) -> pd.DataFrame:
    """day, the metrics, then prev_day and prev_<metric> for the same day of the previous
    period."""
    days, before = period.dates(), period.previous().dates()
    frame: dict[str, list[object]] = {"day": list(days)}
    for metric in METRICS:
        frame[metric] = [counts[metric][d] for d in days]
    frame["prev_day"] = list(before)
    for metric in METRICS:
        frame[f"prev_{metric}"] = [counts[metric][d] for d in before]
    return pd.DataFrame(frame)


@dataclass(frozen=True)
class Totals:
    views: int
    visitors: int
    likes: int
    downloads: int

    @classmethod
    def of(cls, daily: pd.DataFrame, prefix: str = "") -> Totals:
        return cls(*(int(daily[f"{prefix}{m}"].sum()) for m in METRICS))


def _breakdowns(store: EventStore, period: Period, content_id: str) -> dict[str, pd.DataFrame]:
    """value, views: the item's content views in the period by each per-item dimension (the
    period's sums of this item's values: the terms that led to an item grow with its traffic,
    and a store can keep the sums of days that no longer change)."""
    prefix = f"{content_id}{ITEM_VALUE_SEP}"
    counts: dict[str, Counter[str]] = {dim: Counter() for dim in BREAKDOWNS.values()}
    totals = store.rollup_totals(period.start, period.end, types=[EventType.CONTENT_VIEW],
                                 dims=list(BREAKDOWNS.values()), prefix=prefix)
    for (_, dim), by_value in totals.items():
        for value, count in by_value.items():
            counts[dim][value[len(prefix):]] += count

    def ranked(found: Counter[str]) -> pd.DataFrame:
        order = sorted(found, key=lambda v: (-found[v], v))
        return pd.DataFrame([{"value": v, "views": found[v]} for v in order],
                            columns=["value", "views"])

    return {name: ranked(counts[dim]) for name, dim in BREAKDOWNS.items()}


@dataclass(frozen=True)
class ItemPage:
    content_id: str
    item: ContentItem | None  # None: deleted (its events still count)
    period: Period
    daily: pd.DataFrame  # see daily_frame
    search_terms: pd.DataFrame  # value (the term), views
    purposes: pd.DataFrame  # value (a purpose code), views
    sources: pd.DataFrame  # value (a source label), views
    funnels: tuple[FunnelReport, ...] = ()  # view -> download, view -> like (no store: none)

    @property
    def totals(self) -> Totals:
        return Totals.of(self.daily)

    @property
    def previous(self) -> Totals:
        return Totals.of(self.daily, "prev_")


def item_page(store: EventStore, period: Period, content_id: str, item: ContentItem | None,
              funnels: FunnelStore | None = None) -> ItemPage:
    daily = daily_frame(_daily(store, period, {content_id}), period)
    reports = item_funnel_reports(funnels, content_id, period) if funnels is not None else ()
    return ItemPage(content_id, item, period, daily, **_breakdowns(store, period, content_id),
                    funnels=reports)


@dataclass(frozen=True)
class AuthorPage:
    author_id: str
    name: str
    period: Period
    daily: pd.DataFrame  # see daily_frame: the sums over the author's items
    items: pd.DataFrame  # content_id, title, status, views, visitors, likes, downloads

    @property
    def totals(self) -> Totals:
        return Totals.of(self.daily)

    @property
    def previous(self) -> Totals:
        return Totals.of(self.daily, "prev_")


def author_page(store: EventStore, period: Period, author_id: str,
                items: Sequence[ContentItem]) -> AuthorPage:
    ids = {item.id for item in items}
    daily = daily_frame(_daily(store, period, ids), period)
    counts = _per_item(store, period, ids)
    rows = [{"content_id": item.id, "title": item.title, "status": str(item.status),
             **{m: counts[m][item.id] for m in METRICS}} for item in items]
    table = pd.DataFrame(rows, columns=["content_id", "title", "status", *METRICS])
    table = table.sort_values("views", ascending=False, kind="stable").reset_index(drop=True)
    name = items[0].author_name if items else author_id
    return AuthorPage(author_id, name, period, daily, table)
