"""Every plotly chart is drawn here: the app's toolbar settings, and a one-line text
alternative read out in place of the picture (its title; per series the total and the peak)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from services.analytics.periods import Period
from services.ui import charts, session
from services.ui.i18n import t

CHART_CONFIG = {"displaylogo": False}
_SERIES_IN_ALT = 3  # a screen reader's line, not the table: the first few series


def _text(value: object) -> str:
    """A label as read aloud: a day as its date, plotly's escaped text as typed."""
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    return html.unescape(str(value)).replace("<br>", " ")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _values(trace: Any) -> tuple[Sequence[object], Sequence[object]] | None:
    """(labels, numbers) of a bar, line or pie trace; None for other kinds (heat maps)."""
    if trace.type == "pie":
        return trace.labels, trace.values
    if trace.type not in ("bar", "scatter"):
        return None
    if getattr(trace, "orientation", None) == "h":
        return trace.y, trace.x
    return trace.x, trace.y


def _series(trace: Any) -> str | None:
    found = _values(trace)
    if found is None or found[0] is None or found[1] is None:
        return None
    pairs = [
        (label, float(v))
        for label, v in zip(found[0], found[1], strict=False)
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    ]
    if not pairs:
        return None
    at, peak = max(pairs, key=lambda pair: pair[1])
    numbers = t(
        "analytics.chart_alt_series",
        total=_number(sum(v for _, v in pairs)),
        peak=_number(peak),
        at=_text(at),
    )
    name = _text(trace.name or "")
    return f"{name}: {numbers}" if name else numbers


def chart_alt(figure: go.Figure) -> str:
    """The chart in one line: "Views per day — Views: total 7, peak 5 (2026-12-06)", and
    "Today, so far" when its last day is still being counted (a band seen, not heard)."""
    title = _text(figure.layout.title.text or "")
    series = [line for trace in figure.data[:_SERIES_IN_ALT] if (line := _series(trace))]
    running = [_text(note.text) for note in figure.layout.annotations
               if note.name == charts.RUNNING_NAME]
    return " — ".join(part for part in (title, "; ".join(series), *running) if part) or t(
        "analytics.chart_alt_untitled"
    )


def show_chart(figure: go.Figure, key: str, **kwargs: Any) -> Any:
    """``st.plotly_chart`` with the app's toolbar and the chart's text alternative."""
    return st.plotly_chart(figure, key=key, config=CHART_CONFIG, alt=chart_alt(figure), **kwargs)


def running_day(period: Period) -> charts.RunningDay | None:
    """The period's last day when it is today: a per-day chart marks it as still being
    counted (the period caption says the same: "today is not over yet")."""
    if not period.running(session.services().analytics.today()):
        return None
    return charts.RunningDay(period.end, t("analytics.running_day"))
