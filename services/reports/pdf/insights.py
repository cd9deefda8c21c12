"""The PDF section of drivers, anomalies and the forecast (the context's ``drivers``,
``anomalies`` and ``forecast``; nothing for reports saved before they existed).

A scope line says whose figures they are: the platform's, or the report subject's own (one
item or one author, named). Tables hold what the narrative may cite: each KPI's largest rise
and fall with its share of the change, each flagged day with its usual range and likely driver
(or why none were judged), and the next 7 and 14 days' estimate with its range, under a chart
of the daily estimate inside its band. Driver names (titles, terms) are users' text: every cell
is escaped by ``table``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib.units import inch, mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from services.insights.metrics import RATES
from services.reports.data import Labels
from services.reports.insight_charts import forecast_png
from services.reports.pdf.images import PngImage
from services.reports.pdf.sections import heading
from services.reports.pdf.styles import FRAME_WIDTH
from services.reports.pdf.tables import paragraph, plain, table

RATE_KIND = "rate"
RATE_KEYS = frozenset(rate.key for rate in RATES)
SUBJECT_SCOPES = ("item", "author")  # a content or author report about one of them


def _section(ctx: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    found = ctx.get(name)
    return found if isinstance(found, Mapping) else {}


def _amount(value: Any, rate: bool, signed: bool = False) -> str:
    if value is None:
        return "–"
    if rate:
        return f"{float(value) * 100:{'+' if signed else ''}.1f}{'%p' if signed else '%'}"
    return f"{int(value):{'+' if signed else ''},}"


def _share(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def scope_text(ctx: Mapping[str, Any], labels: Labels) -> str:
    """Whose figures these are: a report subject's own (an item, an author) or the platform's."""
    section = _section(ctx, "drivers")
    scope = section.get("scope")
    if scope in SUBJECT_SCOPES:
        name = section.get("name") or section.get(str(scope)) or ""
        return labels.t(f"pdf.insights_scope_{scope}", name=name)
    return labels.t("pdf.insights_scope")


def drivers_table(ctx: Mapping[str, Any], labels: Labels) -> list[Flowable]:
    rows = []
    for row in _section(ctx, "drivers").get("metrics") or []:
        rate = row.get("kind") == RATE_KIND
        if row.get("difference") and not (row.get("rises") or row.get("falls")):
            # a subject's KPI that moved with no finer rows (an item's likes): say so
            rows.append([labels.metric(row.get("metric")), labels.t("pdf.drv_no_split"),
                         _amount(row.get("difference"), rate, signed=True), "–"])
        for side in ("rises", "falls"):
            for c in row.get(side) or []:
                rows.append([labels.metric(row.get("metric")), labels.driver(c),
                             _amount(c.get("contribution"), rate, signed=True),
                             _share(c.get("share"))])
    if not rows:
        return [paragraph(plain(labels.t("pdf.drv_none")), "muted")]
    header = [labels.t(f"pdf.drv_{k}") for k in ("metric", "driver", "change", "share")]
    return [table(header, rows, aligns=[None, None, "right", "right"])]


def anomalies_table(ctx: Mapping[str, Any], labels: Labels) -> list[Flowable]:
    section = _section(ctx, "anomalies")
    if section.get("status") == "not_enough_history":
        return [paragraph(plain(labels.t("pdf.anom_short")), "muted")]
    rows = []
    for row in section.get("flagged") or []:
        rate = row.get("metric") in RATE_KEYS
        when = str(row.get("day", "")) + (f" {int(row['hour']):02d}:00"
                                          if row.get("hour") is not None else "")
        subject = labels.metric(row.get("metric"))
        if row.get("dim") not in (None, "all"):
            subject = f"{subject} · {labels.driver(row)}"
        drivers = row.get("drivers") or []
        rows.append([when, subject, _amount(row.get("actual"), rate),
                     f"{_amount(row.get('low'), rate)} – {_amount(row.get('high'), rate)}",
                     labels.driver(drivers[0]) if drivers else ""])
    if not rows:
        return [paragraph(plain(labels.t("pdf.anom_none")), "muted")]
    header = [labels.t(f"pdf.anom_{k}") for k in ("day", "metric", "value", "range", "driver")]
    return [table(header, rows, aligns=[None, None, "right", "right", None])]


def forecast_table(ctx: Mapping[str, Any], labels: Labels) -> list[Flowable]:
    rows = []
    for row in _section(ctx, "forecast").get("metrics") or []:
        cells = [labels.metric(row.get("metric"))]
        for key in ("next_7", "next_14"):
            found = row.get(key)
            cells.append(labels.t("pdf.fc_cell", estimate=f"{int(found['estimate']):,}",
                                  low=f"{int(found['low']):,}", high=f"{int(found['high']):,}")
                         if found else labels.t("pdf.fc_short"))
        rows.append(cells)
    header = [labels.t(f"pdf.fc_{k}") for k in ("metric", "next_7", "next_14")]
    return [table(header, rows, aligns=[None, "right", "right"])] if rows else []


def insights_section(ctx: Mapping[str, Any], labels: Labels) -> list[Flowable]:
    """Empty for a context without the insights (reports saved before them)."""
    if not all(isinstance(ctx.get(k), Mapping) for k in ("drivers", "anomalies", "forecast")):
        return []
    return [
        heading(labels.t("pdf.insights_title"), "insights"),
        paragraph(plain(scope_text(ctx, labels)), "muted"),
        heading(labels.t("pdf.drv_title"), "insights-drivers", 1),
        *drivers_table(ctx, labels),
        heading(labels.t("pdf.anom_title"), "insights-anomalies", 1),
        *anomalies_table(ctx, labels),
        _forecast_part(ctx, labels),
    ]


def _forecast_part(ctx: Mapping[str, Any], labels: Labels) -> Flowable:
    """The forecast's chart and table, or why there is none (a period that ended before
    yesterday: ``analysis.forecast_follows``)."""
    if _section(ctx, "forecast").get("period_ended"):
        return KeepTogether([heading(labels.t("pdf.fc_title"), "insights-forecast", 1),
                             paragraph(plain(labels.t("insights.forecast_period_ended")),
                                       "muted")])
    chart = forecast_png(ctx, labels)
    width, height = chart.width_in * inch, chart.height_in * inch
    if width > FRAME_WIDTH:
        width, height = FRAME_WIDTH, height * FRAME_WIDTH / width
    return KeepTogether([heading(chart.title, "insights-forecast", 1),
                         PngImage(chart.png, width, height), Spacer(1, 3 * mm),
                         *forecast_table(ctx, labels),
                         paragraph(plain(labels.t("pdf.fc_note")), "muted")])
