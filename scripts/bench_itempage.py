"""The item page and the author page in the analytics benchmark (``scripts.bench analytics``).

``measure`` times both pages' queries (services/analytics/item_pages.py, from day rollups) for
the most viewed item and its author over the last 90 days, next to the same numbers computed
naively from the raw events of the period and the previous one with pandas (load included).
The item page's own funnels (view -> download, view -> like, from the funnel store's day
counters, period and previous period) are timed on their own too, next to the same counts from
the raw events in pandas (``bench_funnels.naive_counts``), and checked equal.
``naive_item_values`` computes the per-item dimensions from raw events (visits as distinct
sessions per item and local day, search terms as the session's last search before the view),
which the unit test compares with the rollups.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import pandas as pd

from scripts.bench_funnels import naive_counts
from services.analytics.dashboards import Period
from services.analytics.funnels import item_funnel_reports
from services.analytics.item_pages import author_page, item_page
from services.domain.analytics import SEARCH_TERM_MAX, Dim, EventType
from services.domain.funnels import ITEM_FUNNELS, item_funnel
from services.domain.models import Category, ContentItem, Status
from services.ports import EventStore, FunnelStore

Totals = dict[tuple[Any, ...], int]
# The raw events of local days start..end as a DataFrame (bench_analytics.load_raw_frame).
Loader = Callable[[date, date], pd.DataFrame]
CV = EventType.CONTENT_VIEW.value
_TYPES = {"views": EventType.CONTENT_VIEW, "likes": EventType.LIKE,
          "unlikes": EventType.UNLIKE, "downloads": EventType.DOWNLOAD}


# ---- naive, from raw events -------------------------------------------------------------------


def _terms(frame: pd.DataFrame) -> pd.Series:
    """For each event, the last search term of its session up to it (None before any)."""
    ordered = frame.sort_values(["session_id", "ts"], kind="stable")
    searched = ordered["query"].where(ordered["type"] == EventType.SEARCH.value)
    normal = searched.dropna().astype(str).str.casefold().str.split().str.join(" ")
    term = pd.Series(None, index=ordered.index, dtype=object)
    term[normal.index] = normal.str[:SEARCH_TERM_MAX].replace("", None)
    return term.groupby(ordered["session_id"]).ffill().reindex(frame.index)


def naive_item_values(frame: pd.DataFrame, tz: tzinfo) -> Totals:
    """(content_view, dim, value) -> count of the per-item dimensions, from raw events."""
    found: Totals = {}
    views = frame[frame["type"] == CV]
    days = views["ts"].dt.tz_convert(tz).dt.date
    visits = views.assign(day=days).drop_duplicates(["day", "session_id", "content_id"])
    for value, n in visits["content_id"].value_counts().items():
        found[EventType.CONTENT_VIEW, Dim.CONTENT_VISIT, str(value)] = int(n)
    labels = {Dim.CONTENT_SEARCH: _terms(frame)[views.index],
              Dim.CONTENT_PURPOSE: views.get("vp"), Dim.CONTENT_SOURCE: views.get("src")}
    for dim, label in labels.items():
        if label is None:
            continue
        known = label.notna() & (label.astype(str) != "")
        pairs = views.loc[known, "content_id"] + "|" + label[known].astype(str)
        for value, n in pairs.value_counts().items():
            found[EventType.CONTENT_VIEW, dim, str(value)] = int(n)
    return found


def naive_item_page(frame: pd.DataFrame, content_id: str, tz: tzinfo) -> dict[str, Any]:
    """The item page's numbers from raw events: per day and type, visits, search terms."""
    mine = frame[frame["content_id"] == content_id]
    day = mine["ts"].dt.tz_convert(tz).dt.date
    daily = mine.groupby([day, mine["type"]]).size()
    views = mine[mine["type"] == CV]
    visits = views.assign(day=day[views.index]).drop_duplicates(["day", "session_id"])
    terms = _terms(frame)[views.index].dropna().value_counts()
    return {"daily": daily, "visits": visits.groupby("day").size(), "terms": terms}


def naive_author_page(frame: pd.DataFrame, author_id: str, tz: tzinfo) -> pd.DataFrame:
    mine = frame[frame["author_id"] == author_id]
    day = mine["ts"].dt.tz_convert(tz).dt.date
    views = mine[mine["type"] == CV].assign(day=day)
    visits = views.drop_duplicates(["day", "session_id", "content_id"])
    per_item = mine.groupby(["content_id", "type"]).size().unstack(fill_value=0)
    per_item["visitors"] = visits.groupby("content_id").size()
    per_item.attrs["daily"] = mine.groupby([day, mine["type"]]).size()
    return per_item


