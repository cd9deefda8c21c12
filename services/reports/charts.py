"""Matplotlib charts for the report PDF (pure: context in, figures and PNG bytes out).

The same data as the dashboard, drawn for print: the daily trend by event type, the most
viewed content, the category share, the weekday x hour heatmap and the visitor purposes.
Figures are ``matplotlib.figure.Figure`` objects on the Agg canvas (no pyplot state, safe in
Streamlit's threads); NanumGothic is registered once so Korean labels never turn into boxes.
Chart titles are not drawn in the image: the PDF sets them as headings (searchable text).
An empty section gives a clear "no data" image, never an exception.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter
from PIL import Image

from services.reports import data
from services.reports.data import Labels
from services.reports.pdf.fonts import korean_font_path

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


@cache
def setup_fonts() -> str:
    """Register NanumGothic (regular and bold) with matplotlib once; returns the family."""
    font_manager.fontManager.addfont(str(korean_font_path()))
    font_manager.fontManager.addfont(str(korean_font_path(bold=True)))
    family = font_manager.FontProperties(fname=str(korean_font_path())).get_name()
    matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


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
    time: each chart computes the room its labels need instead)."""
    setup_fonts()
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                        bottom=bottom / height)
    ax = fig.add_subplot()
    ax.tick_params(labelsize=TICK_SIZE, colors="#333333")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def to_png(fig: Figure) -> bytes:
    """The figure as an 8-bit RGB PNG at the chart DPI (the PDF embeds these bytes as they
    are, see ``services.pdf_images``)."""
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    out = io.BytesIO()
    rgba.convert("RGB").save(out, format="PNG", compress_level=PNG_LEVEL, dpi=(DPI, DPI))
    return out.getvalue()


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


def _thousands(ax: Axes, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)




# ---- the charts ---------------------------------------------------------------------------------


def _count_margin(top: float) -> float:
    """Left margin for count tick labels up to ``top`` (e.g. ``12,500``)."""
    return text_width_in(f"{top * 1.05:,.0f}") + 0.2


def trend_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    """One line per event type over the days of the period (bars for three days or fewer)."""
    found = data.trend(ctx)
    if found.empty:
        return no_data(labels)
    top = max(max(values, default=0) for values in found.series.values())
    fig, ax = _figure(left=_count_margin(top), bottom=0.62)
    bars = len(found.days) <= 3
    width = 0.8 / max(len(found.series), 1)
    for i, (type_, values) in enumerate(found.series.items()):
        color = SERIES[i % len(SERIES)]
        if bars:
            ax.bar([d.toordinal() + (i - len(found.series) / 2 + 0.5) * width
                    for d in found.days], values, width=width, color=color,
                   label=labels.event(type_))
        else:
            ax.plot(found.days, values, color=color, linewidth=1.6,  # type: ignore[arg-type]
                    marker="o" if len(found.days) <= 45 else None, markersize=2.2,
                    label=labels.event(type_))
    if bars:
        ax.set_xticks([d.toordinal() for d in found.days],
                      [d.strftime("%m-%d") for d in found.days])
    else:
        ax.xaxis.set_major_locator(AutoDateLocator(minticks=4, maxticks=10))
        ax.xaxis.set_major_formatter(DateFormatter("%m-%d"))
        pad = timedelta(hours=12)
        ax.set_xlim(found.days[0] - pad, found.days[-1] + pad)  # type: ignore[arg-type]
    ax.set_ylim(bottom=0)
    _thousands(ax)
    ax.grid(axis="y", color="#E4E7EB", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(fontsize=7.5, ncols=min(len(found.series), 5), loc="upper center",
              bbox_to_anchor=(0.5, -0.1), frameon=False)
    return fig


def _hbar(names: Sequence[str], values: Sequence[float], color: str,
          text: Callable[[float], str], xlabel: str = "") -> Figure:
    """Horizontal bars, the first name on top, each bar labelled with ``text(value)``."""
    shown = [shorten(n) for n in names]
    left = max(text_width_in(n) for n in shown) + 0.2
    height = max(HEIGHT_IN, 0.27 * len(names) + 0.7)
    fig, ax = _figure(height, left=left, right=0.45, top=0.1,
                      bottom=0.5 if xlabel else 0.35)
    positions = list(range(len(names)))[::-1]
    ax.barh(positions, values, color=color, height=0.62)
    ax.set_yticks(positions, shown)
    peak = max(values) if values else 0
    for y, value in zip(positions, values, strict=True):
        ax.text(value + peak * 0.01, y, text(value), va="center", fontsize=7.5,
                color="#333333")
    ax.set_xlim(0, peak or 1)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#E4E7EB", linewidth=0.6)
    ax.set_axisbelow(True)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=TICK_SIZE)
    return fig


