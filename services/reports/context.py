"""The facts an AI insight report may use, built from two dashboards (pure, no I/O).

``build_context(report_type, current, previous, period, language)`` turns the dashboard of the
period and that of the period right before it into one JSON-serialisable dict: the exact data
block placed in the prompt, shown to the user, stored with the report and read by the PDF.

Numbers and their rounding (defined once, in ``fig``):

- counts are integers (views, items, searches, ...);
- ``ratio``: shares and rates as a fraction 0..1 with 3 decimals (0.375 is 37.5%);
- ``percent``: changes against the previous period in percent, and changes of rates in
  percentage points, with 1 decimal (``change``); ``delta`` is the plain difference of counts;
- ``average``: per-item and per-author averages with 1 decimal.

A change is null when the previous value is 0 or below (net likes can be negative, and a
percent of a negative value points the wrong way): ``delta`` then tells it. Every figure sits at a
stable JSON path (``kpis[0].value``, ``time_of_day.top3_share``) the prompt asks models to cite.
The per-item numbers (view bands, authors' consistency) need ``current.top_content`` to cover
the catalogue: build the dashboards with a ``limit`` at least the number of published items.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, Literal

import pandas as pd

from services.analytics.changes import percent_change
from services.analytics.dashboards import Dashboard, Kpi, KpiKind, Period
from services.analytics.tables import DELETED_ITEMS
from services.domain.reports import ReportLanguage, ReportType
from services.insights.analysis import Insights
from services.insights.scoped import ScopedInsights
from services.reports.insight_context import deleted_named, insight_sections
from services.reports.scoped_context import scoped_sections, subject_section

SCHEMA = "demo-factory/report-context/1"
FigureKind = Literal["ratio", "percent", "average"]
DIGITS: dict[FigureKind, int] = {"ratio": 3, "percent": 1, "average": 1}
TOP_HOURS = 3
VIEW_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0), ("1-9", 1, 9), ("10-49", 10, 49), ("50-99", 50, 99),
    ("100-499", 100, 499), ("500+", 500, None),
)
TOP_LIMITS: dict[ReportType, int] = {ReportType.OVERALL: 10, ReportType.CONTENT: 20,
                                     ReportType.AUTHOR: 10}
AUTHOR_LIMITS: dict[ReportType, int] = {ReportType.OVERALL: 10, ReportType.AUTHOR: 20}
TERM_LIMIT = 10
_KPI_KEYS: dict[ReportType, tuple[str, ...] | None] = {
    ReportType.OVERALL: None,  # every tile
    ReportType.CONTENT: ("content_views", "likes", "downloads", "searches", "top_category"),
    ReportType.AUTHOR: ("content_views", "likes", "downloads", "top_category"),
    ReportType.WHAT_CHANGED: None,
}
UNITS = {
    "ratio": "a share or rate as a fraction 0..1 (0.375 = 37.5%)",
    "change": "percent change against the previous period (null when the previous count was 0 "
              "or below: use delta); for rates, percentage points",
    "delta": "this period minus the previous period",
    # The insights' rows (headline, drivers, anomalies: ``insight_context``).
    "difference": "a KPI's value this period minus the previous period (drivers, headline): "
                  "a count's plain difference, a rate's as a fraction",
    "contribution": "a driver's part of its KPI's difference, signed, in the KPI's unit; its "
                    "share is contribution / difference (signed, can exceed 1 when other "
                    "parts moved the other way)",
    "average": "per-item or per-author average, 1 decimal",
}
Json = dict[str, Any]


def fig(value: float | None, kind: FigureKind) -> float | None:
    """The one rounding rule of the context (see the module docstring)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), DIGITS[kind])


def share(part: float, whole: float) -> float | None:
    return fig(part / whole, "ratio") if whole else None


def change(value: float, previous: float) -> float | None:
    """Percent change, or None when the previous value is 0 or below."""
    return fig(percent_change(value, previous), "percent")


def _int(value: Any) -> int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    return int(value)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [dict(row) for row in frame.to_dict(orient="records")]


