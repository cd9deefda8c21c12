"""What every chart of the report PDF is drawn with: the theme, the figure frame, the PNG.

The theme (seaborn's "white" style and "paper" context, with NanumGothic so Korean labels
never turn into boxes) is applied only while a chart is built or drawn (``chart_style``,
``styled``), never to the process-wide rcParams. Labels are inert text: mathtext is off, so a
title with ``$``, ``_`` or ``^`` shows as typed. Figures are ``matplotlib.figure.Figure``
objects on the Agg canvas (no pyplot figure state) with fixed margins in inches. The charts
themselves are in ``charts.py`` and ``insight_charts.py``.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, ParamSpec, cast

import matplotlib
import seaborn as sns
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from services.reports.data import Labels
from services.reports.pdf.fonts import korean_font_path

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

PNG_LEVEL = 1  # zlib level: 6 saves ~10% of the bytes for ~25 ms more per chart
DPI = 150  # print quality at the width the PDF draws them (about 17 cm)
WIDTH_IN = 6.8
HEIGHT_IN = 2.9
# The dashboards' colours (services/ui/charts.py), each at least 3:1 against white.
SERIES = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#c77700", "#0c8599", "#c2255c"]
PRIMARY = SERIES[0]
MUTED = "#616E7C"
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


def new_figure(height: float = HEIGHT_IN, *, left: float = 0.55, right: float = 0.15,
            top: float = 0.1, bottom: float = 0.4,
            width: float = WIDTH_IN) -> tuple[Figure, Axes]:
    """A figure with fixed margins in inches (a layout engine would double the drawing
    time: each chart computes the room its labels need instead). Call inside ``chart_style``."""
    fig, axes = new_panels(height, 1, left=left, right=right, top=top, bottom=bottom, width=width)
    return fig, axes[0]


def new_panels(height: float, rows: int, *, left: float, right: float = 0.15, top: float,
            bottom: float, gap: float = 0.0, width: float = WIDTH_IN) -> tuple[Figure, list[Axes]]:
    """``rows`` axes one above the other, ``gap`` inches apart, fixed margins as ``new_figure``."""
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
    fig, ax = new_figure(height, left=0.1, right=0.1, top=0.1, bottom=0.1)
    ax.set_axis_off()
    ax.text(0.5, 0.5, labels.t("pdf.chart_no_data"), ha="center", va="center",
            fontsize=12, color=MUTED, transform=ax.transAxes)
    fig.patch.set_edgecolor("#CBD2D9")
    fig.patch.set_linewidth(1)
    fig.set_facecolor("#F5F7FA")
    return fig


def shorten(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def count_axis(ax: Axes, axis: str = "y") -> None:
    """Whole-number ticks with thousands separators: a count of 1 has no tick at 0.5."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))


def count_margin(top: float) -> float:
    """Left margin for count tick labels up to ``top`` (e.g. ``12,500``)."""
    return text_width_in(f"{top * 1.05:,.0f}") + 0.2


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    png: bytes
    width_in: float
    height_in: float

