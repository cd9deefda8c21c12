"""The report PDF, read back with PyMuPDF: the narrative shows numbered footnote markers, not
data paths, and an appendix says where each number comes from (user text as typed)."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
import pytest

from services.domain.reports import ReportLanguage
from services.reports.pdf.build import build_report_pdf
from tests.unit.reports.test_pdf import make_report, report_context

ARTIFACTS = Path(__file__).resolve().parents[2] / "e2e" / "artifacts"
RAW_PATH = re.compile(r"`|\b(?:kpis|top_content|search|period)(?:\[\d+\])?\.[a-z_]+|\bkpis\[")
HOSTILE = '<font size="40" color="red">크게</font> & <b>굵게</b>'

KO = """## 요약

방문자는 2,879명 `kpis[0].value`으로 직전 기간보다 +27.3% `kpis[0].change` 늘었고, 페이지
조회는 17,234회 (`kpis[1].value`, `kpis[1].change`)였습니다. 분석 기간은 30일 `period.days`입니다.

## 핵심 인사이트

1. 가장 많이 조회된 콘텐츠는 조회 `top_content[0].views`를 기록했습니다.
2. 방문자 2,879명 `kpis[0].value`는 다시 인용해도 같은 번호입니다.
3. 없는 수치 12 `kpis[42].value`도 번호를 받습니다.
"""

EN = """## Summary

Visitors reached 2,879 `kpis[0].value` (+27.3% `kpis[0].change`); page views 17,234
`kpis[1].value` over 30 days `period.days`.
"""


def texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.get_text()) for page in pymupdf.open(stream=pdf,
                                                                          filetype="pdf")]


def split(pdf: bytes, appendix: str) -> tuple[str, str]:
    """(everything before the sources appendix, the appendix) by page; the contents page
    (which lists the appendix title) counts as body."""
    found = texts(pdf)
    start = next(n for n, text in enumerate(found) if n > 1 and appendix in text)
    return " ".join(found[:start]), " ".join(found[start:])


@pytest.fixture(scope="module")
def korean() -> bytes:
    ctx = report_context()
    ctx["top_content"][0]["title"] = HOSTILE
    return build_report_pdf(make_report(context=ctx, narrative=KO))


def test_the_korean_body_has_markers_and_no_data_paths(korean: bytes) -> None:
    body, _ = split(korean, "부록 C. 본문 수치의 출처")
    assert not RAW_PATH.search(body), RAW_PATH.search(body)
    assert "2,879명[1]" in body and "+27.3%[2]" in body and "17,234회[3][4]" in body
    assert "30일[5]" in body and "조회[6]" in body
    assert "다시 인용해도" in body and body.count("[1]") >= 3  # reused, plus the note
    assert "부록 C를 가리킵니다" in body  # the note under the narrative


def test_the_korean_appendix_lists_each_number_s_source_and_value(korean: bytes) -> None:
    _, appendix = split(korean, "부록 C. 본문 수치의 출처")
    for row in ("1 방문자, 이번 기간 2,879 kpis[0].value",
                "2 방문자, 비교 기간 대비 변화 +27.3% kpis[0].change",
                "3 페이지 조회, 이번 기간 17,234 kpis[1].value",
                "5 분석 기간의 일수 30 period.days",
                "7 보고서 데이터에 없는 경로 – kpis[42].value"):
        assert row in appendix, row
    assert f"“{HOSTILE}”: 조회" in appendix  # the typed title, inert
    for header in ("번호", "출처", "값", "데이터 경로"):
        assert header in appendix
    assert "부록 C. 본문 수치의 출처" in [title for _l, title, _p in
                                    pymupdf.open(stream=korean, filetype="pdf").get_toc()]


def test_the_english_pdf_too() -> None:
    pdf = build_report_pdf(make_report(language=ReportLanguage.EN, narrative=EN))
    body, appendix = split(pdf, "Appendix C. Sources of the figures")
    assert not RAW_PATH.search(body) and "2,879[1] (+27.3%[2])" in body
    assert "1 Visitors, this period 2,879 kpis[0].value" in appendix
    assert "4 Days in the period 30 period.days" in appendix


def test_a_narrative_without_citations_has_no_sources_appendix() -> None:
    found = " ".join(texts(build_report_pdf(make_report(narrative="## 요약\n\n인용 없음.\n"))))
    assert "부록 C" not in found


def test_the_sources_page_renders_for_a_human(korean: bytes) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    doc = pymupdf.open(stream=korean, filetype="pdf")
    for number, page in enumerate(doc):
        if number > 1 and ("부록 C" in page.get_text() or "요약" in page.get_text()):
            page.get_pixmap(dpi=100).save(ARTIFACTS / f"report_sources_page{number + 1}.png")
    assert any(p.name.startswith("report_sources_page") for p in ARTIFACTS.iterdir())
