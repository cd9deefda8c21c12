"""Plotly figure builders for the dashboards (pure: DataFrames and labels in, figures out).

No Streamlit here, so each builder is tested on its ``fig.data``. Labels arrive translated;
the builders only lay them out. Colours follow the app's theme (primary #1f6feb).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

PRIMARY = "#1f6feb"
ACCENT = "#e8590c"
# Each at least 3:1 against the white page (WCAG 1.4.11), a line or a bar seen without its
# label: the amber is #c77700 (3.46:1; #f59f00 was 2.13:1).
SERIES = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#c77700", "#0c8599", "#c2255c"]
PREVIOUS = "#868e96"  # the previous period, grey: 3.32:1 (#adb5bd was 2.07:1)
FONT = "Pretendard, 'Noto Sans KR', 'Nanum Gothic', 'Malgun Gothic', sans-serif"
HEIGHT = 380
BAR_ROW_PX = 28
PULL = 0.08  # how far a highlighted donut slice stands out of the ring
BAR_LABEL_MAX = 40
UNIFORM_TEXT_MIN_PX = 10  # the smallest bar or slice label drawn
BAR_TREND_DAYS = 3  # up to this many days the trend is drawn as bars
DAILY_TICKS = 14  # up to this many days every day gets a tick
# Up to this peak a count axis gets a tick per unit; above it plotly's own steps (2, 5, 10...)
# are whole numbers anyway.
SMALL_COUNT = 10


# Plotly's mode bar (zoom, pan, PNG) takes a row this high at the figure's top right; a touch
# screen shows it always, and on a phone it covered the titles, which sat in the same top
# margin. Titles and the top margin start below it (the charts keep the bar, PNG included).
MODEBAR_PX = 36
TOP_PX = 36  # a title's line, or the room a figure's own top margin asks for


def _base(trace_types: Iterable[str], height: int, extra: dict[str, Any]) -> dict[str, Any]:
    """The app's layout for a figure of ``trace_types``, ``extra`` over it."""
    margin = {"l": 8, "r": 8, "t": TOP_PX, "b": 8} | extra.pop("margin", {})
    margin["t"] += MODEBAR_PX
    height += MODEBAR_PX
    if "title" in extra:  # its top edge at the bar's foot (a fraction of the figure's height:
        # Streamlit's theme replaces a title's ``pad``)
        extra["title"] = {"yref": "container", "y": 1 - MODEBAR_PX / height,
                          "yanchor": "top"} | extra["title"]
    base: dict[str, Any] = {
        "template": lean_template(frozenset(trace_types)),
        "height": height, "margin": margin, "font": {"family": FONT},
        "legend": {"orientation": "h", "y": -0.15}, "hoverlabel": {"font_family": FONT},
        # A label that does not fit its bar or slice at 10 px is left out (the hover and the
        # table under the chart have it): plotly shrank a funnel bar's to 7 px on a phone.
        "uniformtext": {"minsize": UNIFORM_TEXT_MIN_PX, "mode": "hide"}}
    return base | extra


def _layout(fig: go.Figure, height: int = HEIGHT, **extra: Any) -> go.Figure:
    fig.update_layout(_base((trace.type for trace in fig.data), height, extra))
    return fig


# Plotly checks every property on each update of a figure: the trend's two panels, built trace
# by trace and axis by axis, took 27 ms, where the same figure given as one dict is checked
# once (5 ms). The trend is drawn on every load, period and filter change: it is built as data.
Trace = dict[str, Any]


def _built(traces: list[Trace], layout: dict[str, Any], height: int = HEIGHT,
           **extra: Any) -> go.Figure:
    """A figure from plain data, with the app's layout (``_layout``'s), checked once."""
    base = _base((trace["type"] for trace in traces), height, extra)
    return go.Figure({"data": traces, "layout": base | layout})


