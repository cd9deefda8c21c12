"""The forecast chart of the insights panel (pure: a plotly figure from a Forecast; labels
arrive translated)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

import plotly.graph_objects as go

from services.insights.forecast import Forecast
from services.ui.charts import SERIES, count_axis, layout, plain

BAND_ALPHA = "33"  # hex alpha of the interval's fill


def forecast_chart(forecasts: Sequence[Forecast], names: Mapping[str, str], title: str,
                   estimate_label: str) -> go.Figure:
    """Per metric: its last actual days (solid), the estimate (dashed) and its interval
    (shaded), on one count axis."""
    fig = go.Figure()
    peaks: list[float] = []
    for i, found in enumerate(f for f in forecasts if f.enough_history):
        color, name = SERIES[i % len(SERIES)], plain(names.get(found.metric, found.metric))
        first = found.points[0].day - timedelta(days=len(found.history))
        past = [first + timedelta(days=d) for d in range(len(found.history))]
        days = [p.day for p in found.points]
        fig.add_trace(go.Scatter(x=past, y=list(found.history), name=name, mode="lines",
                                 line={"color": color, "width": 2}, legendgroup=name,
                                 hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}<extra>" + name
                                 + "</extra>"))
        fig.add_trace(go.Scatter(
            x=days + days[::-1], y=[p.high for p in found.points]
            + [p.low for p in found.points][::-1], fill="toself", mode="lines",
            line={"width": 0}, fillcolor=color + BAND_ALPHA, legendgroup=name,
            showlegend=False, hoverinfo="skip"))
        label = f"{name} ({plain(estimate_label)})"
        fig.add_trace(go.Scatter(x=days, y=[p.estimate for p in found.points], name=label,
                                 mode="lines", line={"color": color, "width": 2, "dash": "dash"},
                                 legendgroup=name, hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}"
                                 "<extra>" + label + "</extra>"))
        peaks += [*found.history, *(p.high for p in found.points)]
    fig.update_xaxes(tickformat="%m-%d")
    fig.update_yaxes(**count_axis(peaks))
    return layout(fig, title={"text": title}, hovermode="x unified")
