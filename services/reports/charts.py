"""Seaborn charts for the report PDF (pure: context in, figures and PNG bytes out).

The same data as the dashboard, drawn for print: the daily trend by event type, the most
viewed content, the category share, the weekday x hour heatmap and the visitor purposes.
The statistical charts are seaborn on matplotlib (``sns.heatmap``, ``sns.barplot``); the
trend (a date axis) and the donut (seaborn has no pie) are plain matplotlib in the same theme.
Figures are ``matplotlib.figure.Figure`` objects on the Agg canvas (no pyplot figure state);
the theme, with NanumGothic so Korean labels never turn into boxes, is applied only while a
chart is built or drawn (``chart_style``), never to the process-wide rcParams.
Labels are inert text: mathtext is off, so a title with ``$``, ``_`` or ``^`` shows as typed.
Chart titles are not drawn in the image: the PDF sets them as headings (searchable text).
An empty section gives a clear "no data" image, never an exception.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, ParamSpec, cast

import matplotlib
import numpy as np
import seaborn as sns
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.dates import DAILY, AutoDateLocator, DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, PercentFormatter
from PIL import Image

from services.reports import data
from services.reports.data import Labels
from services.reports.pdf.fonts import korean_font_path

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

PNG_LEVEL = 1  # zlib level: 6 saves ~10% of the bytes for ~25 ms more per chart
DPI = 150  # print quality at the width the PDF draws them (about 17 cm)
WIDTH_IN = 6.8
HEIGHT_IN = 2.9
SERIES = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00", "#0c8599", "#c2255c"]
PRIMARY = SERIES[0]
MUTED = "#616E7C"
TOP_N = 10
LABEL_MAX = 34
TICK_SIZE = 8.0


P = ParamSpec("P")
# rcParams are process-wide and rc_context is not thread-safe: two reports built at once in
# Streamlit's threads would restore each other's values mid-chart, so charts take turns.
_STYLE_LOCK = threading.RLock()


@cache
def setup_fonts() -> str:
    """Register NanumGothic (regular and bold) with matplotlib once; returns the family."""
    font_manager.fontManager.addfont(str(korean_font_path()))
    font_manager.fontManager.addfont(str(korean_font_path(bold=True)))
    return font_manager.FontProperties(fname=str(korean_font_path())).get_name()


@cache
def theme_rc() -> dict[RcKeyType, Any]:
    """The charts' rcParams: seaborn's "white" style and "paper" context, NanumGothic, a real
    hyphen for minus (the font has no U+2212) and no mathtext (labels are user text)."""
    fonts = [setup_fonts(), "DejaVu Sans"]
    rc = {**sns.axes_style("white"), **sns.plotting_context("paper"),
          "font.family": fonts, "font.sans-serif": fonts, "axes.unicode_minus": False,
          "text.parse_math": False, "text.usetex": False}
    return cast("dict[RcKeyType, Any]", rc)


@contextmanager
def chart_style() -> Iterator[None]:
    """The chart theme for the duration of the block, the previous rcParams restored after.
    Tick labels are made when a figure is drawn, so drawing happens inside it too."""
    with _STYLE_LOCK, matplotlib.rc_context(theme_rc()):
        yield


def styled(builder: Callable[P, Figure]) -> Callable[P, Figure]:
    """Build the chart inside ``chart_style``."""
    @wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with chart_style():
            return builder(*args, **kwargs)
    return build


def text_width_in(text: str, size: float = TICK_SIZE) -> float:
    """How wide ``text`` is in NanumGothic at ``size`` points, in inches (for the margins)."""
    font = font_manager.get_font(str(korean_font_path()))
    font.set_size(size, 72)
    font.set_text(text)
    return float(font.get_width_height()[0]) / 64 / 72


def _figure(height: float = HEIGHT_IN, *, left: float = 0.55, right: float = 0.15,
            top: float = 0.1, bottom: float = 0.4,
            width: float = WIDTH_IN) -> tuple[Figure, Axes]:
    """A figure with fixed margins in inches (a layout engine would double the drawing
    time: each chart computes the room its labels need instead). Call inside ``chart_style``."""
    fig, axes = _panels(height, 1, left=left, right=right, top=top, bottom=bottom, width=width)
    return fig, axes[0]


def _panels(height: float, rows: int, *, left: float, right: float = 0.15, top: float,
            bottom: float, gap: float = 0.0, width: float = WIDTH_IN) -> tuple[Figure, list[Axes]]:
    """``rows`` axes one above the other, ``gap`` inches apart, fixed margins as ``_figure``."""
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    panel = (height - top - bottom - gap * (rows - 1)) / rows
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                        bottom=bottom / height, hspace=gap / panel)
    axes = [fig.add_subplot(rows, 1, row + 1) for row in range(rows)]
    for ax in axes:
        ax.tick_params(labelsize=TICK_SIZE, colors="#333333")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes


def to_png(fig: Figure) -> bytes:
    """The figure as an 8-bit RGB PNG at the chart DPI (the PDF embeds these bytes as they
    are, see ``services.pdf_images``)."""
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    with chart_style():
        canvas.draw()
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    out = io.BytesIO()
    rgba.convert("RGB").save(out, format="PNG", compress_level=PNG_LEVEL, dpi=(DPI, DPI))
    return out.getvalue()


@styled
def no_data(labels: Labels, height: float = 1.2) -> Figure:
    """An empty frame that says there is nothing to draw."""
    fig, ax = _figure(height, left=0.1, right=0.1, top=0.1, bottom=0.1)
    ax.set_axis_off()
    ax.text(0.5, 0.5, labels.t("pdf.chart_no_data"), ha="center", va="center",
            fontsize=12, color=MUTED, transform=ax.transAxes)
    fig.patch.set_edgecolor("#CBD2D9")
    fig.patch.set_linewidth(1)
    fig.set_facecolor("#F5F7FA")
    return fig


def shorten(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count_axis(ax: Axes, axis: str = "y") -> None:
    """Whole-number ticks with thousands separators: a count of 1 has no tick at 0.5."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))