@lru_cache(maxsize=32)
def lean_template(trace_types: frozenset[str]) -> go.layout.Template:
    """Plotly's default template (Streamlit's own once Streamlit is loaded: the browser fills
    it with the app's theme colours) keeping the defaults of the figure's trace types only.

    A template travels inside every figure and was nine tenths of a small one; a named
    template (``"plotly_white"``) is also deep-copied and re-validated on every assignment
    (~20 ms a figure, five or six figures a dashboard run). A lean one costs a tenth of both.
    """
    found = pio.templates[pio.templates.default]
    data = {kind: getattr(found.data, kind) for kind in sorted(trace_types)
            if getattr(found.data, kind, None)}
    return go.layout.Template(layout=found.layout, data=data)


def layout(fig: go.Figure, height: int = HEIGHT, **extra: Any) -> go.Figure:
    """The app's layout for a figure built in another module (funnels, cohorts, live now,
    the insights' forecast): one look, and one place that says what a figure costs."""
    return _layout(fig, height, **extra)


def count_ticks(values: Iterable[float]) -> dict[str, Any]:
    """Whole-number ticks for counts (an axis or a colour bar). ``,d`` alone only formats the
    ticks: plotly's steps of 0.2 for a peak of 1 would read 0, 0, 0, 1, 1, 1."""
    peak = max((float(v) for v in values if v == v), default=0.0)  # v == v: not NaN
    ticks: dict[str, Any] = {"tickformat": ",d"}
    if peak <= SMALL_COUNT:
        ticks["dtick"] = 1
    return ticks


def count_axis(values: Iterable[float]) -> dict[str, Any]:
    """A count axis: from zero, whole-number ticks."""
    return {"rangemode": "tozero", **count_ticks(values)}


def shorten(text: str, limit: int = BAR_LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: object) -> str:
    """A label as literal text: plotly draws ``<a href>``, ``<b>``, ``<br>`` and entities in
    labels, legends and hover text, and search terms, titles and names come from users."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class TrendPanel:
    """One row of ``trend_panels``: its lines (event type -> label), its title (literal text)
    and its unusual days (column -> days, drawn as rings)."""

    names: Mapping[str, str]
    title: str
    marks: Mapping[str, Sequence[object]] = field(default_factory=dict)


PANEL_GAP = 0.14  # between two stacked panels, a share of the figure's height
RUNNING_FILL = "rgba(134, 142, 150, 0.14)"  # PREVIOUS's grey, faint: a band behind the lines
HALF_DAY = pd.Timedelta(hours=12)
RUNNING_NAME = "running-day"  # its label's name: the chart's text alternative says it too


@dataclass(frozen=True)
class RunningDay:
    """A day still being counted (today, at the end of a period that has not ended): its
    points are lower than a whole day's, and every per-day line fell to it like a cliff."""

    day: object
    label: str


def running_layout(running: RunningDay | None, xref: str = "x") -> dict[str, Any]:
    """A faint band behind the running day and its label above it, at the plot's right edge
    (the day is the last): the layout's ``shapes`` and ``annotations``."""
    if running is None:
        return {"shapes": [], "annotations": []}
    day = pd.Timestamp(running.day)
    band = {"type": "rect", "xref": xref, "yref": "paper", "layer": "below",
            "x0": (day - HALF_DAY).isoformat(), "x1": (day + HALF_DAY).isoformat(),
            "y0": 0, "y1": 1, "fillcolor": RUNNING_FILL, "line": {"width": 0}}
    label = {"text": plain(running.label), "xref": xref, "x": (day + HALF_DAY).isoformat(),
             "xanchor": "right", "yref": "paper", "y": 1, "yanchor": "bottom",
             "showarrow": False, "font": {"size": 11, "color": PREVIOUS}, "name": RUNNING_NAME}
    return {"shapes": [band], "annotations": [label]}


