"""Plotly builders: the figures carry the numbers and labels they were given."""

from __future__ import annotations

from datetime import date

import pandas as pd

from services.ui import charts


def one_panel(trend: pd.DataFrame, names: dict[str, str], title: str, axis_title: str = "",
              **options: object) -> charts.go.Figure:
    """The dashboard's trend figure with one panel."""
    return charts.trend_panels(trend, [charts.TrendPanel(names, title)], axis_title,
                               **options)  # type: ignore[arg-type]


def test_trend_chart_has_one_labelled_line_per_type() -> None:
    trend = pd.DataFrame({"day": [date(2026, 3, 1), date(2026, 3, 2)],
                          "page_view": [5, 7], "search": [0, 2]})
    fig = one_panel(trend, {"page_view": "페이지 조회", "search": "검색"}, "추이")
    assert [trace.name for trace in fig.data] == ["페이지 조회", "검색"]
    assert list(fig.data[0].y) == [5, 7]
    assert list(fig.data[1].y) == [0, 2]
    assert fig.layout.annotations[0].text == "추이"
    assert {trace.type for trace in fig.data} == {"bar"}  # two days: bars, not lines
    month = pd.DataFrame({"day": pd.date_range("2026-03-01", periods=30).date,
                          "page_view": range(30)})
    lines = one_panel(month, {"page_view": "페이지 조회"}, "추이")
    assert lines.data[0].type == "scatter" and lines.data[0].mode == "lines+markers"
    assert lines.layout.xaxis.dtick is None  # thirty days: plotly picks the ticks


def test_bar_chart_puts_the_first_label_on_top_and_shortens_long_ones() -> None:
    long_title = "아주 긴 제목 " * 10
    fig = charts.bar_chart(["first", long_title, "third"], [9, 5, 1], "상위", "조회수")
    bar = fig.data[0]
    assert list(bar.x) == [1, 5, 9]  # plotly draws the last category on top
    assert bar.y[-1] == "first"
    assert bar.y[1].endswith("…") and len(bar.y[1]) == charts.BAR_LABEL_MAX
    assert bar.customdata[1] == long_title  # the full title stays in the hover
    assert list(bar.marker.color) == [charts.PRIMARY] * 3
    marked = charts.bar_chart(["a", "b"], [2, 1], "검색어", "검색 수", highlight=[False, True])
    assert list(marked.data[0].marker.color) == [charts.ACCENT, charts.PRIMARY]  # b, a
    percent = charts.bar_chart(["a"], [0.25], "비율", "비율", percent=True)
    assert percent.data[0].texttemplate == "%{x:.1%}"


def test_share_donut_leaves_out_empty_slices() -> None:
    fig = charts.share_donut(["금융", "제조", "기타"], [3, 0, 1], "비율")
    assert list(fig.data[0].labels) == ["금융", "기타"]
    assert list(fig.data[0].values) == [3, 1]


def test_every_slice_of_the_donut_shows_its_share_with_one_decimal() -> None:
    """Plotly's own "percent" text rounds each slice to three significant digits ("9.84%"
    beside "29.5%"); every slice, and its hover, use the bar charts' one decimal instead."""
    pie = charts.share_donut(["금융", "제조", "기타"], [6, 18, 37], "비율").data[0]
    assert pie.textinfo in (None, "text") and pie.texttemplate == "%{percent:.1%}"
    assert "%{percent:.1%}" in pie.hovertemplate and "%{percent}" not in pie.hovertemplate


def test_a_highlighted_slice_stands_out_of_the_donut() -> None:
    fig = charts.share_donut(["금융", "제조", "기타"], [3, 0, 1], "비율",
                             highlight=[False, False, True])
    assert list(fig.data[0].pull) == [0, charts.PULL]
    assert list(charts.share_donut(["a", "b"], [1, 2], "t").data[0].pull) == [0, 0]


def test_heatmap_is_weekdays_by_hours() -> None:
    matrix = pd.DataFrame([[0] * 24 for _ in range(7)], index=range(7), columns=range(24))
    matrix.loc[2, 9] = 4
    days = ["월", "화", "수", "목", "금", "토", "일"]
    fig = charts.heatmap(matrix, days, "시간대", "시", "조회")
    heat = fig.data[0]
    assert list(heat.y) == days
    assert list(heat.x) == [f"{h:02d}" for h in range(24)]
    assert heat.z[2][9] == 4 and sum(map(sum, heat.z)) == 4
    assert fig.layout.yaxis.autorange == "reversed"  # Monday on top


def test_daily_bars_one_bar_per_day() -> None:
    days = [date(2026, 3, d) for d in (1, 2, 3)]
    fig = charts.daily_bars(days, [1, 0, 4], "일별 조회수", "조회수")
    assert list(fig.data[0].y) == [1, 0, 4]
    assert len(fig.data[0].x) == 3


HOSTILE_LABEL = '<a href="//e.x">go</a><b>&amp;</b>'
ESCAPED_LABEL = '&lt;a href="//e.x"&gt;go&lt;/a&gt;&lt;b&gt;&amp;amp;&lt;/b&gt;'


