"""The report context against hand-made dashboards whose answers are known
(``tests/unit/report_fixtures.scenario`` describes the events)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.analytics.tables import Catalog
from services.domain.reports import ReportType
from services.reports.context import SCHEMA, SECTIONS_OF, build_context, change, fig, share
from tests.unit.reports.report_fixtures import PERIOD, boards, scenario


@pytest.fixture(scope="module")
def overall() -> dict[str, Any]:
    current, previous = boards(scenario())
    return build_context(ReportType.OVERALL, current, previous, PERIOD, "ko")


def kpi(context: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(row for row in context["kpis"] if row["key"] == key)
    return found


def test_the_rounding_is_defined_once() -> None:
    assert fig(1 / 3, "ratio") == 0.333
    assert fig(2 / 3 * 100, "percent") == 66.7
    assert fig(4 / 3, "average") == 1.3
    assert fig(None, "ratio") is None and fig(float("nan"), "ratio") is None
    assert share(1, 0) is None and change(5, 0) is None and change(110, 80) == 37.5


def test_the_header_names_the_periods_and_units(overall: dict[str, Any]) -> None:
    assert overall["schema"] == SCHEMA and overall["report_type"] == "overall"
    assert overall["language"] == "ko"
    assert overall["period"] == {"start": "2026-03-04", "end": "2026-03-10", "days": 7}
    assert overall["previous_period"] == {"start": "2026-02-25", "end": "2026-03-03",
                                          "days": 7}
    assert set(overall["units"]) == {"ratio", "change", "delta", "average", "difference",
                                     "contribution"}


def test_totals_and_changes_against_the_previous_period(overall: dict[str, Any]) -> None:
    assert kpi(overall, "page_views") == {"key": "page_views", "kind": "count", "value": 110,
                                          "previous": 80, "delta": 30, "change": 37.5}
    assert kpi(overall, "content_views")["change"] == 25.0
    assert kpi(overall, "likes") == {"key": "likes", "kind": "count", "value": 5,
                                     "previous": 0, "delta": 5, "change": None}
    assert kpi(overall, "searches")["change"] == 100.0
    assert kpi(overall, "top_category") == {
        "key": "top_category", "kind": "label", "value": "Generative AI",
        "previous": "Finance", "change": None, "share": 0.6}
    assert kpi(overall, "purpose_skip_rate") == {
        "key": "purpose_skip_rate", "kind": "rate", "value": 0.2, "previous": 0.5,
        "change": -30.0}


def test_top_items_with_shares_and_changes(overall: dict[str, Any]) -> None:
    top = overall["top_content"]
    assert [(r["rank"], r["title"], r["views"], r["share"]) for r in top] == [
        (1, "Bedrock 챗봇", 60, 0.6), (2, "금융 리스크 데모", 30, 0.3),
        (3, "제조 비전 검사", 10, 0.1)]
    assert top[0]["likes"] == 5 and top[0]["likes_per_view"] == 0.083
    assert (top[0]["previous_views"], top[0]["change"]) == (40, 50.0)
    assert (top[1]["change"], top[1]["downloads"]) == (-25.0, 3)
    assert top[2]["change"] is None  # no views before


def test_categories_with_shares_and_changes(overall: dict[str, Any]) -> None:
    rows = {r["category"]: r for r in overall["categories"]}
    assert len(rows) == 7  # every category, even without items
    assert (rows["Generative AI"]["share"], rows["Generative AI"]["change"]) == (0.6, 50.0)
    assert (rows["Retail/CPG"]["items"], rows["Retail/CPG"]["views"]) == (1, 0)


def test_authors_productivity_and_consistency(overall: dict[str, Any]) -> None:
    alice, bob, carol = overall["authors"]
    assert (alice["author"], alice["items"], alice["views"], alice["share"]) == (
        "Alice", 2, 70, 0.7)
    assert (alice["views_per_item"], alice["likes_per_item"]) == (35.0, 2.5)
    assert (alice["previous_views"], alice["change"]) == (40, 75.0)
    assert (alice["items_with_views"], alice["active_share"], alice["top_item_share"]) == (
        2, 1.0, 0.857)
    assert alice["top_titles"] == ["Bedrock 챗봇", "제조 비전 검사"]
    assert (bob["change"], bob["top_item_share"]) == (-25.0, 1.0)
    assert (carol["views"], carol["active_share"], carol["top_item_share"]) == (0, 0.0, None)


def test_items_by_view_band(overall: dict[str, Any]) -> None:
    dist = overall["distribution"]
    assert (dist["items_total"], dist["items_with_views"]) == (4, 3)
    assert {b["band"]: b["items"] for b in dist["bands"]} == {
        "0": 1, "1-9": 0, "10-49": 2, "50-99": 1, "100-499": 0, "500+": 0}
    assert dist["bands"][0]["share"] == 0.25
    assert (dist["top1_share"], dist["top5_share"]) == (0.6, 1.0)


def test_time_of_day_peaks_and_concentration(overall: dict[str, Any]) -> None:
    tod = overall["time_of_day"]
    assert (tod["total"], tod["peak_hour"], tod["peak_weekday"]) == (110, 14, 3)
    assert tod["top_hours"] == [{"hour": 14, "count": 50, "share": 0.455},
                                {"hour": 10, "count": 30, "share": 0.273},
                                {"hour": 15, "count": 20, "share": 0.182}]
    assert tod["top3_share"] == 0.909
    assert tod["by_weekday"] == [0, 0, 0, 50, 50, 10, 0]
    assert len(tod["matrix"]) == 7 and all(len(row) == 24 for row in tod["matrix"])
    assert tod["matrix"][4][15] == 20


def test_visitor_purpose_mix_and_skip_rate(overall: dict[str, Any]) -> None:
    mix = {r["purpose"]: r for r in overall["purposes"]}
    assert (mix["customer-demo"]["count"], mix["customer-demo"]["share"],
            mix["customer-demo"]["share_of_answers"]) == (3, 0.6, 0.75)
    assert mix["skipped"]["share_of_answers"] is None
    assert overall["purpose_summary"] == {"answers": 5, "answered": 4, "skipped": 1,
                                          "skip_rate": 0.2}


def test_search_demand_and_zero_result_terms(overall: dict[str, Any]) -> None:
    found = overall["search"]
    assert (found["total"], found["previous_total"], found["delta"], found["change"]) == (
        10, 5, 5, 100.0)
    assert (found["zero_total"], found["zero_rate"], found["previous_zero_rate"]) == (
        2, 0.2, 0.0)
    assert found["top"] == [{"term": "bedrock", "searches": 8, "zero_results": 0},
                            {"term": "양자", "searches": 2, "zero_results": 2}]
    assert found["zero_results"] == [{"term": "양자", "searches": 2}]


def test_the_trend_is_columns_of_days(overall: dict[str, Any]) -> None:
    trend = overall["trend"]
    assert trend["day"][0] == "2026-03-04" and len(trend["day"]) == 7
    assert trend["content_view"] == [0, 60, 40, 0, 0, 0, 0]
    assert {len(v) for v in trend.values()} == {7}


def test_each_type_has_its_own_subset() -> None:
    current, previous = boards(scenario())
    content = build_context("content", current, previous, PERIOD, "en")
    author = build_context("author", current, previous, PERIOD, "en")
    assert "authors" not in content and "time_of_day" not in content
    assert {k["key"] for k in content["kpis"]} == {
        "content_views", "likes", "downloads", "searches", "top_category"}
    assert author["productivity"] == {
        "authors_with_items": 3, "active_authors": 2, "items": 4, "items_per_author": 1.3,
        "views_per_item": 25.0, "top_author_share": 0.7, "top3_authors_share": 1.0}
    assert "search" not in author and "purposes" not in author
    for kind, sections in SECTIONS_OF.items():
        built = build_context(kind, current, previous, PERIOD, "ko")
        assert set(sections) <= set(built)


@pytest.mark.parametrize("kind", list(ReportType))
def test_an_empty_platform_gives_a_serialisable_context(kind: ReportType) -> None:
    current, previous = boards((), Catalog())
    context = build_context(kind, current, previous, PERIOD, "en")
    assert json.loads(json.dumps(context, allow_nan=False)) == context
    assert all(k["change"] is None for k in context["kpis"])


def test_the_context_is_json_with_plain_numbers(overall: dict[str, Any]) -> None:
    text = json.dumps(overall, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == overall
    assert build_context("overall", *boards(scenario()), PERIOD, "ko") == overall  # stable


def test_dashboards_of_other_periods_are_refused() -> None:
    current, previous = boards(scenario())
    with pytest.raises(ValueError, match="period"):
        build_context("overall", previous, current, PERIOD, "ko")
