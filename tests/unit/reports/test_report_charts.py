"""PDF charts: each one draws the context's numbers with Korean labels, and an empty or broken
section gives a "no data" image instead of an exception."""

from __future__ import annotations

import io
import warnings
from typing import Any

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle, Wedge
from PIL import Image

from services.reports import charts, data
from services.reports.data import Labels

KO = Labels("ko")
EN = Labels("en")
BUILDERS = {key: builder for key, (_, builder) in charts.CHARTS.items()}


def context() -> dict[str, Any]:
    """A small context in ``services.report_context.build_context``'s shape."""
    days = ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04"]
    matrix = [[0] * 24 for _ in range(7)]
    matrix[1][10] = 40  # Tuesday 10:00
    matrix[5][22] = 3
    return {
        "report_type": "overall",
        "trend": {"day": days, "page_view": [10, 20, 30, 25], "content_view": [5, 8, 9, 7],
                  "search": [1, 2, 3, 4], "download": [0, 1, 0, 2], "like": [1, 0, 0, 1]},
        "top_content": [
            {"rank": 1, "title": "생성형 AI 챗봇", "views": 120, "share": 0.6},
            {"rank": 2, "title": "제조 예지보전 " * 8, "views": 60, "share": 0.3},
            {"rank": 3, "title": "조회 없음", "views": 0, "share": 0.0},
        ],
        "authors": [{"author": "김민수", "views": 150}, {"author": "Alex", "views": 30}],
        "categories": [{"category": "Generative AI", "views": 150, "share": 0.75},
                       {"category": "Finance", "views": 50, "share": 0.25},
                       {"category": "ETC", "views": 0, "share": 0.0}],
        "distribution": {"bands": [{"band": "0", "items": 2}, {"band": "1-9", "items": 5},
                                   {"band": "10-49", "items": 1}]},
        "time_of_day": {"matrix": matrix, "peak_hour": 10, "peak_weekday": 1},
        "purposes": [{"purpose": "customer-demo", "count": 30},
                     {"purpose": "research", "count": 10},
                     {"purpose": "skipped", "count": 60}],
    }


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))
            if t.get_text()]


def is_no_data(fig: Figure, labels: Labels = KO) -> bool:
    return labels.t("pdf.chart_no_data") in texts(fig) and not fig.axes[0].axison


def test_trend_has_one_labelled_line_per_type_with_the_counts() -> None:
    fig = charts.trend_chart(context(), KO)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == [
        "페이지 조회", "콘텐츠 조회", "검색", "다운로드", "좋아요"]
    assert list(lines[0].get_ydata()) == [10, 20, 30, 25]
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "페이지 조회"


def test_trend_of_three_days_or_fewer_is_bars() -> None:
    ctx = context()
    ctx["trend"] = {k: v[:2] for k, v in ctx["trend"].items()}
    fig = charts.trend_chart(ctx, EN)
    assert not fig.axes[0].get_lines()
    heights = [p.get_height() for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert heights[:2] == [10, 20]  # page views of the two days


def test_top_content_bars_put_the_most_viewed_on_top_and_skip_unviewed() -> None:
    fig = charts.top_content_chart(context(), KO)
    ax = fig.axes[0]
    bars = sorted(ax.patches, key=lambda p: -p.get_y())  # top first
    assert [b.get_width() for b in bars] == [120, 60]
    by_height = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()),
                           strict=True), reverse=True)
    top, second = by_height[0][1], by_height[1][1]
    assert top == "생성형 AI 챗봇"
    assert second.endswith("…") and len(second) == charts.LABEL_MAX
    assert "120" in texts(fig)


def test_category_share_is_a_donut_of_the_categories_with_views() -> None:
    fig = charts.category_share_chart(context(), KO)
    wedges = [p for p in fig.axes[0].patches if isinstance(p, Wedge)]
    assert len(wedges) == 2  # ETC had no views
    spans = sorted(round(w.theta2 - w.theta1) for w in wedges)
    assert spans == [90, 270]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["생성형 AI  75.0%", "금융  25.0%"]


def test_heatmap_shows_the_weekday_by_hour_matrix() -> None:
    fig = charts.heatmap_chart(context(), KO)
    image = fig.axes[0].get_images()[0]
    array = image.get_array()
    assert array.shape == (7, 24)
    assert array[1][10] == 40 and array[5][22] == 3 and array.sum() == 43
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list("월화수목금토일")


def test_purposes_are_shares_of_the_answers_without_skips() -> None:
    fig = charts.purpose_chart(context(), KO)
    bars = sorted(fig.axes[0].patches, key=lambda p: -p.get_y())
    assert [round(b.get_width(), 3) for b in bars] == [0.75, 0.25]
    assert "고객 데모" in texts(fig) and "건너뜀" not in texts(fig)
    assert "75.0%" in texts(fig)