def _period(period: Period, last_day_partial: bool = False) -> Json:
    """``last_day_partial``: the period ends on the day the report is made, whose figures are
    lower than a whole day's (a reader, or the model, would see a drop)."""
    return {"start": period.start.isoformat(), "end": period.end.isoformat(),
            "days": period.days, **({"last_day_partial": True} if last_day_partial else {})}


# ---- sections ----------------------------------------------------------------------------


def _kpi(kpi: Kpi) -> Json:
    row: Json = {"key": kpi.key, "kind": kpi.kind.value}
    if kpi.kind is KpiKind.LABEL:
        row.update(value=kpi.value, previous=kpi.previous, change=None,
                   share=fig(kpi.share, "ratio"))
    elif kpi.kind is KpiKind.RATE:
        value = fig(float(kpi.value), "ratio") if kpi.value is not None else None
        previous = fig(float(kpi.previous), "ratio") if kpi.previous is not None else None
        row.update(value=value, previous=previous, change=fig(kpi.change, "percent"))
    else:
        value, prior = _int(kpi.value), _int(kpi.previous)
        row.update(value=value, previous=prior, delta=value - prior,
                   change=fig(kpi.change, "percent"))
    return row


def kpis_section(current: Dashboard, keys: Iterable[str] | None = None) -> list[Json]:
    wanted = None if keys is None else set(keys)
    return [_kpi(k) for k in current.kpis if wanted is None or k.key in wanted]


def trend_section(current: Dashboard) -> Json:
    """Columns of equal length: ``day`` (ISO dates) and one count list per event type."""
    trend = current.trend
    columns: Json = {"day": [d.isoformat() for d in trend["day"]]}
    for name in trend.columns:
        if name != "day":
            columns[str(name)] = [_int(v) for v in trend[name]]
    return columns


def _content_views(current: Dashboard) -> int:
    return next((_int(k.value) for k in current.kpis if k.key == "content_views"), 0)


