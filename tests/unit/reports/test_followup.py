"""Offline follow-up questions: each pattern answers from a hand-made context in Korean and
English, every number in the answer is one of the context's figures, and anything else gets
the help text. The drivers are read from contexts the app builds
(``test_context_readers.py``): a hand-made drivers section once had a shape the builder never
wrote, and its test passed while every real report answered "no drivers"."""

from __future__ import annotations

from typing import Any

import pytest

from services.domain.reports import ReportType
from services.reports.context import build_context
from services.reports.followup import answer_offline, help_text
from services.reports.grounding import check
from tests.unit.reports.report_fixtures import PERIOD, boards, scenario


def context(**extra: Any) -> dict[str, Any]:
    return {
        "report_type": "overall", "language": "ko",
        "period": {"start": "2026-03-04", "end": "2026-03-10", "days": 7},
        "previous_period": {"start": "2026-02-25", "end": "2026-03-03", "days": 7},
        "kpis": [
            {"key": "visitors", "kind": "count", "value": 321, "previous": 300, "delta": 21,
             "change": 7.0},
            {"key": "page_views", "kind": "count", "value": 4567, "previous": 4000,
             "delta": 567, "change": 14.2},
            {"key": "content_views", "kind": "count", "value": 890, "previous": 1000,
             "delta": -110, "change": -11.0},
        ],
        "trend": {"day": ["2026-03-04", "2026-03-05", "2026-03-06"],
                  "page_view": [100, 777, 250], "content_view": [20, 30, 40]},
        "categories": [
            {"category": "Generative AI", "items": 4, "views": 600, "share": 0.674,
             "likes": 3, "previous_views": 500, "change": 20.0},
            {"category": "Finance", "items": 2, "views": 290, "share": 0.326, "likes": 1,
             "previous_views": 500, "change": -42.0},
        ],
        "top_content": [
            {"rank": 1, "title": "Bedrock <b>챗봇</b>", "category": "Generative AI",
             "views": 432, "share": 0.485},
            {"rank": 2, "title": "QuickSight 대시보드", "category": "Finance", "views": 211,
             "share": 0.237},
        ],
        "time_of_day": {"event": "page_view", "total": 4567, "peak_hour": 14,
                        "peak_weekday": 1},
        **extra,
    }


def grounded(text: str, ctx: dict[str, Any]) -> None:
    found = check(text, ctx)
    assert found.ok and found.checked > 0, (text, found)


@pytest.mark.parametrize(("lang", "question", "expected"), [
    ("ko", "가장 많이 본 카테고리는?", ["생성형 AI", "600회", "67.4%", "+20.0%"]),
    ("en", "Which category was viewed most?", ["600 views", "67.4%", "+20.0%"]),
    ("ko", "가장 적게 본 카테고리는?", ["290회", "-42.0%"]),
    ("en", "Which category had the fewest views?", ["290 views", "32.6%"]),
])
def test_the_category_question(lang: str, question: str, expected: list[str]) -> None:
    ctx = context()
    found = answer_offline(ctx, question, lang)
    assert found.answered
    for part in expected:
        assert part in found.text
    grounded(found.text, ctx)


@pytest.mark.parametrize(("lang", "question", "expected"), [
    ("ko", "피크는 언제였어?", ["2026-03-05", "777회", "14시", "화요일"]),
    ("en", "When was the peak?", ["2026-03-05", "777", "14:00", "Tuesday"]),
])
def test_the_peak_question(lang: str, question: str, expected: list[str]) -> None:
    ctx = context()
    found = answer_offline(ctx, question, lang)
    assert found.answered
    for part in expected:
        assert part in found.text
    grounded(found.text, ctx)


def test_why_without_drivers_names_the_categories_that_moved() -> None:
    ctx = context()
    found = answer_offline(ctx, "콘텐츠 조회는 왜 줄었어?", "ko")
    assert found.answered
    assert "890회" in found.text and "-11.0%" in found.text
    assert "+20.0%" in found.text and "-42.0%" in found.text
    grounded(found.text, ctx)


@pytest.mark.parametrize(("lang", "question"), [("ko", "인기 콘텐츠는?"),
                                                ("en", "What is the top content?")])
def test_the_top_content_question(lang: str, question: str) -> None:
    ctx = context()
    found = answer_offline(ctx, question, lang)
    assert found.answered
    assert "Bedrock <b>챗봇</b>" in found.text and "432" in found.text
    assert found.text.index("432") < found.text.index("211")
    grounded(found.text, ctx)


@pytest.mark.parametrize(("lang", "question", "expected"), [
    ("ko", "방문자는 몇 명이야?", "321명"), ("en", "How many visitors?", "321")])
def test_the_visitors_question(lang: str, question: str, expected: str) -> None:
    ctx = context()
    found = answer_offline(ctx, question, lang)
    assert found.answered and expected in found.text and "+7.0%" in found.text
    grounded(found.text, ctx)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_an_unknown_question_gets_the_help_message(lang: str) -> None:
    found = answer_offline(context(), "내일 날씨는? / what's the weather tomorrow?", lang)
    assert not found.answered
    assert found.text == help_text(context(), lang)
    assert ("가장 많이 본 카테고리는?" if lang == "ko" else "Which category") in found.text


def test_a_question_the_data_cannot_answer_says_so_with_the_help() -> None:
    ctx = context(categories=[])
    found = answer_offline(ctx, "가장 많이 본 카테고리는?", "ko")
    assert not found.answered
    assert "답할 수치가 없습니다" in found.text and help_text(ctx, "ko") in found.text


@pytest.mark.parametrize("kind", list(ReportType))
def test_the_help_offers_only_questions_the_report_can_answer(kind: ReportType) -> None:
    """A content or author report has no visitors figure: its help does not offer one."""
    ctx = build_context(kind, *boards(scenario()), PERIOD, "ko")
    found = answer_offline(ctx, "내일 날씨는?", "ko")
    assert not found.answered
    kpis = {row["key"] for row in ctx["kpis"]}
    assert ("방문자는 몇 명인가요?" in found.text) == ("visitors" in kpis), (kind, kpis)
    if "top_content" not in ctx:
        assert "인기 콘텐츠는?" not in found.text
    if "categories" not in ctx:
        assert "카테고리는?" not in found.text
    asked = "방문자 수는?"
    assert answer_offline(ctx, asked, "ko").answered == ("visitors" in kpis)