# ---- the charts ---------------------------------------------------------------------------------


def _count_margin(top: float) -> float:
    """Left margin for count tick labels up to ``top`` (e.g. ``12,500``)."""
    return text_width_in(f"{top * 1.05:,.0f}") + 0.2


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
    fig, axes = _panels(PANEL_IN * rows + PANEL_GAP_IN * (rows - 1) + 0.92, rows,
                        left=_count_margin(top), top=0.3, bottom=0.62, gap=PANEL_GAP_IN)
    for ax, (key, series) in zip(axes, panels, strict=True):
        ax.set_title(labels.t(key, scope=labels.t("analytics.scope_platform")), loc="left",
                     fontsize=TICK_SIZE + 0.5, color="#333333")
        _trend_panel(ax, found.days, series, labels)
    return fig


def _trend_panel(ax: Axes, days: list[date], series: dict[str, list[float]],
                 labels: Labels) -> None:
    bars = len(days) <= 3
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
    _count_axis(ax)
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
    fig, ax = _figure(height, left=left, right=0.45, top=0.1,
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
    _count_axis(fig.axes[0], "x")
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
    _count_axis(fig.axes[0], "x")
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
    fig, ax = _figure(left=_count_margin(top), bottom=0.5)
    positions = list(range(len(rows)))
    sns.barplot(x=positions, y=counts, color=SERIES[5], saturation=1, width=0.62,
                errorbar=None, ax=ax)
    ax.set_xticks(positions, [str(r.get("band", "")) for r in rows])
    _value_labels(ax, [f"{value:,.0f}" for value in counts])
    ax.set_ylim(0, top * 1.15)
    _count_axis(ax)
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
    fig, ax = _figure(left=1.2, right=3.2, top=0.1, bottom=0.1)
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
    fig, ax = _figure(left=0.45, right=0.95, top=0.1, bottom=0.45)
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


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    png: bytes
    width_in: float
    height_in: float


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
