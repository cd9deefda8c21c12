"""Figure citations become numbered footnotes: the reader sees markers, the appendix says where
each number comes from, and the data path stays available for those who audit."""

from __future__ import annotations

import re
from typing import Any

import pytest

from services.domain.reports import ReportLanguage, ReportType
from services.reports.citations import MARKER, footnotes, replace_markers
from services.reports.context import build_context
from services.reports.grounding import check
from services.reports.narrator.offline import narrate
from tests.unit.reports.report_fixtures import PERIOD, boards, scenario

RAW_PATH = re.compile(r"`|\b[a-z_]+(?:\[\d+\])?\.[a-z_]+|\b[a-z_]+\[\d+\]")


def context() -> dict[str, Any]:
    return {
        "language": "en",
        "period": {"start": "2026-09-01", "end": "2026-09-30", "days": 30},
        "kpis": [
            {"key": "visitors", "kind": "count", "value": 2879, "previous": 2262,
             "change": 27.3},
            {"key": "page_views", "kind": "count", "value": 17234, "previous": 13975,
             "change": 23.3},
            {"key": "purpose_skip_rate", "kind": "rate", "value": 0.301, "previous": 0.309,
             "change": -0.8},
            {"key": "top_category", "kind": "label", "value": "Generative AI", "share": 0.555},
        ],
        "top_content": [{"rank": 1, "title": "<b>Bedrock</b> & [1] `x`", "views": 120,
                         "share": 0.31, "category": "Generative AI"}],
        "search": {"zero_results": [{"term": "양자 <컴퓨팅>", "searches": 40}]},
    }


def test_markers_are_numbered_in_order_of_first_appearance_and_reused() -> None:
    found = footnotes("Page views reached 17,234 `kpis[1].value`, visitors 2,879 "
                      "`kpis[0].value`. Again: 17,234 `kpis[1].value`.", context(), "en")
    assert found.reader == "Page views reached 17,234[1], visitors 2,879[2]. Again: 17,234[1]."
    assert [(s.number, s.path) for s in found.sources] == [(1, "kpis[1].value"),
                                                         (2, "kpis[0].value")]
    first, second = found.sources
    assert (first.label, first.value) == ("Page views, this period", "17,234")
    assert (second.label, second.value) == ("Visitors, this period", "2,879")
    assert first.known and second.known


def test_korean_labels_and_the_app_s_number_formats() -> None:
    ctx = {**context(), "language": "ko"}
    found = footnotes("변화 +27.3% `kpis[0].change`, 건너뜀 30.1% `kpis[2].value` "
                      "(-0.8%p `kpis[2].change`), 기간 30일 `period.days`, "
                      "비중 55.5% `kpis[3].share`", ctx, "ko")
    labels = {s.path: (s.label, s.value) for s in found.sources}
    assert labels["kpis[0].change"] == ("방문자, 비교 기간 대비 변화", "+27.3%")
    assert labels["kpis[2].value"] == ("목적 응답 건너뜀 비율, 이번 기간", "30.1%")
    assert labels["kpis[2].change"] == ("목적 응답 건너뜀 비율, 비교 기간 대비 변화", "-0.8%p")
    assert labels["period.days"] == ("분석 기간의 일수", "30")
    assert labels["kpis[3].share"] == ("인기 카테고리, 비중", "55.5%")
    assert found.reader.startswith("변화 +27.3%[1], 건너뜀 30.1%[2] (-0.8%p[3]), 기간 30일[4]")


def test_an_unknown_path_gets_a_marker_and_says_it_is_not_in_the_data() -> None:
    found = footnotes("Growth 99.9% `kpis[9].change` and 17,234 `kpis[1].value`.",
                      context(), "en")
    assert found.reader == "Growth 99.9%[1] and 17,234[2]."
    unknown = found.sources[0]
    assert not unknown.known and unknown.value == "–"
    assert unknown.label == "Not in the report data"
    assert unknown.path == "kpis[9].change"


def test_citation_groups_and_parentheses_collapse_into_markers() -> None:
    found = footnotes("Visitors 2,879 (`kpis[0].value`), page views 17,234 "
                      "(`kpis[1].value`, `kpis[1].change`); both `kpis[0].value` `period.days`.",
                      context(), "en")
    assert found.reader == ("Visitors 2,879[1], page views 17,234[2][3]; both[1][4].")


def test_other_code_spans_and_paths_written_differently() -> None:
    found = footnotes("Use `S3` and `aws s3 ls`; views 120 `data.top_content.0.views`.",
                      context(), "en")
    assert found.reader == "Use `S3` and `aws s3 ls`; views 120[1]."
    (source,) = found.sources
    assert source.path == "top_content[0].views" and source.value == "120"


def test_user_typed_text_in_a_label_stays_as_typed() -> None:
    found = footnotes("views 120 `top_content[0].views`, 40 `search.zero_results[0].searches`",
                      context(), "en")
    title, term = found.sources
    assert title.label == "“<b>Bedrock</b> & [1] `x`”: views"
    assert term.label == "Search with no results “양자 <컴퓨팅>”: searches"


