"""What the report PDF and its charts read from a report's context (pure, no I/O).

The context is the JSON placed in the prompt's data block (``Report.context``), built by
``services.report_context`` from the dashboard. Every reader here is tolerant: a missing or
malformed section gives an empty result (the PDF then says "no data" for that part) instead
of an exception, so an old report, a partial context or a hand-made one still exports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.analytics.changes import count_difference
from services.i18n import translate
from services.i18n.labels import category_name, purpose_name
from services.insights.cube import driver_mark_name

Row = dict[str, Any]
TREND_TYPES = ("page_view", "content_view", "search", "download", "like")


# ---- generic access ----------------------------------------------------------------------------


def section(ctx: Mapping[str, Any], *paths: str) -> Any:
    """The first present, non-empty value among dotted ``paths`` (``"search.top"``)."""
    for path in paths:
        value: Any = ctx
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value not in (None, "", [], {}):
            return value
    return None


def rows_of(value: Any) -> list[Row]:
    """A table as a list of dict rows, from rows, from ``{"rows"|"table"|"items": rows}`` or
    from a dict of equal-length columns; anything else is an empty table."""
    if isinstance(value, Mapping):
        for key in ("rows", "table", "items"):
            if key in value:
                return rows_of(value[key])
        columns = {k: v for k, v in value.items() if isinstance(v, Sequence)
                   and not isinstance(v, str)}
        lengths = {len(v) for v in columns.values()}
        if columns and len(lengths) == 1:
            count = lengths.pop()
            return [{k: v[i] for k, v in columns.items()} for i in range(count)]
        return []
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [dict(row) for row in value if isinstance(row, Mapping)]
    return []


def number(value: Any) -> float | None:
    """A finite float, or None (missing, text, NaN)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if math.isfinite(found) else None