def trend_panels(trend: pd.DataFrame, panels: Sequence[TrendPanel], axis_title: str,
                 mark_name: str = "", previous: pd.DataFrame | None = None,
                 previous_name: str = "{name}", running: RunningDay | None = None) -> go.Figure:
    """One line per column of each panel's ``names`` over ``trend["day"]`` (grouped bars when
    there are too few days for a line), in one figure of stacked panels, each with its own
    count axis and title, over one shared day axis: filtered and platform-wide series never
    share an axis, the browser draws one chart instead of one per panel, and a day's click is
    the same wherever it lands. ``previous`` (the previous period, as many days) is overlaid
    as dashed lines shifted onto the same dates, each named ``previous_name`` with ``{name}``
    the series' label. ``running``: the last day, still being counted, is marked."""
    share = (1 - PANEL_GAP * (len(panels) - 1)) / len(panels)
    last = _axis_suffix(len(panels))
    traces: list[Trace] = []
    layout: dict[str, Any] = {"annotations": []}
    colour = 0
    for row, panel in enumerate(panels, start=1):
        suffix, top = _axis_suffix(row), 1 - (row - 1) * (share + PANEL_GAP)
        lines, peaks = _trend_lines(trend, panel, mark_name, previous, previous_name, colour)
        traces += [line | {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"} for line in lines]
        days = _day_axis(trend) | {"anchor": f"y{suffix}", "domain": [0, 1]}
        if row < len(panels):  # one day axis for all: the panels above show no dates
            days |= {"matches": f"x{last}", "showticklabels": False}
        layout[f"xaxis{suffix}"] = days
        layout[f"yaxis{suffix}"] = _count_axis(peaks, axis_title) | {
            "anchor": f"x{suffix}", "domain": [max(0.0, round(top - share, 6)), round(top, 6)]}
        layout["annotations"].append({  # the panel's title, as a chart's own
            "text": plain(panel.title), "x": 0, "xanchor": "left", "xref": "paper",
            "y": round(top, 6),
            "yanchor": "bottom", "yref": "paper", "showarrow": False, "font": {"size": 14}})
        colour += len(panel.names)
    # The band spans every panel (paper height) on their shared day axis; its label comes
    # after the panels' titles.
    marked = running_layout(running, f"x{last}")
    layout["shapes"] = marked["shapes"]
    layout["annotations"] += marked["annotations"]
    return _built(traces, layout, height=HEIGHT * len(panels) - 60, hovermode="x unified",
                  legend={"orientation": "h", "y": -0.08})


def _axis_suffix(row: int) -> str:
    """Plotly's name of a panel's axes: "x"/"y" for the first, "x2"/"y2" for the second."""
    return "" if row == 1 else str(row)


def _day_axis(trend: pd.DataFrame) -> dict[str, Any]:
    one_day_ms = 86_400_000
    return {"tickformat": "%m-%d"} | ({"dtick": one_day_ms} if len(trend) <= DAILY_TICKS
                                      else {})


def _count_axis(peaks: Sequence[float], title: str | None) -> dict[str, Any]:
    return count_axis(peaks) | ({"title": {"text": title}} if title else {})


def _trend_lines(trend: pd.DataFrame, panel: TrendPanel, mark_name: str,
                 previous: pd.DataFrame | None, previous_name: str,
                 first_colour: int = 0) -> tuple[list[Trace], list[float]]:
    """The panel's lines (or bars), overlay and rings, and the peaks its axis must hold.
    Colours start at ``first_colour``: the panels of one figure share its legend."""
    bars = len(trend) <= BAR_TREND_DAYS
    days = trend["day"].tolist()
    traces: list[Trace] = []
    for i, (column, name) in enumerate(panel.names.items(), start=first_colour):
        color, label = SERIES[i % len(SERIES)], plain(name)
        line: Trace = {"x": days, "y": trend[column].tolist(), "name": label,
                       "hovertemplate": "%{x|%Y-%m-%d}: %{y:,}<extra>" + label + "</extra>"}
        if bars:
            traces.append(line | {"type": "bar", "marker": {"color": color}})
        else:
            traces.append(line | {"type": "scatter", "mode": "lines+markers",
                                  "line": {"color": color, "width": 2}, "marker": {"size": 4}})
    peaks = [float(trend[column].max()) for column in panel.names]
    if previous is not None and len(previous) == len(trend):
        traces += _overlay(days, previous, panel.names, previous_name, first_colour)
        peaks += [float(previous[column].max()) for column in panel.names]
    traces += _marks(trend, panel.names, panel.marks, mark_name)
    return traces, peaks


def _marks(trend: pd.DataFrame, names: Mapping[str, str],
           marks: Mapping[str, Sequence[object]], mark_name: str) -> list[Trace]:
    """Unusual days (``marks``: column -> days) as rings on their line, one legend entry."""
    xs: list[object] = []
    ys: list[object] = []
    for column in names:
        days = set(marks.get(column, ()))
        shown = trend[trend["day"].isin(days)]
        xs += shown["day"].tolist()
        ys += shown[column].tolist()
    if not xs:
        return []
    return [{"type": "scatter", "x": xs, "y": ys, "mode": "markers", "name": plain(mark_name),
             "marker": {"symbol": "circle-open", "size": 16, "color": ACCENT,
                        "line": {"width": 3, "color": ACCENT}},
             "hovertemplate": "%{x|%Y-%m-%d}: %{y:,}<extra>" + plain(mark_name) + "</extra>"}]


def _overlay(days: list[object], previous: pd.DataFrame, names: Mapping[str, str],
             previous_name: str, first_colour: int) -> list[Trace]:
    """The previous period's lines, dashed, on the current dates (hover: its own dates)."""
    traces: list[Trace] = []
    for i, (column, name) in enumerate(names.items(), start=first_colour):
        label = plain(previous_name.format(name=name))
        traces.append({
            "type": "scatter", "x": days, "y": previous[column].tolist(), "name": label,
            "mode": "lines",
            "line": {"color": SERIES[i % len(SERIES)], "width": 1.5, "dash": "dash"},
            "customdata": [str(day) for day in previous["day"]],
            "hovertemplate": "%{customdata}: %{y:,}<extra>" + label + "</extra>"})
    return traces


def hour_bars(counts: Sequence[float], title: str, hour_label: str,
              value_label: str) -> go.Figure:
    """Counts by local hour 0..23 as columns (x: "00".."23")."""
    hours = [f"{hour:02d}" for hour in range(len(counts))]
    fig = go.Figure(go.Bar(
        x=hours, y=list(counts), marker_color=PRIMARY, name=value_label,
        hovertemplate="%{x}" + hour_label + ": %{y:,}<extra></extra>",
    ))
    fig.update_xaxes(title={"text": hour_label}, type="category")
    fig.update_yaxes(**count_axis(counts))
    return _layout(fig, height=260, title={"text": title}, showlegend=False)


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, value_label: str,
              *, percent: bool = False, highlight: Sequence[bool] = ()) -> go.Figure:
    """Horizontal bars, largest on top (labels in the order given, first = largest);
    bars whose ``highlight`` is true are drawn in the accent colour."""
    shown = [plain(shorten(str(label))) for label in labels]
    marked = list(highlight) + [False] * (len(shown) - len(highlight))
    colors = [ACCENT if mark else PRIMARY for mark in marked]
    fig = go.Figure(go.Bar(
        x=list(values)[::-1], y=shown[::-1], orientation="h", marker_color=colors[::-1],
        name=value_label, customdata=[plain(label) for label in labels][::-1],
        texttemplate="%{x:.1%}" if percent else "%{x:,}", textposition="auto", textangle=0,
        hovertemplate="%{customdata}<br>" + value_label
        + (": %{x:.1%}" if percent else ": %{x:,}") + "<extra></extra>",
    ))
    fig.update_xaxes(**({"tickformat": ".0%", "rangemode": "tozero"} if percent
                        else count_axis(values)))
    fig.update_yaxes(automargin=True)
    height = max(220, 80 + BAR_ROW_PX * len(shown))
    return _layout(fig, height=height, title={"text": title}, showlegend=False)


def share_donut(labels: Sequence[str], values: Sequence[float], title: str,
                *, highlight: Sequence[bool] = ()) -> go.Figure:
    """Shares of a whole (categories' views); slices with nothing are left out; slices whose
    ``highlight`` is true are pulled out of the ring (the value a filter names)."""
    marked = list(highlight) + [False] * (len(labels) - len(highlight))
    kept = [(plain(label), value, mark)
            for label, value, mark in zip(labels, values, marked, strict=True) if value]
    fig = go.Figure(go.Pie(
        labels=[label for label, _, _ in kept], values=[value for _, value, _ in kept],
        pull=[PULL if mark else 0 for _, _, mark in kept], hole=0.55,
        # One decimal on every slice, as every other share (plotly's "percent" text keeps three
        # significant digits: "9.84%" beside "29.5%").
        sort=False, marker={"colors": SERIES}, texttemplate="%{percent:.1%}",
        hovertemplate="%{label}: %{value:,} (%{percent:.1%})<extra></extra>",
    ))
    return _layout(fig, title={"text": title})


def heatmap(matrix: pd.DataFrame, weekdays: Sequence[str], title: str, hour_label: str,
            value_label: str) -> go.Figure:
    """Hour (x, 0..23) by weekday (y, Monday on top) counts."""
    hours = [f"{hour:02d}" for hour in matrix.columns]
    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy().tolist(), x=hours, y=[plain(d) for d in weekdays], colorscale="Blues",
        hovertemplate="%{y} %{x}" + hour_label + "<br>" + value_label + ": %{z:,}<extra></extra>",
        colorbar={"title": {"text": value_label},
                  **count_ticks(matrix.to_numpy().ravel().tolist())}, xgap=2, ygap=2,
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title={"text": hour_label}, type="category")
    return _layout(fig, height=340, title={"text": title})


