"""PDF charts: each one draws the context's numbers with Korean labels, and an empty or broken
section gives a "no data" image instead of an exception."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle, Wedge
from matplotlib.text import Text
from PIL import Image

from services.reports import chart_kit, charts, data
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


def screen_y(ax: Axes, y: float) -> float:
    """Where data ``y`` is on the image, upwards (whatever way the axis runs)."""
    return float(ax.transData.transform((0, y))[1])


def bars_top_down(ax: Axes) -> list[Rectangle]:
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    return sorted(bars, key=lambda b: -screen_y(ax, b.get_y() + b.get_height() / 2))


def ytick_labels_top_down(ax: Axes) -> list[str]:
    ticks = zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    return [label.get_text() for y, label in sorted(ticks, key=lambda t: -screen_y(ax, t[0]))]


def test_trend_has_one_labelled_line_per_type_with_the_counts() -> None:
    fig = charts.trend_chart(context(), KO)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["페이지 조회", "검색"]
    assert list(lines[0].get_ydata()) == [10, 20, 30, 25]
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "페이지 조회"
    assert [line.get_label() for line in fig.axes[1].get_lines()] == [
        "콘텐츠 조회", "다운로드", "좋아요(순증)"]


def test_page_views_and_a_few_likes_never_share_an_axis() -> None:
    """Hundreds of page views would flatten a handful of likes: two panels, each on its own
    count axis, each titled with what it counts."""
    fig = charts.trend_chart(context(), EN)
    platform, content = fig.axes
    assert platform.get_title(loc="left") == "Page views, searches — whole platform"
    assert content.get_title(loc="left") == "Views, downloads, likes — whole platform"
    assert platform.get_ylim()[1] >= 30 > content.get_ylim()[1] >= 9


def test_trend_of_three_days_or_fewer_is_bars() -> None:
    ctx = context()
    ctx["trend"] = {k: v[:2] for k, v in ctx["trend"].items()}
    fig = charts.trend_chart(ctx, EN)
    assert not fig.axes[0].get_lines()
    heights = [p.get_height() for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert heights[:2] == [10, 20]  # page views of the two days


def trend_of(days: int) -> dict[str, Any]:
    start = date(2026, 9, 1)
    day_list = [(start + timedelta(days=i)).isoformat() for i in range(days)]
    return {"day": day_list, "page_view": [10 + i % 7 for i in range(days)],
            "like": [i % 3 for i in range(days)]}


@pytest.mark.parametrize("days", [1, 2, 4, 5, 7, 10, 11, 14, 20, 21, 30, 45, 60, 90, 180])
def test_the_date_axis_names_each_day_at_most_once(days: int) -> None:
    """A short period must not read "09-01 09-01 09-02": one tick a day at most, never more
    than ten, each label once."""
    ctx = context()
    ctx["trend"] = trend_of(days)
    fig = charts.trend_chart(ctx, EN)
    chart_kit.to_png(fig)  # tick labels are made when the figure is drawn
    for ax in fig.axes:
        low, high = ax.get_xlim()
        shown = [label.get_text() for label, tick in
                 zip(ax.get_xticklabels(), ax.get_xticks(), strict=True)
                 if label.get_text() and low <= tick <= high]
        period = [(date(2026, 9, 1) + timedelta(days=i)).strftime("%m-%d")
                  for i in range(days)]
        assert len(shown) == len(set(shown)), shown
        assert shown == sorted(shown, key=period.index), shown  # dates of the period, in order
        if days <= 10:
            assert shown == period  # every day named
        else:
            assert 3 <= len(shown) <= 10, shown  # still a readable axis


def test_top_content_bars_put_the_most_viewed_on_top_and_skip_unviewed() -> None:
    fig = charts.top_content_chart(context(), KO)
    ax = fig.axes[0]
    assert [b.get_width() for b in bars_top_down(ax)] == [120, 60]
    top, second = ytick_labels_top_down(ax)
    assert top == "생성형 AI 챗봇"
    assert second.endswith("…") and len(second) == chart_kit.LABEL_MAX
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
    ctx = context()
    fig = charts.heatmap_chart(ctx, KO)
    ax = fig.axes[0]
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    cells = np.asarray(mesh.get_array()).reshape(7, 24)
    assert np.array_equal(cells, np.asarray(ctx["time_of_day"]["matrix"]))
    assert ytick_labels_top_down(ax) == list("월화수목금토일")  # Monday on top
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(h) for h in range(24)]
    assert all(t.get_rotation() == 0 for t in ax.get_yticklabels())
    assert ax.get_xlabel() == KO.t("pdf.chart_hour")
    colorbar = fig.axes[1]
    assert colorbar.get_ylim()[0] == 0 and colorbar.get_ylim()[1] == 40


def test_purposes_are_shares_of_the_answers_without_skips() -> None:
    fig = charts.purpose_chart(context(), KO)
    bars = bars_top_down(fig.axes[0])
    assert [round(b.get_width(), 3) for b in bars] == [0.75, 0.25]
    assert ytick_labels_top_down(fig.axes[0]) == ["고객 데모", "리서치"]
    assert "고객 데모" in texts(fig) and "건너뜀" not in texts(fig)
    assert "75.0%" in texts(fig)


def test_authors_and_view_bands() -> None:
    authors = charts.authors_chart(context(), KO)
    assert sorted(p.get_width() for p in authors.axes[0].patches) == [30, 150]
    bands = charts.view_bands_chart(context(), KO)
    assert [p.get_height() for p in bands.axes[0].patches] == [2, 5, 1]
    assert [t.get_text() for t in bands.axes[0].get_xticklabels()] == ["0", "1-9", "10-49"]


def whole_ticks(ticks: Any, limits: tuple[float, float]) -> bool:
    shown = [v for v in ticks if limits[0] <= v <= limits[1]]
    return len(shown) >= 2 and all(float(v).is_integer() for v in shown)


def test_count_axes_of_a_few_events_tick_whole_numbers() -> None:
    ctx = context()
    ctx["trend"] = {"day": ctx["trend"]["day"], "like": [1, 0, 0, 1]}
    ctx["top_content"] = [{"title": "a", "views": 2}, {"title": "b", "views": 1}]
    ctx["authors"] = [{"author": "김민수", "views": 1}]
    ctx["distribution"] = {"bands": [{"band": "0", "items": 1}, {"band": "1-9", "items": 2}]}
    ctx["time_of_day"]["matrix"] = [[0] * 24 for _ in range(6)] + [[2] + [0] * 23]
    trend = charts.trend_chart(ctx, KO).axes[0]
    assert whole_ticks(trend.get_yticks(), trend.get_ylim())
    for builder in (charts.top_content_chart, charts.authors_chart):
        ax = builder(ctx, KO).axes[0]
        assert whole_ticks(ax.get_xticks(), ax.get_xlim()), builder.__name__
    bands = charts.view_bands_chart(ctx, KO).axes[0]
    assert whole_ticks(bands.get_yticks(), bands.get_ylim())
    colorbar = charts.heatmap_chart(ctx, KO).axes[1]
    assert whole_ticks(colorbar.get_yticks(), colorbar.get_ylim())


@pytest.mark.parametrize("key", list(BUILDERS))
def test_every_chart_says_no_data_for_an_empty_context(key: str) -> None:
    fig = BUILDERS[key]({}, KO)
    assert is_no_data(fig)
    png = chart_kit.to_png(fig)
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
    assert chart_kit.setup_fonts() == "NanumGothic"
    fig = charts.trend_chart(context(), KO)
    assert fig.axes[0].get_legend().get_texts()[0].get_fontname() == "NanumGothic"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        for key in BUILDERS:
            chart_kit.to_png(BUILDERS[key](context(), KO))


# an even number of "$" is what makes matplotlib read a label as math
MATH_LIKE = ("Cost $x_1^2$ plan", "a_b^c", r"broken $\frac{1$", "$5 or $6")


def literal_context() -> dict[str, Any]:
    """User-typed names that mathtext would read as math (or fail to parse)."""
    ctx = context()
    ctx["top_content"] = [{"title": title, "views": 10 * (4 - i)}
                          for i, title in enumerate(MATH_LIKE)]
    ctx["authors"] = [{"author": "$x$_kim", "views": 5}]
    ctx["categories"] = [{"category": "My $cat_1^2$", "views": 5}]
    ctx["purposes"] = [{"purpose": "cost $_{x}$", "count": 3}]
    return ctx


@pytest.mark.parametrize("key", ["top_content", "authors", "categories", "purposes"])
def test_labels_with_dollar_underscore_and_caret_render_literally(key: str) -> None:
    fig = BUILDERS[key](literal_context(), EN)
    chart_kit.to_png(fig)  # mathtext would raise on r"broken $\frac{1$"
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    shown = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().count("$") == 2]
    assert shown
    for text in shown:
        assert not text.get_parse_math(), text.get_text()
        # laid out glyph by glyph, "$" included: as wide as the same string as plain text
        plain = Text(0, 0, text.get_text(), fontproperties=text.get_fontproperties(),
                     parse_math=False, figure=fig)
        assert text.get_window_extent(renderer).width == pytest.approx(
            plain.get_window_extent(renderer).width)
        as_math = Text(0, 0, text.get_text(), fontproperties=text.get_fontproperties(),
                       parse_math=True, figure=fig)
        if "frac" not in text.get_text():  # that one is not even valid math
            assert as_math.get_window_extent(renderer).width != pytest.approx(
                plain.get_window_extent(renderer).width)


def test_every_math_like_title_is_a_tick_label_as_typed() -> None:
    fig = charts.top_content_chart(literal_context(), EN)
    chart_kit.to_png(fig)
    assert ytick_labels_top_down(fig.axes[0]) == list(MATH_LIKE)


def test_two_items_with_the_same_title_keep_two_bars() -> None:
    ctx = context()
    ctx["top_content"] = [{"title": "같은 제목", "views": 9}, {"title": "같은 제목", "views": 3}]
    ax = charts.top_content_chart(ctx, KO).axes[0]
    assert [b.get_width() for b in bars_top_down(ax)] == [9, 3]  # not averaged into one bar
    assert ytick_labels_top_down(ax) == ["같은 제목", "같은 제목"]


LEAK_CHECK = """
import matplotlib
from services.reports import charts
from services.reports.data import Labels
from tests.unit.reports.test_report_charts import context
before = dict(matplotlib.rcParams)
charts.build_charts(context(), Labels("ko"), "overall")
charts.build_charts(context(), Labels("en"), "content")
changed = sorted(k for k, v in matplotlib.rcParams.items() if str(before[k]) != str(v))
print(changed)
"""


def test_the_chart_theme_does_not_leak_into_global_matplotlib_state() -> None:
    # a fresh process: in this one, other tests may have built charts already
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", LEAK_CHECK], cwd=root, capture_output=True,
                          text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]"


def test_seaborn_charts_use_nanumgothic_for_korean_tick_labels() -> None:
    for key in ("top_content", "authors", "time_of_day", "purposes", "distribution"):
        fig = BUILDERS[key](context(), KO)
        chart_kit.to_png(fig)
        labels = [t for t in fig.axes[0].get_yticklabels() + fig.axes[0].get_xticklabels()
                  if t.get_text()]
        assert labels, key
        assert {t.get_fontname() for t in labels} == {"NanumGothic"}, key
    heatmap = charts.heatmap_chart(context(), KO)
    assert "화" in texts(heatmap) and KO.t("pdf.chart_hour") in texts(heatmap)


def test_build_charts_renders_each_chart_of_the_report_type_at_print_dpi() -> None:
    built = charts.build_charts(context(), KO, "overall")
    assert [c.key for c in built] == ["trend", "top_content", "categories", "time_of_day",
                                      "purposes"]
    assert built[0].title == "일별 이용 추이"
    for chart in built:
        image = Image.open(io.BytesIO(chart.png))
        assert image.mode == "RGB"
        assert image.size == (round(chart.width_in * chart_kit.DPI),
                              round(chart.height_in * chart_kit.DPI))
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


def _bands(ax: Axes) -> list[tuple[float, float]]:
    """The faint bands behind a panel's lines, as (start, end) on its x axis."""
    return [(band.get_x(), band.get_x() + band.get_width()) for band in ax.patches
            if isinstance(band, Rectangle) and band.get_alpha() == pytest.approx(0.14)]


@pytest.mark.parametrize("days", [2, 4, 30])
def test_a_last_day_still_being_counted_is_marked_on_both_panels(days: int) -> None:
    """A report made during its period's last day: that day's lines fell like a cliff."""
    ctx = context()
    ctx["trend"] = trend_of(days)
    ctx["period"] = {"start": "2026-09-01", "end": ctx["trend"]["day"][-1], "days": days,
                     "last_day_partial": True}
    fig = charts.trend_chart(ctx, KO)
    last = date.fromisoformat(ctx["trend"]["day"][-1])
    middle = last.toordinal() if days <= 3 else float(charts.date2num(last))
    for ax in fig.axes:
        assert _bands(ax) == [(middle - 0.5, middle + 0.5)]
    assert texts(fig).count(KO.t("analytics.running_day_report")) == 1  # above the top panel
    ctx["period"].pop("last_day_partial")
    assert not any(_bands(ax) for ax in charts.trend_chart(ctx, KO).axes)