def first(row: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if row.get(key) not in (None, ""):
            return row[key]
    return None


# ---- sections ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiLine:
    key: str
    kind: str  # count | rate | label
    value: Any
    previous: Any
    change: float | None  # percent (count) or percentage points (rate)
    share: float | None = None


def kpis(ctx: Mapping[str, Any]) -> list[KpiLine]:
    found = section(ctx, "kpis", "totals")
    if isinstance(found, Mapping) and not {"rows", "table", "items"} & set(found):
        found = [{"key": key, **(v if isinstance(v, Mapping) else {"value": v})}
                 for key, v in found.items()]
    lines = []
    for row in rows_of(found):
        key = str(first(row, "key", "name", "metric") or "")
        if not key:
            continue
        kind = str(row.get("kind") or ("label" if isinstance(row.get("value"), str)
                                       else "count"))
        change = number(first(row, "change", "change_pct", "delta_pct", "change_pp"))
        lines.append(KpiLine(key, kind, row.get("value"), row.get("previous"), change,
                             number(row.get("share"))))
    return lines


@dataclass(frozen=True)
class Trend:
    days: list[date]
    series: dict[str, list[float]]  # event type -> one value per day

    @property
    def empty(self) -> bool:
        return not self.days or not any(any(v) for v in self.series.values())


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def trend(ctx: Mapping[str, Any]) -> Trend:
    rows = rows_of(section(ctx, "trend", "daily", "daily_trend"))
    days: list[date] = []
    series: dict[str, list[float]] = {t: [] for t in TREND_TYPES}
    for row in rows:
        day = _day(first(row, "day", "date"))
        if day is None:
            continue
        days.append(day)
        for type_ in TREND_TYPES:
            series[type_].append(number(row.get(type_)) or 0.0)
    present = {t: v for t, v in series.items() if any(t in row for row in rows)}
    return Trend(days, present)


def table(ctx: Mapping[str, Any], *paths: str) -> list[Row]:
    return rows_of(section(ctx, *paths))


def top_content(ctx: Mapping[str, Any]) -> list[Row]:
    return table(ctx, "top_content", "content.top", "top_items")


def categories(ctx: Mapping[str, Any]) -> list[Row]:
    return table(ctx, "categories", "category_share", "content.categories")


def authors(ctx: Mapping[str, Any]) -> list[Row]:
    return table(ctx, "authors", "top_authors")


def view_bands(ctx: Mapping[str, Any]) -> list[Row]:
    """Published items by views in the period: ``band`` (``"10-49"``), ``items``, ``share``."""
    return table(ctx, "distribution.bands")


def purposes(ctx: Mapping[str, Any]) -> list[Row]:
    return table(ctx, "purposes", "visitor_purposes", "purpose_mix")


def search_top(ctx: Mapping[str, Any]) -> list[Row]:
    return table(ctx, "search.top", "search.top_terms", "search_terms")


def search_zero(ctx: Mapping[str, Any]) -> list[Row]:
    return table(ctx, "search.zero_results", "search.zero_result_terms", "zero_result_terms")


def heatmap(ctx: Mapping[str, Any]) -> list[list[float]] | None:
    """Weekday (0 = Monday) x hour (0..23) counts, or None."""
    found = section(ctx, "time_of_day.matrix", "time_of_day.heatmap", "heatmap",
                    "time_of_day")
    if not isinstance(found, Sequence) or len(found) != 7:
        return None
    grid = []
    for line in found:
        if not isinstance(line, Sequence) or len(line) != 24:
            return None
        grid.append([number(v) or 0.0 for v in line])
    return grid


# ---- labels and numbers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """The report language's words, through ``services.i18n``."""

    lang: str

    def t(self, key: str, **params: Any) -> str:
        return translate(self.lang, key, **params)

    def category(self, name: Any) -> str:
        return category_name(self.lang, name) or str(name)

    def purpose(self, name: Any) -> str:
        return purpose_name(self.lang, name) or str(name)

    def event(self, type_: str) -> str:
        """A trend line's name (the like line is net likes)."""
        return self.t(f"analytics.trend_line.{type_}")

    def weekday(self, day: int) -> str:
        return self.t(f"analytics.weekday.{day}")

    def kpi(self, key: str) -> str:
        found = self.t(f"analytics.kpi.{key}")
        return key.replace("_", " ") if found == f"analytics.kpi.{key}" else found

    def metric(self, key: Any) -> str:
        """An insight's metric (``drivers``, ``anomalies``, ``forecast`` rows)."""
        found = self.t(f"insights.metric.{key}")
        return str(key) if found == f"insights.metric.{key}" else found

    def driver(self, row: Mapping[str, Any]) -> str:
        """A driver's value and its dimension, ``name (dimension)``: typed names stay as typed
        (renderers escape them)."""
        dim, name = str(row.get("dim", "")), str(row.get("name") or row.get("value") or "")
        if dim == "category":
            name = self.category(name)
        elif dim == "purpose":
            name = self.purpose(name)
        else:
            name = driver_mark_name(self.lang, dim, name) or name
        found = self.t(f"insights.dim.{dim}")
        return f"{name} ({dim if found == f'insights.dim.{dim}' else found})"


def fmt_count(value: Any) -> str:
    found = number(value)
    if found is None:
        return "–" if value in (None, "") else str(value)
    return f"{found:,.0f}" if found == round(found) else f"{found:,.1f}"


def fmt_share(value: Any) -> str:
    """A share 0..1 as a percentage (``0.375`` -> ``37.5%``)."""
    found = number(value)
    return "–" if found is None else f"{found * 100:.1f}%"


def fmt_change(line: KpiLine) -> str:
    if line.change is None:
        # A count with no percent (after a negative previous value) still shows how it moved.
        value, previous = number(line.value), number(line.previous)
        moved = (count_difference(value, previous)
                 if line.kind == "count" and value is not None and previous is not None
                 else None)
        return "–" if moved is None else f"{moved:+,.0f}"
    unit = "%p" if line.kind == "rate" else "%"
    return f"{line.change:+.1f}{unit}"


def fmt_kpi_value(line: KpiLine, value: Any, labels: Labels) -> str:
    if line.kind == "rate":
        return fmt_share(value)
    if line.kind == "label":
        return "–" if value in (None, "") else labels.category(value)
    return fmt_count(value)
