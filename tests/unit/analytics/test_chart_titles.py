"""A chart's title sits below the row of plotly's mode bar, not under it.

On a touch screen the mode bar is always drawn, across the figure's top right; on a phone it
covered the titles ("분당 이벤트 (최근 30분)", the trend's panel titles), which plotly put in
the same 36 px top margin. Every figure goes through ``charts.layout``, so one place keeps
that row free."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from services.ui import charts

DAYS = [date(2026, 3, d) for d in range(1, 11)]
TREND = pd.DataFrame({"day": DAYS, "content_view": [1] * 10, "page_view": [3] * 10})
TITLE_PX = 20  # plotly's title line at its default size


def figures() -> dict[str, go.Figure]:
    return {
        "hours": charts.hour_bars([1] * 24, "시간대별 조회", "시", "조회"),
        "bars": charts.bar_chart(["a", "b"], [2, 1], "상위 콘텐츠", "조회"),
        "donut": charts.share_donut(["a", "b"], [2, 1], "카테고리 비율"),
        "heatmap": charts.heatmap(
            pd.DataFrame([[1] * 24] * 7), list("월화수목금토일"), "요일·시간", "시", "조회"
        ),
        "daily": charts.daily_bars(DAYS, [1] * 10, "일별 조회", "조회"),
        "period": charts.period_chart(
            DAYS, [1] * 10, DAYS, [1] * 10, ("이번", "이전"), "조회 추이", "조회"
        ),
        "other module": charts.layout(
            go.Figure(go.Bar(x=[1], y=[1])), 220, title={"text": "분당 이벤트 (최근 30분)"}
        ),
        "own margin": charts.layout(
            go.Figure(go.Heatmap(z=[[1]])),
            300,
            margin={"l": 8, "r": 8, "t": 56, "b": 8},
            title={"text": "재방문"},
        ),
    }


@pytest.mark.parametrize("name", list(figures()))
def test_a_title_sits_below_the_mode_bar(name: str) -> None:
    fig = figures()[name]
    title = fig.layout.title
    assert title.text
    # Its top edge at the foot of the mode bar's row...
    assert (title.yref, title.yanchor) == ("container", "top")
    assert (1 - title.y) * fig.layout.height >= charts.MODEBAR_PX - 0.01
    # ...and the plot starts below the title.
    assert fig.layout.margin.t >= charts.MODEBAR_PX + TITLE_PX


def test_a_margin_a_module_asks_for_is_kept_below_the_mode_bar() -> None:
    fig = figures()["own margin"]  # the cohort triangle's axis labels sit on top
    assert fig.layout.margin.t == 56 + charts.MODEBAR_PX


def test_stacked_panels_title_the_first_panel_below_the_mode_bar() -> None:
    fig = charts.trend_panels(
        TREND,
        [
            charts.TrendPanel({"content_view": "조회"}, "필터"),
            charts.TrendPanel({"page_view": "페이지"}, "전체"),
        ],
        "일별",
    )
    # The first panel's title stands on the panel's top edge, in the top margin.
    assert fig.layout.margin.t >= charts.MODEBAR_PX + TITLE_PX