def daily_bars(days: Sequence[object], values: Sequence[float], title: str,
               value_label: str, running: RunningDay | None = None) -> go.Figure:
    """Daily counts as columns (an author's views over time); ``running``: the last day,
    still being counted, is marked."""
    fig = go.Figure(go.Bar(
        x=list(days), y=list(values), marker_color=PRIMARY, name=value_label,
        hovertemplate="%{x|%Y-%m-%d}: %{y:,}<extra></extra>",
    ))
    fig.update_xaxes(tickformat="%m-%d")
    fig.update_yaxes(**count_axis(values))
    return _layout(fig, height=300, title={"text": title}, showlegend=False,
                   **running_layout(running))


def period_chart(days: Sequence[object], values: Sequence[float], previous_days: Sequence[object],
                 previous: Sequence[float], names: tuple[str, str], title: str,
                 axis_title: str, running: RunningDay | None = None) -> go.Figure:
    """One count per day of a period, and the previous period drawn on the same days (dotted,
    grey); each point's hover names its own date. ``running``: the last day, still being
    counted, is marked."""
    fig = go.Figure()
    for shown, x_dates, name, color, dash in (
        (previous, previous_days, names[1], PREVIOUS, "dot"),
        (values, days, names[0], PRIMARY, "solid"),
    ):
        label = plain(name)
        fig.add_trace(go.Scatter(
            x=list(days), y=list(shown), name=label, mode="lines+markers",
            customdata=[str(d) for d in x_dates], line={"color": color, "width": 2, "dash": dash},
            marker={"size": 4}, hovertemplate="%{customdata}: %{y:,}<extra>" + label + "</extra>",
        ))
    fig.update_xaxes(tickformat="%m-%d", dtick=86_400_000 if len(days) <= DAILY_TICKS else None)
    fig.update_yaxes(**count_axis([*values, *previous]), title={"text": axis_title})
    return _layout(fig, title={"text": title}, hovermode="x unified",
                   **running_layout(running))