def test_user_labels_cannot_become_links_or_markup_in_charts() -> None:
    """Plotly draws <a>, <b>, <br> and entities in labels, names and hover text; search terms,
    titles and names are shown as the text they are."""
    bars = charts.bar_chart([HOSTILE_LABEL, "ok"], [3, 1], "t", "views")
    assert ESCAPED_LABEL in bars.data[0].y and ESCAPED_LABEL in bars.data[0].customdata
    donut = charts.share_donut([HOSTILE_LABEL, "ok"], [3, 1], "t")
    assert list(donut.data[0].labels) == [ESCAPED_LABEL, "ok"]
    trend = pd.DataFrame({"day": pd.to_datetime(["2026-03-01", "2026-03-02"]), "x": [1, 2]})
    lines = one_panel(trend, {"x": HOSTILE_LABEL}, "t")
    assert lines.data[0].name == ESCAPED_LABEL
    assert ESCAPED_LABEL in lines.data[0].hovertemplate
    assert not any("<a " in fig.to_json() for fig in (bars, donut, lines))


def test_shortened_labels_never_cut_an_escape_in_half() -> None:
    long = "&" * 60
    [shown] = charts.bar_chart([long], [1], "t", "v").data[0].y
    assert shown == "&amp;" * (charts.BAR_LABEL_MAX - 1) + "…"


# A few views: ",d" alone would label plotly's steps of 0.2 as 0, 0, 0, 1, 1, 1.
def test_the_my_content_chart_of_a_few_views_ticks_whole_numbers() -> None:
    days = [date(2026, 3, d) for d in (1, 2, 3)]
    fig = charts.daily_bars(days, [1, 0, 1], "일별 조회수", "조회수")
    assert fig.layout.yaxis.tickformat == ",d"
    assert fig.layout.yaxis.dtick == 1
    assert fig.layout.yaxis.rangemode == "tozero"


def test_dashboard_count_axes_tick_whole_numbers() -> None:
    trend = pd.DataFrame({"day": [date(2026, 3, 1), date(2026, 3, 2)],
                          "page_view": [2, 3], "search": [0, 1]})
    fig = one_panel(trend, {"page_view": "페이지 조회", "search": "검색"}, "추이")
    assert (fig.layout.yaxis.tickformat, fig.layout.yaxis.dtick) == (",d", 1)
    bars = charts.bar_chart(["a", "b"], [2, 1], "상위", "조회수")
    assert (bars.layout.xaxis.tickformat, bars.layout.xaxis.dtick) == (",d", 1)
    matrix = pd.DataFrame([[0] * 24 for _ in range(7)], index=range(7), columns=range(24))
    matrix.loc[2, 9] = 2
    heat = charts.heatmap(matrix, list("월화수목금토일"), "시간대", "시", "조회")
    assert (heat.data[0].colorbar.tickformat, heat.data[0].colorbar.dtick) == (",d", 1)


def test_large_counts_leave_the_steps_to_plotly() -> None:
    # Above ten plotly's own steps (2, 5, 10, ...) are whole numbers; one tick per unit
    # would crowd the axis.
    days = [date(2026, 3, d) for d in (1, 2, 3)]
    fig = charts.daily_bars(days, [1, 0, 400], "일별 조회수", "조회수")
    assert fig.layout.yaxis.tickformat == ",d" and fig.layout.yaxis.dtick is None
    percent = charts.bar_chart(["a", "b"], [0.6, 0.4], "목적", "비율", percent=True)
    assert percent.layout.xaxis.dtick is None


def test_a_trend_chart_names_its_count_axis() -> None:
    trend = pd.DataFrame({"day": [date(2026, 3, 1), date(2026, 3, 2)], "like": [1, 3]})
    fig = one_panel(trend, {"like": "좋아요"}, "좋아요 — 필터: 금융",
                             axis_title="일별 건수")
    assert fig.layout.yaxis.title.text == "일별 건수"
    assert fig.layout.annotations[0].text == "좋아요 — 필터: 금융"


def test_the_previous_period_is_overlaid_dashed_on_the_current_dates() -> None:
    days = [date(2026, 3, d) for d in range(1, 8)]
    before = [date(2026, 2, d) for d in range(22, 29)]
    trend = pd.DataFrame({"day": days, "content_view": [1, 2, 3, 4, 5, 6, 7]})
    previous = pd.DataFrame({"day": before, "content_view": [9, 9, 9, 9, 9, 9, 30]})
    fig = one_panel(trend, {"content_view": "조회"}, "t", previous=previous,
                             previous_name="{name} (이전 기간)")
    current, shifted = fig.data
    assert [t.name for t in fig.data] == ["조회", "조회 (이전 기간)"]
    assert list(shifted.x) == list(current.x) == days  # drawn on the current dates
    assert list(shifted.y) == [9, 9, 9, 9, 9, 9, 30] and shifted.line.dash == "dash"
    assert shifted.customdata[0] == "2026-02-22"  # its hover names its own day
    assert fig.layout.yaxis.dtick is None  # the axis fits the overlay's peak (30) too
    assert len(one_panel(trend, {"content_view": "조회"}, "t").data) == 1