def top_content_chart(ctx: Mapping[str, Any], labels: Labels, limit: int = TOP_N) -> Figure:
    """The most viewed items (views), most viewed on top."""
    rows = [r for r in data.top_content(ctx) if (data.number(r.get("views")) or 0) > 0][:limit]
    if not rows:
        return no_data(labels)
    names = [str(data.first(r, "title", "content_id") or "?") for r in rows]
    values = [data.number(r.get("views")) or 0.0 for r in rows]
    fig = _hbar(names, values, PRIMARY, lambda v: f"{v:,.0f}",
                labels.t("analytics.col.views"))
    _thousands(fig.axes[0], "x")
    return fig


def authors_chart(ctx: Mapping[str, Any], labels: Labels, limit: int = TOP_N) -> Figure:
    """Content views by author, most viewed on top."""
    rows = [r for r in data.authors(ctx) if (data.number(r.get("views")) or 0) > 0][:limit]
    if not rows:
        return no_data(labels)
    fig = _hbar([str(data.first(r, "author", "author_id") or "?") for r in rows],
                [data.number(r.get("views")) or 0.0 for r in rows], SERIES[3],
                lambda v: f"{v:,.0f}", labels.t("analytics.col.views"))
    _thousands(fig.axes[0], "x")
    return fig


def view_bands_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    """Published items by how many views they had in the period (bands, in order)."""
    rows = data.view_bands(ctx)
    counts = [data.number(r.get("items")) or 0.0 for r in rows]
    if not any(counts):
        return no_data(labels)
    top = max(counts)
    fig, ax = _figure(left=_count_margin(top), bottom=0.5)
    positions = list(range(len(rows)))
    ax.bar(positions, counts, color=SERIES[5], width=0.62)
    ax.set_xticks(positions, [str(r.get("band", "")) for r in rows])
    for x, value in zip(positions, counts, strict=True):
        ax.text(x, value + top * 0.015, f"{value:,.0f}", ha="center", va="bottom",
                fontsize=7.5, color="#333333")
    ax.set_ylim(0, top * 1.15)
    _thousands(ax)
    ax.set_xlabel(labels.t("pdf.chart_views_band"), fontsize=TICK_SIZE)
    ax.grid(axis="y", color="#E4E7EB", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def _shares(rows: Sequence[Mapping[str, Any]], value_key: str) -> list[tuple[Any, float]]:
    values = [(r.get("category"), data.number(r.get(value_key)) or 0.0) for r in rows]
    total = sum(v for _, v in values)
    return [(name, v / total) for name, v in values if v > 0] if total else []


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


def heatmap_chart(ctx: Mapping[str, Any], labels: Labels) -> Figure:
    """Page views by local weekday (rows, Monday first) and hour (columns)."""
    grid = data.heatmap(ctx)
    if grid is None or not any(any(row) for row in grid):
        return no_data(labels)
    fig, ax = _figure(left=0.45, right=0.95, top=0.1, bottom=0.45)
    image = ax.imshow(grid, cmap="Blues", aspect="auto", interpolation="nearest",
                      vmin=0)
    ax.set_yticks(range(7), [labels.weekday(d) for d in range(7)])
    ax.set_xticks(range(24), [str(h) for h in range(24)])
    # white cell borders as two line collections (minor ticks would cost ~30 tick artists)
    ax.vlines([x + 0.5 for x in range(23)], -0.5, 6.5, colors="white", linewidth=0.8)
    ax.hlines([y + 0.5 for y in range(6)], -0.5, 23.5, colors="white", linewidth=0.8)
    ax.tick_params(length=0)
    ax.tick_params(axis="x", labelsize=7.5)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(labels.t("pdf.chart_hour"), fontsize=TICK_SIZE)
    cax = fig.add_axes((1 - 0.8 / WIDTH_IN, 0.45 / HEIGHT_IN, 0.12 / WIDTH_IN,
                        1 - 0.55 / HEIGHT_IN))
    bar = fig.colorbar(image, cax=cax, format=FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    bar.ax.tick_params(labelsize=7, length=2)
    bar.outline.set_visible(False)
    return fig


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
