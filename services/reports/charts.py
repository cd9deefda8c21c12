"""Seaborn charts for the report PDF (pure: context in, figures and PNG bytes out).

The same data as the dashboard, drawn for print: the daily trend by event type, the most
viewed content, the category share, the weekday x hour heatmap and the visitor purposes.
The statistical charts are seaborn on matplotlib (``sns.heatmap``, ``sns.barplot``); the
trend (a date axis) and the donut (seaborn has no pie) are plain matplotlib in the same theme
(``chart_kit.py``: the theme, the figure frame and the PNG every chart shares).
Chart titles are not drawn in the image: the PDF sets them as headings (searchable text).
An empty section gives a clear "no data" image, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.dates import DAILY, AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, PercentFormatter

from services.reports import data
from services.reports.chart_kit import (
    HEIGHT_IN,
    PRIMARY,
    SERIES,
    TICK_SIZE,
    WIDTH_IN,
    Chart,
    count_axis,
    count_margin,
    new_figure,
    new_panels,
    no_data,
    shorten,
    styled,
    text_width_in,
    to_png,
)
from services.reports.data import Labels

TOP_N = 10



# The trend's panels, each on its own count axis: hundreds of page views would flatten a
# handful of likes (the dashboard draws the same two charts).
TREND_PANELS = (("analytics.trend_platform_title", ("page_view", "search")),
                ("analytics.trend_content_title", ("content_view", "download", "like")))
PANEL_IN = 2.1
PANEL_GAP_IN = 0.92  # the upper panel's legend and the lower one's title


@styled
def trend_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    """Per panel, one line per event type over the days (bars for three days or fewer)."""
    found = data.trend(ctx)
    if found.empty:
        return no_data(labels)
    panels = [(key, {t: found.series[t] for t in types if t in found.series})
              for key, types in TREND_PANELS]
    panels = [(key, series) for key, series in panels if series]
    top = max(max(values, default=0) for values in found.series.values())
    rows = len(panels)
    fig, axes = new_panels(PANEL_IN * rows + PANEL_GAP_IN * (rows - 1) + 0.92, rows,
                        left=count_margin(top), top=0.3, bottom=0.62, gap=PANEL_GAP_IN)
    partial = bool((ctx.get("period") or {}).get("last_day_partial"))
    for row, (ax, (key, series)) in enumerate(zip(axes, panels, strict=True)):
        ax.set_title(labels.t(key, scope=labels.t("analytics.scope_platform")), loc="left",
                     fontsize=TICK_SIZE + 0.5, color="#333333")
        _trend_panel(ax, found.days, series, labels)
        if partial:
            _partial_day(ax, found.days, labels if row == 0 else None)
    return fig


RUNNING_GREY = "#868e96"
BAR_DAYS = 3  # up to this many days the trend is drawn as bars


def _partial_day(ax: Axes, days: list[date], labels: Labels | None) -> None:
    """The period's last day, still being counted when the report was made: a faint band
    behind it (its lines fell to it like a cliff), named above the top panel (``labels``)."""
    last = days[-1]
    # Bars stand on day ordinals, lines on matplotlib's dates.
    middle = last.toordinal() if len(days) <= BAR_DAYS else float(date2num(last))
    ax.axvspan(middle - 0.5, middle + 0.5, color=RUNNING_GREY, alpha=0.14, linewidth=0,
               zorder=0)
    if labels is not None:
        ax.text(1, 1.02, labels.t("analytics.running_day_report"), transform=ax.transAxes,
                ha="right", va="bottom", fontsize=TICK_SIZE - 0.5, color=RUNNING_GREY)


def _trend_panel(ax: Axes, days: list[date], series: dict[str, list[float]],
                 labels: Labels) -> None:
    bars = len(days) <= BAR_DAYS
    width = 0.8 / max(len(series), 1)
    for i, (type_, values) in enumerate(series.items()):
        color = SERIES[data.TREND_TYPES.index(type_) % len(SERIES)]
        if bars:
            ax.bar([d.toordinal() + (i - len(series) / 2 + 0.5) * width for d in days], values,
                   width=width, color=color, label=labels.event(type_))
        else:
            ax.plot(days, values, color=color, linewidth=1.6,  # type: ignore[arg-type]
                    marker="o" if len(days) <= 45 else None, markersize=2.2,
                    label=labels.event(type_))
    if bars:
        ax.set_xticks([d.toordinal() for d in days], [d.strftime("%m-%d") for d in days])
    else:
        _date_ticks(ax, days)
        pad = timedelta(hours=12)
        ax.set_xlim(days[0] - pad, days[-1] + pad)  # type: ignore[arg-type]
    ax.set_ylim(bottom=0)
    count_axis(ax)
    ax.grid(axis="y", color="#E4E7EB", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(fontsize=7.5, ncols=min(len(series), 5), loc="upper center",
              bbox_to_anchor=(0.5, -0.1), frameon=False)


DATE_TICKS_MAX = 10


def _date_ticks(ax: Axes, days: list[date]) -> None:
    """Whole days only, at most ``DATE_TICKS_MAX`` ticks, each date once (a free
    ``AutoDateLocator`` picks 12-hour steps on a short period, and "%m-%d" then repeats each
    date). Up to thirty days: every day, every 2nd or every 3rd from the first; longer ones on
    the month's 1st, 8th, 15th and 22nd (or 1st and 15th, or months), as ``AutoDateLocator``
    chooses with ``interval_multiples``."""
    if len(days) <= 3 * DATE_TICKS_MAX:
        step = -(-len(days) // DATE_TICKS_MAX)  # 1, 2 or 3 days
        ax.xaxis.set_major_locator(FixedLocator(date2num(days[::step])))
    else:
        locator = AutoDateLocator(minticks=4, maxticks=DATE_TICKS_MAX, interval_multiples=True)
        locator.intervald[DAILY] = [7, 14]  # steps matplotlib aligns with the month's days
        ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(DateFormatter("%m-%d"))


def _value_labels(ax: Axes, texts: Sequence[str]) -> None:
    """Each bar of the axes' seaborn bars labelled at its end."""
    bars = next(c for c in ax.containers if isinstance(c, BarContainer))
    ax.bar_label(bars, labels=list(texts), padding=2, fontsize=7.5, color="#333333")