# ---- timing -----------------------------------------------------------------------------------


def _median_ms(run: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_items(refs: Sequence[Any]) -> list[ContentItem]:
    """The benchmark's content refs as published items (what the author page lists)."""
    made = datetime(2020, 1, 1, tzinfo=UTC)
    return [ContentItem(id=r.id, title=r.id, summary="", body="", category=Category(r.category),
                        tags=(), author_id=r.author_id, author_name=r.author_id,
                        status=Status.PUBLISHED, created_at=made, updated_at=made)
            for r in refs]


def measure(store: EventStore, load: Loader, refs: Sequence[Any], period: Period, runs: int,
            tz: tzinfo, funnels: FunnelStore | None = None) -> dict[str, float]:
    """Median ms of both pages for the most viewed item and its author, and of the naive
    pandas equivalents (one run each beyond 1M events: loading them is the slow part); with
    ``funnels``, the item page includes its funnels, also timed alone."""
    items = bench_items(refs)
    views: Counter[str] = Counter()
    for row in store.rollups(period.start, period.end, [EventType.CONTENT_VIEW], [Dim.CONTENT]):
        views[row.key.value] += row.count
    top = max(items, key=lambda i: views[i.id])
    theirs = [i for i in items if i.author_id == top.author_id]
    before = period.previous()

    def naive_item() -> object:
        return naive_item_page(load(before.start, period.end), top.id, tz)

    def naive_author() -> object:
        return naive_author_page(load(before.start, period.end), top.author_id, tz)

    naive_runs = 1 if sum(views.values()) > 1_000_000 else max(1, min(runs, 3))
    found = _funnels(funnels, load, top.id, period, runs, naive_runs, tz) if funnels else {}
    return {
        **found,
        "item_page_ms": _median_ms(lambda: item_page(store, period, top.id, top, funnels),
                                   runs),
        "author_page_ms": _median_ms(
            lambda: author_page(store, period, top.author_id, theirs), runs),
        "naive_item_page_ms": _median_ms(naive_item, naive_runs),
        "naive_author_page_ms": _median_ms(naive_author, naive_runs),
    }


def _funnels(funnels: FunnelStore, load: Loader, content_id: str, period: Period, runs: int,
             naive_runs: int, tz: tzinfo) -> dict[str, float]:
    """The item's funnels (period and previous) from counters, and naively from raw events."""
    before = period.previous()
    bound = [item_funnel(template, content_id) for template in ITEM_FUNNELS]

    def naive() -> list[list[int]]:
        # A visit's window may run past a period's last day: one more day of events each.
        now = load(period.start, period.end + timedelta(days=1))
        then = load(before.start, before.end + timedelta(days=1))
        return [counts for funnel in bound for counts in (
            naive_counts(now, funnel, tz, period.start, period.end),
            naive_counts(then, funnel, tz, before.start, before.end))]

    reports = item_funnel_reports(funnels, content_id, period)
    fast = [counts for report in reports for counts in (
        [row.visits for row in report.rows], [row.previous_visits for row in report.rows])]
    return {
        "item_funnel_ms": _median_ms(lambda: item_funnel_reports(funnels, content_id, period),
                                     runs),
        "naive_item_funnel_ms": _median_ms(naive, naive_runs),
        "item_funnel_equal": float(fast == naive()),
    }


def print_funnels(result: dict[str, dict[str, float]]) -> None:
    """One line per size below the analytics table (when the funnels were measured)."""
    if "item_funnel_ms" not in result:
        return
    print(f"{'events':>10} {'item funnels ms':>16} {'naive ms':>10} {'same':>5}")
    for size, value in result["item_funnel_ms"].items():
        naive = result["naive_item_funnel_ms"][size]
        same = "yes" if result["item_funnel_equal"][size] else "NO"
        print(f"{int(size):>10,} {value:>16.2f} {naive:>10,.0f} {same:>5}")
    print("item funnels = the most viewed item's view -> download and view -> like funnels over "
          "90 days and the previous period, from the per-day step counters (median; included "
          "in item90); naive = the same from the raw events in pandas.")
