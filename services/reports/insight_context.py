"""The insights of a report's period as labelled context data (pure, no I/O).

``insight_sections(insights)`` turns ``services.insights.Insights`` (drivers of every KPI's
change, the period's anomalies, the forecast) into three JSON sections of the report context:
``drivers``, ``anomalies`` and ``forecast``, plus ``headline`` (the largest change, the start
of the "what changed" report). Every section says its ``scope``: these are read from the
platform's rollups (``"platform"``); a content report about one item or an author report about
one author has its subject's own sections instead (``services.reports.scoped_context``).
Numbers follow the context's rounding (``context.fig``):
counts are integers, rates and shares ratios 0..1, relative changes percent. A KPI's
``difference`` is after minus before; a driver's ``contribution`` is its part of it (its
``share`` of the difference, signed; for rates ``mix`` + ``rate`` = ``contribution``). The
forecast is labelled an estimate, with its interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.domain.analytics import Dim
from services.i18n import translate
from services.insights.analysis import Insights
from services.insights.anomalies import Anomaly, AnomalyReport, Status
from services.insights.drivers import (
    DELETED,
    NAMED_DIMS,
    REST,
    Contribution,
    Drivers,
    fold_unnamed,
)
from services.insights.forecast import Forecast
from services.insights.metrics import RATES

SCOPE = "platform"  # a subject's own sections say "item" or "author"
TOP_DRIVERS = 3  # rises and falls shown per KPI
ANOMALY_LIMIT = 10
ANOMALY_DRIVERS = 3
HORIZONS = (7, 14)
_RATE_KEYS = frozenset(r.key for r in RATES)
Json = dict[str, Any]


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def _value(metric: str, value: float | None) -> float | int | None:
    """A rate as a ratio, a count as an integer."""
    if value is None:
        return None
    return _ratio(value) if metric in _RATE_KEYS else round(float(value))


def deleted_named(names: Mapping[str, Mapping[str, str]],
                  lang: str) -> dict[str, Mapping[str, str]]:
    """``names`` with the dashboard's label of the items no longer published (and authors
    with nothing published), under ``DELETED``: what such a value reads as (``_name``)."""
    label = translate(lang, "analytics.deleted_items")
    return {**names, **{dim: {**names.get(dim, {}), DELETED: label} for dim in NAMED_DIMS}}


def _name(names: Mapping[str, Mapping[str, str]], dim: str, value: str) -> str:
    """A value's published name; an item or author without one is never shown by its id
    (the one ``DELETED`` row, or a rate's segment: the deleted label)."""
    known = names.get(dim, {})
    if value in known:
        return known[value]
    return known.get(DELETED, value) if dim in NAMED_DIMS else value


def contribution(c: Contribution, metric: str,
                 names: Mapping[str, Mapping[str, str]]) -> Json:
    row: Json = {"dim": c.dim, "value": c.value, "name": _name(names, c.dim, c.value),
                 "contribution": _value(metric, c.change), "share": _ratio(c.share)}
    if c.mix is not None or c.rate is not None:
        row.update(mix=_ratio(c.mix), rate=_ratio(c.rate))
    return row


def drivers_row(d: Drivers, names: Mapping[str, Mapping[str, str]],
                limit: int = TOP_DRIVERS) -> Json:
    """One KPI: its values, change and the largest rises and falls behind it."""
    d = fold_unnamed(d, names)
    relative = d.relative_change
    return {
        "metric": d.metric, "kind": d.kind, "before": _value(d.metric, d.before),
        "after": _value(d.metric, d.after), "difference": _value(d.metric, d.change),
        # counts: percent against the period before; rates: the change itself (a ratio)
        "relative_change": None if relative is None or d.kind == "rate"
        else round(relative * 100, 1),
        "rises": [contribution(c, d.metric, names) for c in _top(d, limit, 1)],
        "falls": [contribution(c, d.metric, names) for c in _top(d, limit, -1)],
    }


def _top(d: Drivers, limit: int, sign: int) -> list[Contribution]:
    """The largest contributions of one sign and, when none of them is an item, the largest
    item as well: the item behind a category's or an author's move is the reader's next
    question ("the rise came from Finance, mostly from one item")."""
    found = d.top(limit, sign)
    if found and not any(c.dim == Dim.CONTENT.value for c in found):
        item = next((c for c in d.by_dim.get(Dim.CONTENT.value, ()) if c.value != REST
                     and c.change * sign > 0), None)
        if item is not None:
            found.append(item)
    return found


def drivers_section(insights: Insights) -> Json:
    return {"scope": SCOPE,
            "metrics": [drivers_row(d, insights.names) for d in insights.drivers
                        if d.change is not None]}


def anomaly_row(a: Anomaly, names: Mapping[str, Mapping[str, str]]) -> Json:
    found = (fold_unnamed(a.drivers, names).top(ANOMALY_DRIVERS) if a.drivers is not None
             else [])
    return {"metric": a.metric, "dim": a.dim, "value": a.value, "day": a.day.isoformat(),
            "hour": a.hour, "direction": "up" if a.direction > 0 else "down",
            "actual": _value(a.metric, a.actual), "expected": _value(a.metric, a.expected),
            "low": _value(a.metric, a.low), "high": _value(a.metric, a.high),
            "drivers": [contribution(c, a.metric, names) for c in found]}


def anomaly_status(insights: Insights) -> str:
    return report_status(insights.anomalies)


def report_status(report: AnomalyReport) -> str:
    """``checked`` (every day judged), ``partial`` or ``not_enough_history``."""
    checks = report.checks
    if not checks or all(c.status is Status.NOT_ENOUGH_HISTORY for c in checks):
        return Status.NOT_ENOUGH_HISTORY.value
    if any(c.status is not Status.CHECKED for c in checks):
        return Status.PARTIAL.value
    return Status.CHECKED.value


def most_unusual(found: list[Anomaly]) -> list[Anomaly]:
    """Whole days before hours, totals before categories, then the farthest outside its
    usual range first (newest first among equals): what a reader should hear about first."""
    def distance(a: Anomaly) -> float:
        half = max(a.high - a.expected, a.expected - a.low, 1e-9)
        return abs(a.actual - a.expected) / half

    return sorted(found, key=lambda a: (a.hour is not None, a.dim != Dim.ALL.value,
                                        -distance(a)))


def anomalies_section(insights: Insights) -> Json:
    found = insights.anomalies.anomalies
    return {"scope": SCOPE, "status": anomaly_status(insights), "count": len(found),
            "flagged": [anomaly_row(a, insights.names)
                        for a in most_unusual(found)[:ANOMALY_LIMIT]]}


def forecast_row(f: Forecast) -> Json:
    row: Json = {"metric": f.metric, "history_days": f.history_days,
                 "enough_history": f.enough_history,
                 "mape": None if f.mape is None else round(f.mape, 1)}
    for days in HORIZONS:
        estimate, low, high = f.total(days)
        row[f"next_{days}"] = ({"estimate": round(estimate), "low": round(low),
                                "high": round(high)} if f.enough_history else None)
    row["days"] = [{"day": p.day.isoformat(), "estimate": round(p.estimate),
                    "low": round(p.low), "high": round(p.high)} for p in f.points]
    return row


def forecast_rows(forecasts: Sequence[Forecast], period_ended: bool) -> Json:
    """The forecast's rows; none after a period that ended before yesterday, marked so that
    the narrative, the prompt and the PDF say why (``analysis.forecast_follows``)."""
    return {"metrics": [forecast_row(f) for f in forecasts],
            **({"period_ended": True} if period_ended else {})}


def forecast_section(insights: Insights) -> Json:
    return {"scope": SCOPE, "label": "estimate",
            **forecast_rows(insights.forecasts, insights.period_ended)}


def headline_section(insights: Insights) -> Json | None:
    """The count KPI with the largest relative change, with its drivers (None: none moved)."""
    found = insights.headline()
    return None if found is None else {"scope": SCOPE, **drivers_row(found, insights.names)}


def insight_sections(insights: Insights) -> Json:
    return {"headline": headline_section(insights), "drivers": drivers_section(insights),
            "anomalies": anomalies_section(insights), "forecast": forecast_section(insights)}