def _hbar(names: Sequence[str], values: Sequence[float], color: str,
          text: Callable[[float], str], xlabel: str = "") -> Figure:
    """Ranked horizontal bars (``sns.barplot``), the first name on top, each bar labelled
    with ``text(value)``. The bars sit on rank positions, not on the names: two items may
    share a title, and seaborn would average bars of the same category."""
    shown = [shorten(n) for n in names]
    left = max(text_width_in(n) for n in shown) + 0.2
    height = max(HEIGHT_IN, 0.27 * len(names) + 0.7)
    fig, ax = new_figure(height, left=left, right=0.45, top=0.1,
                      bottom=0.5 if xlabel else 0.35)
    ranks = list(range(len(names)))
    sns.barplot(x=list(values), y=ranks, orient="y", color=color, saturation=1, width=0.62,
                errorbar=None, ax=ax)  # a categorical y axis: rank 0 on top
    ax.set_yticks(ranks, shown)
    _value_labels(ax, [text(v) for v in values])
    ax.set_xlim(0, max(values, default=0) or 1)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#E4E7EB", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_ylabel("")
    ax.set_xlabel(xlabel, fontsize=TICK_SIZE)
    return fig


@styled
def top_content_chart(ctx: Mapping[str, Any], labels: Labels, limit: int = TOP_N) -> Figure:
    """The most viewed items (views), most viewed on top."""
    rows = [r for r in data.top_content(ctx) if (data.number(r.get("views")) or 0) > 0][:limit]
    if not rows:
        return no_data(labels)
    names = [str(data.first(r, "title", "content_id") or "?") for r in rows]
    values = [data.number(r.get("views")) or 0.0 for r in rows]
    fig = _hbar(names, values, PRIMARY, lambda v: f"{v:,.0f}",
                labels.t("analytics.col.views"))
    count_axis(fig.axes[0], "x")
    return fig


@styled
def authors_chart(ctx: Mapping[str, Any], labels: Labels, limit: int = TOP_N) -> Figure:
    """Content views by author, most viewed on top."""
    rows = [r for r in data.authors(ctx) if (data.number(r.get("views")) or 0) > 0][:limit]
    if not rows:
        return no_data(labels)
    fig = _hbar([str(data.first(r, "author", "author_id") or "?") for r in rows],
                [data.number(r.get("views")) or 0.0 for r in rows], SERIES[3],
                lambda v: f"{v:,.0f}", labels.t("analytics.col.views"))
    count_axis(fig.axes[0], "x")
    return fig