def test_hour_bars_are_the_day_s_24_hours() -> None:
    fig = charts.hour_bars(list(range(24)), "t", "시", "조회")
    assert list(fig.data[0].x) == [f"{h:02d}" for h in range(24)]


def test_a_figure_carries_only_its_own_trace_types_defaults() -> None:
    """The template travels inside every figure sent to the browser: a line chart must not
    carry the defaults of heatmaps, tables or candlesticks (they were most of its bytes)."""
    import streamlit  # noqa: F401  (registers Streamlit's template as plotly's default)

    month = pd.DataFrame({"day": pd.date_range("2026-03-01", periods=30).date,
                          "page_view": range(30)})
    fig = one_panel(month, {"page_view": "페이지 조회"}, "추이")
    template = fig.layout.template.to_plotly_json()
    assert set(template.get("data", {})) <= {"scatter"}
    assert template["layout"]  # the theme's layout stays: the browser fills its colours
    donut = charts.share_donut(["a", "b"], [1, 2], "share")
    assert set(donut.layout.template.to_plotly_json().get("data", {})) <= {"pie"}


def test_trend_panels_never_share_a_count_axis_and_title_each_panel_as_text() -> None:
    days = [date(2026, 3, d) for d in range(1, 11)]
    trend = pd.DataFrame({"day": days, "content_view": [1] * 10, "page_view": [300] * 10})
    fig = charts.trend_panels(trend, [
        charts.TrendPanel({"content_view": "조회"}, f"필터: {HOSTILE_LABEL}",
                          {"content_view": [days[2]]}),
        charts.TrendPanel({"page_view": "페이지 조회"}, "플랫폼 전체"),
    ], "일별 이벤트", mark_name="평소와 다름")
    axis_of = {trace.name: trace.yaxis for trace in fig.data}
    assert axis_of == {"조회": "y", "평소와 다름": "y", "페이지 조회": "y2"}
    # One legend for both panels: no two lines share a colour
    assert fig.data[0].line.color != fig.data[-1].line.color
    titles = [note.text for note in fig.layout.annotations]
    assert titles == [f"필터: {ESCAPED_LABEL}", "플랫폼 전체"]
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis2.dtick is None  # each its own scale
    assert fig.layout.yaxis.title.text == fig.layout.yaxis2.title.text == "일별 이벤트"
    assert "<a " not in fig.to_json()


def _band(fig: charts.go.Figure) -> tuple[tuple[str, str], str]:
    """The running day's band (its two edges) and its label's text; the band must span the
    whole plot's height, behind the lines."""
    (band,) = fig.layout.shapes
    assert (band.type, band.yref, band.y0, band.y1, band.layer) == ("rect", "paper", 0, 1,
                                                                  "below")
    (label,) = [note for note in fig.layout.annotations if note.x == band.x1]
    return (band.x0, band.x1), label.text


def test_a_day_still_being_counted_is_marked_on_every_per_day_chart() -> None:
    """Today's points are lower than a whole day's: each line fell to them like a cliff."""
    days = [date(2026, 3, d) for d in range(1, 11)]
    running = charts.RunningDay(days[-1], f"오늘 {HOSTILE_LABEL}")
    edges = ("2026-03-09T12:00:00", "2026-03-10T12:00:00")
    trend = pd.DataFrame({"day": days, "content_view": [5] * 10, "page_view": [300] * 10})
    panels = [charts.TrendPanel({"content_view": "조회"}, "필터"),
              charts.TrendPanel({"page_view": "페이지 조회"}, "플랫폼 전체")]
    figures = {
        "trend": charts.trend_panels(trend, panels, "일별 이벤트", running=running),
        "item page": charts.period_chart(days, [1] * 10, days, [2] * 10, ("이번", "이전"),
                                         "일별", "조회수", running=running),
        "my content": charts.daily_bars(days, [1] * 10, "일별 조회수", "조회수", running=running),
    }
    for name, fig in figures.items():
        assert _band(fig) == (edges, f"오늘 {ESCAPED_LABEL}"), name
    # One band across both of the trend's panels, on their shared day axis
    assert figures["trend"].layout.shapes[0].xref == "x2"
    titles = [note.text for note in figures["trend"].layout.annotations]
    assert titles[:2] == ["필터", "플랫폼 전체"]  # the panels' titles first, as without it


def test_a_period_that_has_ended_marks_no_day() -> None:
    days = [date(2026, 3, d) for d in range(1, 11)]
    trend = pd.DataFrame({"day": days, "page_view": [300] * 10})
    assert not one_panel(trend, {"page_view": "페이지 조회"}, "추이").layout.shapes
    assert not charts.daily_bars(days, [1] * 10, "일별 조회수", "조회수").layout.shapes
    assert not charts.period_chart(days, [1] * 10, days, [2] * 10, ("이번", "이전"), "일별",
                                   "조회수").layout.shapes
