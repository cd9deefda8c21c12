"""The insights of a content report's item or an author report's author, as context data.

A content report about one item (``subject`` = the item id) or an author report about one
author (``subject`` = the author id) reads its ``headline``, ``drivers``, ``anomalies`` and
``forecast`` from ``services.insights.scoped``: the subject's own rollup rows, never the
platform's. Each section says so: ``"scope": "item"`` with ``"item": <id>`` (or ``"author"``
with ``"author": <id>``) and the subject's ``name``. The rows have the same shape as the
platform-wide sections (``insight_context``); an item's drivers are where its content views
came from (search terms, visit purposes, sources), so its other KPIs have none, and
``drivers.split_by`` lists the dimensions there were.
"""

from __future__ import annotations

from typing import Any

from services.analytics.tables import Catalog
from services.domain.analytics import Dim
from services.domain.reports import ReportType
from services.errors import ValidationError
from services.insights.scoped import ScopedInsights
from services.reports.insight_context import (
    ANOMALY_LIMIT,
    anomaly_row,
    drivers_row,
    forecast_rows,
    most_unusual,
    report_status,
)

SUBJECT_DIMS = {ReportType.CONTENT: Dim.CONTENT, ReportType.AUTHOR: Dim.AUTHOR}
Json = dict[str, Any]


def subject_name(kind: ReportType, subject: str, catalog: Catalog) -> str:
    """The item's title or the author's name; a subject the report cannot have is refused
    (another report type, an item not published, an author without a published item)."""
    if kind is ReportType.CONTENT and (item := catalog.get(subject)) is not None:
        return item.title
    if kind is ReportType.AUTHOR and subject in (names := catalog.author_names()):
        return names[subject]
    raise ValidationError("reports.err_unknown_subject")


def subject_choices(kind: ReportType, catalog: Catalog) -> list[tuple[str, str]]:
    """(id, name) of what a report of ``kind`` can be about, by name: a content report's
    published items, an author report's authors with a published item (none for others)."""
    if kind is ReportType.CONTENT:
        found = [(item.id, item.title) for item in catalog]
    elif kind is ReportType.AUTHOR:
        found = list(catalog.author_names().items())
    else:
        return []
    return sorted(found, key=lambda pair: (pair[1].casefold(), pair[0]))


def subject_section(found: ScopedInsights, name: str) -> Json:
    return {"kind": found.kind, "id": found.value, "name": name}


def _scope(found: ScopedInsights, name: str) -> Json:
    return {"scope": found.kind, found.kind: found.value, "name": name}


def scoped_sections(found: ScopedInsights, name: str) -> Json:
    """``headline``, ``drivers``, ``anomalies`` and ``forecast`` of the subject alone."""
    scope, names = _scope(found, name), found.names
    moved = [d for d in found.drivers if d.change and d.relative_change is not None]
    top = max(moved, key=lambda d: abs(d.relative_change or 0.0), default=None)
    flagged = []
    for anomaly in most_unusual(found.anomalies.anomalies)[:ANOMALY_LIMIT]:
        flagged.append({**anomaly_row(anomaly, names), "name": name})
    split_by = sorted({dim for d in found.drivers for dim in d.by_dim})
    return {
        "headline": None if top is None else {**scope, **drivers_row(top, names)},
        "drivers": {**scope, "split_by": split_by,
                    "metrics": [drivers_row(d, names) for d in found.drivers
                                if d.change is not None]},
        "anomalies": {**scope, "status": report_status(found.anomalies),
                      "count": len(found.anomalies.anomalies), "flagged": flagged},
        "forecast": {**scope, "label": "estimate",
                     **forecast_rows(found.forecasts, found.period_ended)},
    }