@styled
def view_bands_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    """The distribution of published items over view bands (``sns.barplot``, bands in order:
    the context has them counted already, so these are bars of counts, not a histogram)."""
    rows = data.view_bands(ctx)
    counts = [data.number(r.get("items")) or 0.0 for r in rows]
    if not any(counts):
        return no_data(labels)
    top = max(counts)
    fig, ax = new_figure(left=count_margin(top), bottom=0.5)
    positions = list(range(len(rows)))
    sns.barplot(x=positions, y=counts, color=SERIES[5], saturation=1, width=0.62,
                errorbar=None, ax=ax)
    ax.set_xticks(positions, [str(r.get("band", "")) for r in rows])
    _value_labels(ax, [f"{value:,.0f}" for value in counts])
    ax.set_ylim(0, top * 1.15)
    count_axis(ax)
    ax.set_ylabel("")
    ax.set_xlabel(labels.t("pdf.chart_views_band"), fontsize=TICK_SIZE)
    ax.grid(axis="y", color="#E4E7EB", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def _shares(rows: Sequence[Mapping[str, Any]], value_key: str) -> list[tuple[Any, float]]:
    values = [(r.get("category"), data.number(r.get(value_key)) or 0.0) for r in rows]
    total = sum(v for _, v in values)
    return [(name, v / total) for name, v in values if v > 0] if total else []


@styled
def category_share_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    """A donut of each category's share of content views (legend with percentages)."""
    shares = _shares(data.categories(ctx), "views")
    if not shares:
        return no_data(labels)
    fig, ax = new_figure(left=1.2, right=3.2, top=0.1, bottom=0.1)
    names = [f"{labels.category(name)}  {share * 100:.1f}%" for name, share in shares]
    colors = [SERIES[i % len(SERIES)] for i in range(len(shares))]
    ax.pie([s for _, s in shares], colors=colors, startangle=90, counterclock=False,
           wedgeprops={"width": 0.42, "edgecolor": "white", "linewidth": 1.2})
    ax.set_aspect("equal")
    ax.legend(names, loc="center left", bbox_to_anchor=(1.15, 0.5), fontsize=8.5,
              frameon=False)
    return fig


@styled
def heatmap_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    """Page views by local weekday (rows, Monday first) and hour (columns), ``sns.heatmap``."""
    grid = data.heatmap(ctx)
    if grid is None or not any(any(row) for row in grid):
        return no_data(labels)
    fig, ax = new_figure(left=0.45, right=0.95, top=0.1, bottom=0.45)
    cax = fig.add_axes((1 - 0.8 / WIDTH_IN, 0.45 / HEIGHT_IN, 0.12 / WIDTH_IN,
                        1 - 0.55 / HEIGHT_IN))
    sns.heatmap(np.asarray(grid), ax=ax, cbar_ax=cax, cmap="Blues", vmin=0,
                linewidths=0.8, linecolor="white",
                xticklabels=[str(h) for h in range(24)],
                yticklabels=[labels.weekday(d) for d in range(7)],
                cbar_kws={"format": FuncFormatter(lambda v, _pos: f"{v:,.0f}")})
    # seaborn turns crowded labels; 24 short hours and 7 weekdays fit upright
    ax.tick_params(length=0, labelrotation=0)
    ax.tick_params(axis="x", labelsize=7.5)
    ax.set_xlabel(labels.t("pdf.chart_hour"), fontsize=TICK_SIZE)
    cax.yaxis.set_major_locator(MaxNLocator(integer=True))
    cax.tick_params(labelsize=7, length=2, left=False, right=True)
    return fig


@styled
def purpose_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    """The share of each purpose among the visitors who answered (skips left out)."""
    rows = [r for r in data.purposes(ctx) if str(r.get("purpose")) != "skipped"]
    counts = [(r.get("purpose"), data.number(data.first(r, "count", "answers")) or 0.0)
              for r in rows]
    total = sum(c for _, c in counts)
    if not total:
        return no_data(labels)
    counts = sorted((pc for pc in counts if pc[1] > 0), key=lambda pc: -pc[1])
    fig = _hbar([labels.purpose(p) for p, _ in counts], [c / total for _, c in counts],
                SERIES[2], lambda v: f"{v * 100:.1f}%")
    fig.axes[0].xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    return fig


# ---- all of them --------------------------------------------------------------------------------


ChartBuilder = Callable[[Mapping[str, Any], Labels], Figure]

# key -> (title, builder); the key is also the context section the chart reads.
CHARTS: dict[str, tuple[str, ChartBuilder]] = {
    "trend": ("analytics.trend_title", trend_chart),
    "top_content": ("analytics.content_title", top_content_chart),
    "authors": ("analytics.authors_title", authors_chart),
    "categories": ("analytics.categories_title", category_share_chart),
    "distribution": ("pdf.chart_bands_title", view_bands_chart),
    "time_of_day": ("analytics.time_title", heatmap_chart),
    "purposes": ("analytics.purposes_title", purpose_chart),
}
# Which charts each report type shows, in order (the sections its context has).
CHARTS_OF: dict[str, tuple[str, ...]] = {
    "overall": ("trend", "top_content", "categories", "time_of_day", "purposes"),
    "content": ("trend", "top_content", "categories", "distribution"),
    "author": ("trend", "authors", "top_content", "categories"),
    "what_changed": ("trend", "categories"),
}


def build_charts(ctx: Mapping[str, Any], labels: Labels,
                 report_type: str = "overall") -> list[Chart]:
    """The charts of ``report_type`` rendered to PNG ("no data" images for empty sections)."""
    charts = []
    for key in CHARTS_OF.get(report_type, CHARTS_OF["overall"]):
        title_key, builder = CHARTS[key]
        fig = builder(ctx, labels)
        width, height = fig.get_size_inches()
        charts.append(Chart(key, labels.t(title_key), to_png(fig), float(width),
                            float(height)))
    return charts
