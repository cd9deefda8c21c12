"""The forecast chart of the report PDF (pure: context in, figure out).

One panel per forecast metric: the next days' estimate as a dashed line inside its interval
band, in the same theme, font and PNG path as the other report charts
(``services.reports.chart_kit``). The chart says "estimate" in its legend: it is not data; its
title names the report subject (an item, an author) when the forecast is theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from services.reports.chart_kit import (
    DPI,
    HEIGHT_IN,
    MUTED,
    SERIES,
    WIDTH_IN,
    Chart,
    no_data,
    styled,
)
from services.reports.chart_kit import to_png as png_of
from services.reports.data import Labels

PANEL_IN = 1.5  # height of one metric's panel


def _rows(ctx: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    section = ctx.get("forecast")
    rows = section.get("metrics") if isinstance(section, Mapping) else None
    return [r for r in rows or [] if isinstance(r, Mapping) and r.get("days")]


@styled
def forecast_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    rows = _rows(ctx)
    if not rows:
        return no_data(labels)
    fig = Figure(figsize=(WIDTH_IN, max(HEIGHT_IN, PANEL_IN * len(rows) + 0.4)), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(rows), 1, sharex=True, squeeze=False)[:, 0]
    for index, (ax, row) in enumerate(zip(axes, rows, strict=True)):
        days = [date.fromisoformat(str(p["day"])) for p in row["days"]]
        color = SERIES[index % len(SERIES)]
        ax.fill_between(days, [p["low"] for p in row["days"]], [p["high"] for p in row["days"]],
                        color=color, alpha=0.18, linewidth=0, label=labels.t("pdf.fc_band"))
        ax.plot(days, [p["estimate"] for p in row["days"]], color=color, linestyle="--",
                marker="o", markersize=2.5, linewidth=1.4, label=labels.t("pdf.fc_estimate"))
        ax.set_ylabel(labels.kpi(str(row.get("metric", ""))), fontsize=7, color=MUTED)
        ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))  # counts: whole ticks
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
        ax.grid(axis="y", linewidth=0.4, alpha=0.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[0].legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0),
                   ncols=2, borderaxespad=0.1)
    axes[-1].xaxis.set_major_formatter(DateFormatter("%m-%d"))
    fig.subplots_adjust(left=0.12, right=0.98, top=0.93, bottom=0.08, hspace=0.25)
    return fig


def forecast_title(ctx: Mapping[str, Any], labels: Labels) -> str:
    """The chart's title, naming the report subject whose forecast it is (an item's, an
    author's; none: the platform's)."""
    section = ctx.get("forecast")
    scope = section.get("scope") if isinstance(section, Mapping) else None
    if isinstance(section, Mapping) and scope in ("item", "author"):
        name = section.get("name") or section.get(str(scope)) or ""
        return labels.t(f"pdf.fc_title_{scope}", name=name)
    return labels.t("pdf.fc_title")


def forecast_png(ctx: Mapping[str, Any], labels: Labels) -> Chart:
    fig = forecast_chart(ctx, labels)
    width, height = fig.get_size_inches()
    return Chart("forecast", forecast_title(ctx, labels), png_of(fig), float(width),
                 float(height))