def test_authors_and_view_bands() -> None:
    authors = charts.authors_chart(context(), KO)
    assert sorted(p.get_width() for p in authors.axes[0].patches) == [30, 150]
    bands = charts.view_bands_chart(context(), KO)
    assert [p.get_height() for p in bands.axes[0].patches] == [2, 5, 1]
    assert [t.get_text() for t in bands.axes[0].get_xticklabels()] == ["0", "1-9", "10-49"]


@pytest.mark.parametrize("key", list(BUILDERS))
def test_every_chart_says_no_data_for_an_empty_context(key: str) -> None:
    fig = BUILDERS[key]({}, KO)
    assert is_no_data(fig)
    png = charts.to_png(fig)
    assert Image.open(io.BytesIO(png)).mode == "RGB"


@pytest.mark.parametrize("key", list(BUILDERS))
def test_every_chart_survives_malformed_sections(key: str) -> None:
    broken = {"trend": "oops", "top_content": [1, "x", None], "authors": {"rows": 5},
              "categories": [{"category": "Finance", "views": "many"}],
              "distribution": {"bands": None}, "time_of_day": {"matrix": [[1, 2]]},
              "purposes": [{"purpose": "other", "count": float("nan")}]}
    assert is_no_data(BUILDERS[key](broken, EN), EN)


@pytest.mark.parametrize("key", list(BUILDERS))
def test_every_chart_draws_from_a_context(key: str) -> None:
    fig = BUILDERS[key](context(), KO)
    assert not is_no_data(fig)


def test_korean_labels_render_with_nanumgothic_and_no_missing_glyphs() -> None:
    assert charts.setup_fonts() == "NanumGothic"
    fig = charts.trend_chart(context(), KO)
    assert fig.axes[0].get_legend().get_texts()[0].get_fontname() == "NanumGothic"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        for key in BUILDERS:
            charts.to_png(BUILDERS[key](context(), KO))


def test_build_charts_renders_each_chart_of_the_report_type_at_print_dpi() -> None:
    built = charts.build_charts(context(), KO, "overall")
    assert [c.key for c in built] == ["trend", "top_content", "categories", "time_of_day",
                                      "purposes"]
    assert built[0].title == "일별 이용 추이"
    for chart in built:
        image = Image.open(io.BytesIO(chart.png))
        assert image.mode == "RGB"
        assert image.size == (round(chart.width_in * charts.DPI),
                              round(chart.height_in * charts.DPI))
    assert [c.key for c in charts.build_charts(context(), EN, "author")] == [
        "trend", "authors", "top_content", "categories"]
    assert len(charts.build_charts(context(), EN, "content")) == 4


def test_an_empty_trend_is_not_a_flat_line() -> None:
    ctx = context()
    ctx["trend"] = {"day": ["2026-09-01"], "page_view": [0]}
    assert is_no_data(charts.trend_chart(ctx, KO))


# ---- the context readers ----------------------------------------------------------------------


def test_rows_of_reads_rows_columns_and_wrapped_tables() -> None:
    assert data.rows_of([{"a": 1}, "x"]) == [{"a": 1}]
    assert data.rows_of({"a": [1, 2], "b": [3, 4]}) == [{"a": 1, "b": 3}, {"a": 2, "b": 4}]
    assert data.rows_of({"rows": [{"a": 1}]}) == [{"a": 1}]
    assert data.rows_of({"a": [1], "b": [1, 2]}) == []  # ragged columns: not a table
    assert data.rows_of("text") == [] and data.rows_of(None) == []


def test_section_follows_dotted_paths_and_skips_empty_values() -> None:
    ctx = {"search": {"top": [], "zero_results": [{"term": "x"}]}}
    assert data.section(ctx, "search.top", "search.zero_results") == [{"term": "x"}]
    assert data.section(ctx, "missing.path") is None


def test_kpis_accept_the_list_and_a_mapping() -> None:
    listed = data.kpis({"kpis": [{"key": "visitors", "kind": "count", "value": 5,
                                  "previous": 4, "change": 25.0}]})
    assert listed == [data.KpiLine("visitors", "count", 5, 4, 25.0)]
    mapped = data.kpis({"kpis": {"visitors": {"value": 5}, "top_category": "Finance"}})
    assert [(k.key, k.kind) for k in mapped] == [("visitors", "count"), ("top_category", "label")]


def test_number_formats() -> None:
    assert data.number("12") == 12.0 and data.number(float("nan")) is None
    assert data.number(True) is None
    assert data.fmt_count(12345) == "12,345" and data.fmt_count(2.5) == "2.5"
    assert data.fmt_share(0.375) == "37.5%" and data.fmt_share(None) == "–"
    rate = data.KpiLine("purpose_skip_rate", "rate", 0.3, 0.31, -0.8)
    assert data.fmt_change(rate) == "-0.8%p"
    assert data.fmt_kpi_value(rate, 0.3, KO) == "30.0%"
    label = data.KpiLine("top_category", "label", "Finance", None, None)
    assert data.fmt_kpi_value(label, "Finance", KO) == "금융"
    assert KO.kpi("unknown_metric") == "unknown metric"
