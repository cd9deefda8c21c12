"""One item's and one author's own analytics pages (pure, no Streamlit): read from day rollups
only, so a 90-day page reads days and values, never events.

What the numbers mean (besides ``dashboards``):

- Visitors of an item: browser sessions that viewed it, once per session and local day
  (``Dim.CONTENT_VISIT``), summed over the days of the period.
- Search terms, purposes and sources: content views of the item by the visit's last search
  term (``q``), purpose (``vp``) and source (``src``), when the view carried them.
- An author's numbers are the sums over their items as they are now (drafts included); views
  of items deleted since are not in them (the dashboard's authors table keeps those).
- Each daily table holds the period and, beside it, the previous period of equal length day by
  day (``prev_*`` columns), so a chart can draw both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from services.analytics.dashboards import CONTENT_TYPES, Period
from services.analytics.tables import Rollups
from services.domain.analytics import ITEM_VALUE_SEP, Dim, EventType
from services.domain.models import ContentItem
from services.ports import EventStore

METRICS = ("views", "visitors", "likes", "downloads")
BREAKDOWNS = {"search_terms": Dim.CONTENT_SEARCH, "purposes": Dim.CONTENT_PURPOSE,
              "sources": Dim.CONTENT_SOURCE}
_DAILY_DIMS = (Dim.CONTENT, Dim.CONTENT_VISIT)


def _rows(store: EventStore, period: Period, dims: Collection[Dim]) -> Rollups:
    """One read: the period and the previous one, the content types, the given dims."""
    return Rollups(store.rollups(period.previous().start, period.end, types=CONTENT_TYPES,
                                 dims=dims))


def _daily_counts(rollups: Rollups, ids: Collection[str]) -> dict[str, Counter[date]]:
    """Per metric, counts by day of the items ``ids`` (likes net of unlikes)."""
    def by_day(type_: EventType, dim: Dim = Dim.CONTENT) -> Counter[date]:
        return rollups.by_day(type_, dim, ids)

    likes = by_day(EventType.LIKE)
    likes.subtract(by_day(EventType.UNLIKE))
    return {"views": by_day(EventType.CONTENT_VIEW),
            "visitors": by_day(EventType.CONTENT_VIEW, Dim.CONTENT_VISIT),
            "likes": likes, "downloads": by_day(EventType.DOWNLOAD)}


def _item_counts(rollups: Rollups, ids: Collection[str],
                 period: Period) -> dict[str, Counter[str]]:
    """Per metric, counts in ``period`` by item (likes net of unlikes)."""
    def by_item(type_: EventType, dim: Dim = Dim.CONTENT) -> Counter[str]:
        counts: Counter[str] = Counter()
        for day, value, count in rollups.rows(type_, dim):
            if value in ids and period.start <= day <= period.end:
                counts[value] += count
        return counts

    likes = by_item(EventType.LIKE)
    likes.subtract(by_item(EventType.UNLIKE))
    return {"views": by_item(EventType.CONTENT_VIEW),
            "visitors": by_item(EventType.CONTENT_VIEW, Dim.CONTENT_VISIT),
            "likes": likes, "downloads": by_item(EventType.DOWNLOAD)}


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


def _breakdown(rollups: Rollups, dim: Dim, content_id: str, period: Period) -> pd.DataFrame:
    """value, views: the item's content views in the period by one per-item dimension."""
    prefix = f"{content_id}{ITEM_VALUE_SEP}"
    counts: Counter[str] = Counter()
    for day, value, count in rollups.rows(EventType.CONTENT_VIEW, dim):
        if period.start <= day <= period.end and value.startswith(prefix):
            counts[value[len(prefix):]] += count
    ranked = sorted(counts, key=lambda v: (-counts[v], v))
    return pd.DataFrame([{"value": v, "views": counts[v]} for v in ranked],
                        columns=["value", "views"])


@dataclass(frozen=True)
class ItemPage:
    content_id: str
    item: ContentItem | None  # None: deleted (its events still count)
    period: Period
    daily: pd.DataFrame  # see daily_frame
    search_terms: pd.DataFrame  # value (the term), views
    purposes: pd.DataFrame  # value (a purpose code), views
    sources: pd.DataFrame  # value (a source label), views

    @property
    def totals(self) -> Totals:
        return Totals.of(self.daily)

    @property
    def previous(self) -> Totals:
        return Totals.of(self.daily, "prev_")


def item_page(store: EventStore, period: Period, content_id: str,
              item: ContentItem | None) -> ItemPage:
    rollups = _rows(store, period, (*_DAILY_DIMS, *BREAKDOWNS.values()))
    daily = daily_frame(_daily_counts(rollups, {content_id}), period)
    parts = {name: _breakdown(rollups, dim, content_id, period)
             for name, dim in BREAKDOWNS.items()}
    return ItemPage(content_id, item, period, daily, **parts)


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
    rollups = _rows(store, period, _DAILY_DIMS)
    ids = {item.id for item in items}
    daily = daily_frame(_daily_counts(rollups, ids), period)
    per_item = _item_counts(rollups, ids, period)
    rows = [{"content_id": item.id, "title": item.title, "status": str(item.status),
             **{m: per_item[m][item.id] for m in METRICS}} for item in items]
    table = pd.DataFrame(rows, columns=["content_id", "title", "status", *METRICS])
    table = table.sort_values("views", ascending=False, kind="stable").reset_index(drop=True)
    name = items[0].author_name if items else author_id
    return AuthorPage(author_id, name, period, daily, table)