def _published(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of items still published (the table keeps deleted ones with no title)."""
    return [row for row in _records(frame) if _text(row.get("title"))]


def _named_authors(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Authors' rows without the one that sums authors with nothing published any more (their
    views still count in the totals)."""
    return [row for row in _records(frame) if row.get("author_id") != DELETED_ITEMS]


def top_content_section(current: Dashboard, previous: Dashboard, limit: int) -> list[Json]:
    total = _content_views(current)
    before = {str(r["content_id"]): _int(r["views"]) for r in _records(previous.top_content)}
    rows = []
    for rank, row in enumerate(_published(current.top_content)[:limit], start=1):
        views, prior = _int(row["views"]), before.get(str(row["content_id"]), 0)
        rows.append({
            "rank": rank, "title": _text(row["title"]), "category": _text(row["category"]),
            "author": _text(row["author"]), "views": views, "share": share(views, total),
            "likes": _int(row["likes"]), "downloads": _int(row["downloads"]),
            "likes_per_view": share(_int(row["likes"]), views),
            "previous_views": prior, "change": change(views, prior),
        })
    return rows


def categories_section(current: Dashboard, previous: Dashboard) -> list[Json]:
    before = {str(r["category"]): _int(r["views"]) for r in _records(previous.categories)}
    total = sum(_int(v) for v in current.categories["views"])
    rows = []
    for row in _records(current.categories):
        views, prior = _int(row["views"]), before.get(str(row["category"]), 0)
        rows.append({"category": str(row["category"]), "items": _int(row["items"]),
                     "views": views, "share": share(views, total), "likes": _int(row["likes"]),
                     "previous_views": prior, "change": change(views, prior)})
    return rows


def _views_by_author(current: Dashboard) -> dict[str, list[int]]:
    """Each author's items' views in the period (items with any event), by author name."""
    found: defaultdict[str, list[int]] = defaultdict(list)
    for row in _published(current.top_content):
        author = _text(row.get("author"))
        if author:
            found[author].append(_int(row["views"]))
    return found


def authors_section(current: Dashboard, previous: Dashboard, limit: int) -> list[Json]:
    """Productivity (items, views per item) and consistency: how many of the author's items
    were viewed at all (``active_share``) and how much of the views came from the author's
    most viewed item (``top_item_share``; lower is steadier)."""
    before = {str(r["author_id"]): _int(r["views"]) for r in _records(previous.authors)}
    total = sum(_int(v) for v in current.authors["views"])
    per_item = _views_by_author(current)
    rows = []
    for rank, row in enumerate(_named_authors(current.authors)[:limit], start=1):
        name = str(row["author"])
        items, views = _int(row["items"]), _int(row["views"])
        prior = before.get(str(row["author_id"]), 0)
        viewed = [v for v in per_item.get(name, []) if v > 0]
        rows.append({
            "rank": rank, "author": name, "items": items, "views": views,
            "share": share(views, total), "likes": _int(row["likes"]),
            "downloads": _int(row["downloads"]),
            "views_per_item": fig(views / items, "average") if items else None,
            "likes_per_item": fig(_int(row["likes"]) / items, "average") if items else None,
            "previous_views": prior, "change": change(views, prior),
            "items_with_views": len(viewed), "active_share": share(len(viewed), items),
            "top_item_share": share(max(viewed), views) if viewed and views else None,
            "top_titles": [t for t in str(row.get("top_titles") or "").split(" · ") if t],
        })
    return rows


def productivity_section(current: Dashboard) -> Json:
    rows = _named_authors(current.authors)
    with_items = [r for r in rows if _int(r["items"]) > 0]
    items = sum(_int(r["items"]) for r in rows)
    views = sum(_int(v) for v in current.authors["views"])
    ranked = sorted((_int(r["views"]) for r in rows), reverse=True)
    return {
        "authors_with_items": len(with_items),
        "active_authors": sum(1 for r in rows if _int(r["views"]) > 0),
        "items": items,
        "items_per_author": fig(items / len(with_items), "average") if with_items else None,
        "views_per_item": fig(views / items, "average") if items else None,
        "top_author_share": share(ranked[0], views) if ranked else None,
        "top3_authors_share": share(sum(ranked[:3]), views),
    }


def distribution_section(current: Dashboard) -> Json:
    """Published items by views in the period (bands), and how concentrated views are: the
    most viewed published items' share of all content views, as ``top_content``'s shares and
    the dashboard's (items no longer published count in the whole, never as one item)."""
    items_total = sum(_int(v) for v in current.categories["items"])
    views = sorted((_int(r["views"]) for r in _published(current.top_content)), reverse=True)
    counted = [0] * len(VIEW_BANDS)
    for value in views:
        for index, (_, low, high) in enumerate(VIEW_BANDS):
            if value >= low and (high is None or value <= high):
                counted[index] += 1
                break
    counted[0] = max(0, items_total - sum(counted[1:]))  # items without any event
    total_views = _content_views(current)
    bands = [{"band": name, "min": low, "max": high, "items": n, "share": share(n, items_total)}
             for (name, low, high), n in zip(VIEW_BANDS, counted, strict=True)]
    return {"items_total": items_total, "items_with_views": items_total - counted[0],
            "bands": bands, "top1_share": share(sum(views[:1]), total_views),
            "top5_share": share(sum(views[:5]), total_views),
            "top10_share": share(sum(views[:10]), total_views)}


def time_of_day_section(current: Dashboard) -> Json:
    """Page views by local hour and weekday (0 = Monday): peaks and concentration."""
    tod = current.time_of_day
    matrix = [[_int(v) for v in row] for row in tod.matrix.to_numpy().tolist()]
    by_hour = [sum(row[h] for row in matrix) for h in range(24)]
    by_weekday = [sum(row) for row in matrix]
    total = sum(by_hour)
    top = sorted(range(24), key=lambda h: (-by_hour[h], h))[:TOP_HOURS] if total else []
    return {
        "event": str(tod.type), "total": total, "peak_hour": tod.peak_hour,
        "peak_weekday": tod.peak_weekday,
        "top_hours": [{"hour": h, "count": by_hour[h], "share": share(by_hour[h], total)}
                      for h in top],
        "top3_share": share(sum(by_hour[h] for h in top), total),
        "by_hour": by_hour, "by_weekday": by_weekday, "matrix": matrix,
    }


def purposes_section(current: Dashboard) -> list[Json]:
    return [{"purpose": str(r["purpose"]), "count": _int(r["count"]),
             "share": fig(r["share"], "ratio"),
             "share_of_answers": fig(r["share_of_answers"], "ratio")}
            for r in _records(current.purposes.table)]


def purpose_summary_section(current: Dashboard) -> Json:
    p = current.purposes
    return {"answers": p.total, "answered": p.answered, "skipped": p.skipped,
            "skip_rate": fig(p.skip_rate, "ratio")}


def search_section(current: Dashboard, previous: Dashboard) -> Json:
    now, before = current.search, previous.search
    return {
        "total": now.total, "previous_total": before.total, "delta": now.total - before.total,
        "change": change(now.total, before.total), "zero_total": now.zero_total,
        "zero_rate": fig(now.zero_rate, "ratio"),
        "previous_zero_rate": fig(before.zero_rate, "ratio"),
        "top": [{"term": str(r["term"]), "searches": _int(r["searches"]),
                 "zero_results": _int(r["zero_results"])}
                for r in _records(now.top)[:TERM_LIMIT]],
        "zero_results": [{"term": str(r["term"]), "searches": _int(r["searches"])}
                         for r in _records(now.zero_results)[:TERM_LIMIT]],
    }


# ---- the context of each report type -----------------------------------------------------

Section = Callable[[Dashboard, Dashboard, ReportType], Any]
SECTIONS: dict[str, Section] = {
    "kpis": lambda c, p, t: kpis_section(c, _KPI_KEYS[t]),
    "trend": lambda c, p, t: trend_section(c),
    "top_content": lambda c, p, t: top_content_section(c, p, TOP_LIMITS[t]),
    "categories": lambda c, p, t: categories_section(c, p),
    "authors": lambda c, p, t: authors_section(c, p, AUTHOR_LIMITS[t]),
    "productivity": lambda c, p, t: productivity_section(c),
    "distribution": lambda c, p, t: distribution_section(c),
    "time_of_day": lambda c, p, t: time_of_day_section(c),
    "purposes": lambda c, p, t: purposes_section(c),
    "purpose_summary": lambda c, p, t: purpose_summary_section(c),
    "search": lambda c, p, t: search_section(c, p),
}
SECTIONS_OF: dict[ReportType, tuple[str, ...]] = {
    ReportType.OVERALL: ("kpis", "trend", "top_content", "categories", "authors",
                         "distribution", "time_of_day", "purposes", "purpose_summary",
                         "search"),
    ReportType.CONTENT: ("kpis", "trend", "top_content", "categories", "distribution",
                         "search"),
    ReportType.AUTHOR: ("kpis", "trend", "authors", "productivity", "top_content",
                        "categories"),
    ReportType.WHAT_CHANGED: ("kpis", "trend", "categories"),
}


def build_context(report_type: ReportType | str, current: Dashboard, previous: Dashboard,
                  period: Period, language: ReportLanguage | str,
                  insights: Insights | ScopedInsights | None = None,
                  subject_name: str = "", last_day_partial: bool = False) -> Json:
    """The context of ``report_type`` for ``period`` (``current`` is its dashboard,
    ``previous`` the dashboard of ``period.previous()``); ``insights`` of the same period add
    the ``headline``, ``drivers``, ``anomalies`` and ``forecast`` sections: platform-wide, or
    a report subject's own (``ScopedInsights``: an item or an author, named ``subject_name``,
    also the context's ``subject``). ``last_day_partial``: the period's last day is the day
    the report is made (still being counted)."""
    kind = ReportType(report_type)
    if current.period != period or previous.period != period.previous():
        raise ValueError("the dashboards must be of the period and of the one before it")
    context: Json = {
        "schema": SCHEMA,
        "report_type": kind.value,
        "language": ReportLanguage(language).value,
        "period": _period(period, last_day_partial),
        "previous_period": _period(period.previous()),
        "units": UNITS,
    }
    for name in SECTIONS_OF[kind]:
        context[name] = SECTIONS[name](current, previous, kind)
    if insights is not None:
        if insights.period != period:
            raise ValueError("the insights must be of the report's period")
        insights = replace(insights, names=deleted_named(insights.names,
                                                         context["language"]))
        if isinstance(insights, ScopedInsights):
            context["subject"] = subject_section(insights, subject_name)
            context.update(scoped_sections(insights, subject_name))
        else:
            context.update(insight_sections(insights))
    return context