def test_markers_can_be_rendered_any_way_and_stray_marker_characters_are_dropped() -> None:
    found = footnotes(f"a{MARKER[0]}9{MARKER[1]} 17,234 `kpis[1].value`", context(), "en")
    assert found.reader == "a9 17,234[1]"
    assert replace_markers(found.text, lambda n: f"<sup>{n}</sup>") == "a9 17,234<sup>1</sup>"


@pytest.mark.parametrize("kind", list(ReportType))
@pytest.mark.parametrize("lang", list(ReportLanguage))
def test_the_offline_narrator_leaves_no_raw_path_and_stays_grounded(
        kind: ReportType, lang: ReportLanguage) -> None:
    ctx = build_context(kind, *boards(scenario()), PERIOD, lang)
    narrative = narrate(ctx)
    found = footnotes(narrative, ctx, lang.value)
    assert found.sources, "the narrator cites its figures"
    words = replace_markers(found.text, lambda n: "")
    assert not RAW_PATH.search(words), RAW_PATH.search(words)
    assert found.reader.count("[1]") >= 1 and "\ue010" not in found.reader
    assert all(s.known and s.label and s.value != "–" for s in found.sources
               if not s.path.endswith((".change", ".share"))), found.sources
    assert [s.number for s in found.sources] == list(range(1, len(found.sources) + 1))
    assert check(narrative, ctx).ok  # the stored narrative keeps its paths for the check


def test_a_path_the_model_wrote_without_backticks_is_a_citation_too() -> None:
    found = footnotes("Visitors 2,879 (kpis[0].value) over 30 days (source: period.days); "
                      "page views 17,234 kpis[1].value. A period.unknown stays text.",
                      context(), "en")
    assert found.reader == ("Visitors 2,879[1] over 30 days[2]; page views 17,234[3]. "
                            "A period.unknown stays text.")


def test_a_korean_particle_glued_to_a_bare_path_stays() -> None:
    found = footnotes("다시 17,234회 kpis[1].value입니다. 기간 30일(period.days)이고요.", context(),
                      "ko")
    assert found.reader == "다시 17,234회[1]입니다. 기간 30일[2]이고요."


def test_a_path_inside_a_quoted_title_is_left_alone() -> None:
    found = footnotes(r"The item “kpis\[0\].value” drew 120 `top_content[0].views`.",
                      context(), "en")
    assert found.reader == r"The item “kpis\[0\].value” drew 120[1]."


def insight_context() -> dict[str, Any]:
    driver = {"dim": "content", "value": "01M94PGC", "name": "Bedrock 챗봇",
              "contribution": 300, "share": 1.0}
    return {
        "language": "ko",
        "headline": {"metric": "content_views", "after": 405, "rises": [driver]},
        "drivers": {"metrics": [
            {"metric": "page_views", "after": 140, "rises": [], "falls": []},
            {"metric": "content_views", "after": 405, "rises": [driver],
             "falls": [{"dim": "category", "value": "Finance", "name": "Finance",
                        "contribution": -20, "share": -0.1}]}]},
        "anomalies": {"flagged": [{"metric": "content_views", "day": "2026-03-07",
                                   "hour": None, "dim": "all", "value": "", "actual": 315,
                                   "high": 40, "drivers": [{**driver, "share": 0.95}]}]},
        "forecast": {"metrics": [{"metric": "page_views",
                                  "next_7": {"estimate": 344, "low": 274, "high": 414}}]},
    }


@pytest.mark.parametrize(("path", "words"), [
    ("drivers.metrics[1].rises[0].contribution", ("콘텐츠 조회", "Bedrock 챗봇", "콘텐츠",
                                                  "변화에 대한 기여")),
    ("drivers.metrics[1].falls[0].share", ("콘텐츠 조회", "금융", "카테고리")),
    ("drivers.metrics[0].after", ("페이지 조회", "이번 기간")),
    ("headline.rises[0].share", ("콘텐츠 조회", "Bedrock 챗봇")),
    ("anomalies.flagged[0].high", ("콘텐츠 조회", "2026-03-07", "평소 범위 상한")),
    ("anomalies.flagged[0].drivers[0].share", ("콘텐츠 조회", "2026-03-07", "Bedrock 챗봇")),
    ("forecast.metrics[0].next_7.estimate", ("페이지 조회", "다음 7일", "추정치")),
])
def test_insight_figures_are_labelled_by_metric_and_driver(path: str,
                                                           words: tuple[str, ...]) -> None:
    (source,) = footnotes(f"값 `{path}`.", insight_context(), "ko").sources
    assert source.known
    for word in words:
        assert word in source.label, (word, source.label)
    assert not re.search(r"· \d+ ·|· \d+$", source.label), source.label  # no row numbers
