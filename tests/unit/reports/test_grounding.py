"""The grounding check on planted correct and wrong numbers (services/reports/grounding.py)."""

from __future__ import annotations

from typing import Any

import pytest

from services.reports.grounding import check, context_numbers, find_numbers, unmatched_spans

CONTEXT: dict[str, Any] = {
    "period": {"start": "2026-03-04", "end": "2026-03-10", "days": 7},
    "kpis": [
        {"key": "page_views", "value": 12345, "previous": 9876, "delta": 2469, "change": 25.0},
        {"key": "purpose_skip_rate", "value": 0.375, "previous": 0.5, "change": -12.5},
    ],
    "time_of_day": {"peak_hour": 14, "top3_share": 0.909},
    "top_content": [{"title": "Bedrock 2.0 데모 99선", "views": 64, "likes_per_view": 0.083}],
    "search": {"top": [{"term": "s3 2025", "searches": 3}]},
    "flag": True,
}


def unmatched(text: str) -> list[str]:
    return [u.text for u in check(text, CONTEXT).unmatched]


def checked(text: str) -> int:
    return check(text, CONTEXT).checked


def test_context_numbers_are_every_int_and_float_but_booleans() -> None:
    found = context_numbers(CONTEXT)
    assert 12345.0 in found and 0.375 in found and 7.0 in found
    assert found == sorted(found) and 1.0 not in found  # True is not a figure


@pytest.mark.parametrize("text", [
    "페이지뷰는 12,345회로 25.0% 늘었습니다.",
    "Page views reached 12345 (+25%).",
    "Skip rate was 37.5% (down 12.5%p).",
    "건너뛰기 비율은 37.5%로 12.5%포인트 낮아졌습니다.",
    "조회수 1.2만 회",  # 12,000 shown to 1 decimal of 10,000: 12,345 rounds to it
    "about 12.3k page views",
    "about 12.3 thousand page views",
    "Views per like: 8.3% of views were liked.",  # ratio 0.083 as a percent
    "Peak at 14:00, that is 오후 2시 or 2 PM.",
    "The top 3 hours hold 90.9% of page views.",
    "previous 9,876 -> delta 2,469 in 7 days",
    "fell by -12.5%",
])
def test_figures_from_the_context_match(text: str) -> None:
    assert unmatched(text) == [], text
    assert checked(text) >= 1


@pytest.mark.parametrize(("text", "wrong"), [
    ("페이지뷰는 12,346회로 늘었습니다.", ["12,346"]),
    ("Page views grew 26.0%.", ["26.0%"]),
    ("Skip rate was 38.5%.", ["38.5%"]),
    ("조회수 1.5만 회", ["1.5만"]),
    ("1.5 million page views", ["1.5 million"]),
    ("Peak at 15:00.", ["15:00"]),
    ("오후 3시에 가장 많았습니다.", ["3"]),
    ("Visitors: 11 people, 123.4 per day.", ["11", "123.4"]),
    ("7 likes and 9 downloads", ["9"]),  # small, but with a count unit
    ("5% of visitors", ["5%"]),
])
def test_wrong_numbers_are_reported(text: str, wrong: list[str]) -> None:
    assert unmatched(text) == wrong


def test_rounding_is_to_the_shown_precision() -> None:
    assert unmatched("25% growth and a 38% skip rate") == []  # 25.0 and 0.375 -> 37.5
    assert unmatched("a 37% skip rate") == []  # 0.375 shown without decimals
    assert unmatched("a 37.4% skip rate") == ["37.4%"]
    assert unmatched("0.38 of answers skipped") == []
    assert unmatched("0.3750 of answers skipped") == []
    assert unmatched("0.3751 of answers skipped") == ["0.3751"]


@pytest.mark.parametrize("text", [
    "## 1. 요약\n\n### 2) Key insights",
    "1. First insight\n2. Second insight\n10. Tenth",
    "- 1. nested list numbers",
    "the 1st, 2nd and 3rd items; 1위, 2번째, #3, No. 4",
    "상위 5개 콘텐츠, top 20 items, bottom 3 categories",
    "Insight 2 and 인사이트 3, 권고 4",
    "### 1–3개월\n### 3-12 months\nwithin 6 weeks, 2분기 안에",
    "Report for 2026, dated 2026-03-10 and 2026.03.10, 2026년 3월 10일, 3월 10일, Mar 10, 2026",
    "three demos, 2 teams and 4 ideas",  # small numbers without a count unit
    "Amazon S3, 5G networks, 3D scanning, x86, v1.2.3",
    "The demo “Bedrock 2.0 데모 99선” and the term “s3 2025”.",  # strings of the context
    "Cite `kpis[1].value` and `top_content[0].views`.",
    "See https://example.com/report/2026/42",
])
def test_ignored_numbers_are_not_checked(text: str) -> None:
    result = check(text, CONTEXT)
    assert (result.checked, result.unmatched) == (0, ()), find_numbers(text, CONTEXT)


def test_a_year_with_a_unit_is_a_count() -> None:
    assert unmatched("2026 views this week") == ["2026"]


def test_unmatched_numbers_carry_their_sentence() -> None:
    result = check("# Report\n\nAll good. Visitors rose **42%** this week. Next line.", CONTEXT)
    assert not result.ok
    (only,) = result.unmatched
    assert (only.text, only.value) == ("42%", 42.0)
    assert only.sentence == "Visitors rose **42%** this week."


def test_spans_point_at_the_unmatched_text() -> None:
    text = "Views 12,345 and 999 likes."
    spans = list(unmatched_spans(text, CONTEXT))
    assert [text[a:b] for a, b in spans] == ["999"]


def test_no_numbers_is_ok_with_nothing_checked() -> None:
    result = check("No figures here at all.", {})
    assert result.ok and result.checked == 0
