"""Korean particles after a filled-in value read as a person would write them."""

from __future__ import annotations

import re

import pytest

from services.i18n import catalog, translate
from services.i18n.particles import attach


@pytest.mark.parametrize(("written", "read"), [
    ("페이지 조회은(는) 늘었습니다", "페이지 조회는 늘었습니다"),  # vowel
    ("'지울 글'을(를) 삭제했습니다", "'지울 글'을 삭제했습니다"),  # consonant, past a quote
    ("'지울 글'과(와) 첨부 파일", "'지울 글'과 첨부 파일"),
    ("'챗봇 만들기'을(를) 저장했습니다", "'챗봇 만들기'를 저장했습니다"),
    ("서울(으)로", "서울로"),  # ㄹ takes 로
    ("부산(으)로", "부산으로"),
    ("9(으)로", "9로"), ("3(으)로", "3으로"), ("7(으)로", "7로"),  # 구, 삼, 칠
    ("10이(가)", "10이"), ("1,000이(가)", "1,000이"), ("2.5이(가)", "2.5가"),  # 십, 천, 오
    ("12.5%이(가)", "12.5%가"),  # 퍼센트
    ("9 `kpis[0].value`(으)로", "9 `kpis[0].value`로"),  # past a data path
    ("검색[3]이(가)", "검색[3]이"),  # past a footnote marker
])
def test_the_particle_fits_the_word_before_it(written: str, read: str) -> None:
    assert attach(written) == read


@pytest.mark.parametrize("written", ["'boss'을(를) 만들었습니다", "Bedrock이(가)", "(으)로 시작"])
def test_where_the_ending_is_not_korean_or_a_number_both_forms_stay(written: str) -> None:
    assert attach(written) == written


def test_a_filled_in_value_is_never_changed() -> None:
    """Only the message's own pairs are fitted; a title someone typed keeps its text."""
    shown = translate("ko", "content.deleted", title="서울(으)로 가는 길")
    assert "서울(으)로 가는 길" in shown


def test_messages_are_filled_then_fitted_in_korean_only() -> None:
    korean = translate("ko", "narrator.drv_kpi", metric="페이지 조회", before="0",
                       before_cite="`a`", after="9", after_cite="`b`")
    assert korean == "페이지 조회는 0 `a`에서 9 `b`로 바뀌었습니다."
    english = translate("en", "narrator.drv_kpi", metric="Page views", before="0",
                        before_cite="`a`", after="9", after_cite="`b`")
    assert english == "Page views went from 0 `a` to 9 `b`."


# A particle written in one form right after a filled-in value ("{name}로", "{label}는", past a
# closing quote or a footnote): wrong for half the values ("검색로", "1,230로").
BARE = re.compile(r"\}[’”']?(\s*\{\w*cite\})?(로|으로|는|은|가|이|를|을|와|과)(?![가-힣(])")


def test_every_particle_after_a_filled_in_value_is_written_as_a_pair() -> None:
    bare = {key: text for key, text in catalog("ko").items() if BARE.search(text)}
    assert bare == {}


@pytest.mark.parametrize(("key", "params", "expected"), [
    ("narrator.ins_category_up", {"category": "금융", "views": "조회 1,230", "cite": "[1]",
                                  "change": "+3.0% [2]"}, "조회 1,230 [1]으로"),
    ("narrator.drv_rises", {"name": "검색", "change": "+3", "cite": "[1]", "share": "50%",
                            "share_cite": "[2]"}, "요인은 검색으로,"),
    ("followup.peak_day", {"event": "검색", "day": "2026-11-03", "count": "7", "cite": "[1]"},
     "검색이 가장 많았던 날은 2026-11-03으로"),
    ("narrator.ins_traffic", {"value": "1,230", "cite": "[1]", "change": "직전 기간 대비 +3.0%"},
     "페이지 조회는 1,230 [1]입니다(직전 기간 대비 +3.0%)."),
])
def test_the_narrator_s_sentences_read_right(key: str, params: dict[str, str],
                                             expected: str) -> None:
    assert expected in translate("ko", key, **params)
