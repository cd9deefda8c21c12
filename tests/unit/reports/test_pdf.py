"""The report PDF, read back with PyMuPDF: Korean text intact, the font embedded, page numbers,
contents, charts, appendices; markdown edge cases; and page 1 rendered for a human to look at
(tests/e2e/artifacts/, git-ignored)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from reportlab.platypus import Paragraph, Table

from services.domain.reports import (
    OFFLINE_MODEL_ID,
    Grounding,
    Report,
    ReportLanguage,
    ReportType,
    UnmatchedNumber,
)
from services.reports import charts
from services.reports.data import Labels
from services.reports.pdf.build import build_report_pdf
from services.reports.pdf.markdown import Heading, markdown_flowables
from services.reports.pdf.tables import fit_widths, printable, table
from tests.unit.reports.test_report_charts import context as chart_context
from tests.unit.reports.test_report_charts import literal_context

ARTIFACTS = Path(__file__).resolve().parents[2] / "e2e" / "artifacts"

KO_NARRATIVE = """## 요약

이번 기간 방문자는 **2,879명**으로 직전 기간보다 **+27.3%** 늘었습니다.

## 핵심 인사이트

1. **콘텐츠 조회 증가**: 7,117회 `kpis[2].value`
   - 상위 콘텐츠 하나가 조회의 31.0%를 차지합니다.
   - 중첩 목록 둘째 항목
2. 검색 2,862회 중 결과 없음 비율이 높습니다.

| 지표 | 값 |
|:--|--:|
| 방문자 | 2,879 |
| 검색 | 2,862 |

## 권고 사항

### 지금 바로

- 결과 없는 검색어 **A < B & C**에 맞는 콘텐츠를 만드세요.

## 위험 요인

- 조회가 한 콘텐츠에 몰려 있습니다.
"""

EN_NARRATIVE = """## Summary

Visitors reached **2,879** (+27.3%).

## Key insights

1. Content views 7,117.

## Recommendations

- Now: write about the missing topics.
"""


def report_context() -> dict[str, Any]:
    """A hand-made context in ``services.report_context.build_context``'s shape."""
    ctx = chart_context()
    ctx.update({
        "schema": "demo-factory/report-context/1",
        "period": {"start": "2026-09-01", "end": "2026-09-30", "days": 30},
        "previous_period": {"start": "2026-08-02", "end": "2026-08-31", "days": 30},
        "kpis": [
            {"key": "visitors", "kind": "count", "value": 2879, "previous": 2262,
             "delta": 617, "change": 27.3},
            {"key": "page_views", "kind": "count", "value": 17234, "previous": 13975,
             "delta": 3259, "change": 23.3},
            {"key": "top_category", "kind": "label", "value": "Retail/CPG",
             "previous": "Finance", "change": None, "share": 0.555},
            {"key": "purpose_skip_rate", "kind": "rate", "value": 0.301, "previous": 0.309,
             "change": -0.8},
        ],
        "search": {"total": 2862, "top": [{"term": "생성형 AI", "searches": 120,
                                           "zero_results": 0}],
                   "zero_results": [{"term": "양자 컴퓨팅", "searches": 40}]},
    })
    ctx["top_content"][0]["category"] = "Generative AI"
    return ctx


UNMATCHED = (
    UnmatchedNumber("42.7%", 42.7, "결과 없음 비율은 42.7%로 <높습니다> & 점검이 필요합니다."),
    UnmatchedNumber("1,234", 1234.0, "신규 방문자 1,234명"),
)


def make_report(**changes: Any) -> Report:
    report = Report(
        id="01JREPORT0000000000000000", type=ReportType.OVERALL, language=ReportLanguage.KO,
        period_start=date(2026, 9, 1), period_end=date(2026, 9, 30), context=report_context(),
        prompt_version="overall.ko.v1", model_id=OFFLINE_MODEL_ID, narrative=KO_NARRATIVE,
        grounding=Grounding(checked=14, unmatched=UNMATCHED), input_tokens=5321,
        output_tokens=1234, cost_usd=0.0123, latency_ms=8421, created_by="analyst@example.com",
        created_at=datetime(2026, 10, 1, 0, 30, tzinfo=UTC),
    )
    return dataclasses.replace(report, **changes)


def open_pdf(pdf: bytes) -> pymupdf.Document:
    return pymupdf.open(stream=pdf, filetype="pdf")


def pages(pdf: bytes) -> list[str]:
    return [page.get_text() for page in open_pdf(pdf)]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def provenance_page(pdf: bytes) -> str:
    """The page of the provenance appendix (the sources of the figures may follow it)."""
    found = pages(pdf)
    return flat(next(text for number, text in enumerate(found)
                     if number > 1 and "부록 B. 생성 정보" in text))


@pytest.fixture(scope="module")
def korean_pdf() -> bytes:
    return build_report_pdf(make_report())


@pytest.fixture(scope="module")
def english_pdf() -> bytes:
    return build_report_pdf(make_report(
        language=ReportLanguage.EN, narrative=EN_NARRATIVE, model_id="anthropic.claude-x",
        grounding=Grounding(checked=3), title="September platform review"))


# ---- content --------------------------------------------------------------------------------


def test_korean_headings_and_figures_come_back_intact(korean_pdf: bytes) -> None:
    text = flat(" ".join(pages(korean_pdf)))
    for heading in ("플랫폼 종합 보고서", "목차", "핵심 지표", "요약", "핵심 인사이트", "권고 사항",
                    "지금 바로", "위험 요인", "차트", "일별 이용 추이", "요일·시간대별 페이지 조회",
                    "부록 A. 데이터", "부록 B. 생성 정보", "숫자 검증"):
        assert heading in text, heading
    for figure in ("2,879명", "+27.3%", "17,234", "유통/소비재 (55.5%)", "30.1%", "-0.8%p",
                   "생성형 AI 챗봇", "양자 컴퓨팅"):
        assert figure in text, figure


def test_the_cover_has_title_period_local_time_model_and_offline_label(
        korean_pdf: bytes) -> None:
    cover = flat(pages(korean_pdf)[0])
    assert "플랫폼 종합 보고서" in cover
    assert "2026-09-01 ~ 2026-09-30 (30일)" in cover
    assert "2026-08-02 ~ 2026-08-31 (30일)" in cover  # the comparison period
    assert "2026-10-01 09:30 KST" in cover  # 00:30 UTC in Seoul
    assert "오프라인 내레이터" in cover
    assert "overall.ko.v1" in cover


def test_the_cover_names_the_model_and_the_requester_as_the_report_page_does() -> None:
    """The cover said "모델 offline-narrator" and "요청자 boss" where the page says the model in
    words and the requester's name; the ids it keeps for the record say what they are."""
    named = make_report(extra={"created_by_name": "김관리"}, created_by="boss")

    cover = flat(pages(build_report_pdf(named))[0])

    assert "모델 오프라인 내레이터(클라우드 없음, 무료)" in cover
    assert "요청자 김관리" in cover
    assert OFFLINE_MODEL_ID not in cover and "boss" not in cover
    assert "보고서 ID (기록 조회용) 01JREPORT0000000000000000" in cover
    assert "프롬프트 버전 (AI 지침) overall.ko.v1" in cover
    english = flat(pages(build_report_pdf(dataclasses.replace(
        named, language=ReportLanguage.EN, model_id="anthropic.claude-x")))[0])
    assert "Model Amazon Bedrock · anthropic.claude-x" in english
    assert "Requested by 김관리" in english


def test_a_bedrock_report_has_no_offline_label_and_its_own_title(english_pdf: bytes) -> None:
    text = flat(" ".join(pages(english_pdf)))
    assert "September platform review" in pages(english_pdf)[0]
    assert "anthropic.claude-x" in text
    assert "Offline narrator" not in text


def test_every_page_but_the_cover_is_numbered_n_of_total(korean_pdf: bytes) -> None:
    found = pages(korean_pdf)
    total = len(found)
    assert total >= 8
    assert "쪽" not in found[0]
    for number, text in enumerate(found[1:], start=2):
        assert f"{number} / {total}쪽" in text
        assert "플랫폼 종합 보고서" in text  # the header
        assert "2026-10-01 09:30 KST 생성" in text  # the footer


def test_english_labels_and_page_numbers(english_pdf: bytes) -> None:
    found = pages(english_pdf)
    text = flat(" ".join(found))
    for label in ("Contents", "Key figures", "Summary", "Charts", "Daily usage",
                  "Appendix A. Data", "Appendix B. Provenance", "Page views"):
        assert label.split()[0] in text, label
    assert f"Page 2 of {len(found)}" in found[1]
    assert "All 3 numbers in the narrative match" in text


def test_contents_and_outline_point_to_the_pages_of_the_headings(korean_pdf: bytes) -> None:
    doc = open_pdf(korean_pdf)
    outline = {title: page for _level, title, page in doc.get_toc()}
    for title in ("핵심 지표", "요약", "차트", "부록 A. 데이터", "부록 B. 생성 정보"):
        page = outline[title]
        assert title in doc[page - 1].get_text()
        contents = flat(doc[1].get_text())
        assert re.search(re.escape(title) + r"[ .]*" + str(page) + r"\b", contents), title
    assert [level for level, _, _ in doc.get_toc()][:2] == [1, 1]


def test_charts_are_embedded_images_on_the_chart_pages(korean_pdf: bytes) -> None:
    doc = open_pdf(korean_pdf)
    images = [(page.number, image) for page in doc for image in page.get_images(full=True)]
    assert len(images) == 5  # overall: trend, top content, categories, heatmap, purposes
    assert sum(len(page.get_image_info()) for page in doc) == 5
    first_page = images[0][0]
    assert "차트" in doc[first_page].get_text()
    pixmap = pymupdf.Pixmap(doc, images[0][1][0])
    assert (pixmap.width, pixmap.n) == (1020, 3)
    assert pixmap.pixel(2, 2) == (255, 255, 255)  # a white margin, not inverted or garbled


def chart_titles(labels: Labels, report_type: str = "overall") -> list[str]:
    return [labels.t(charts.CHARTS[key][0]) for key in charts.CHARTS_OF[report_type]]


def test_each_chart_image_sits_right_under_its_title(korean_pdf: bytes) -> None:
    doc = open_pdf(korean_pdf)
    placed = []  # (page, title) for every title with an image just below it
    for page in doc:
        images = page.get_image_info()
        for title in chart_titles(Labels("ko")):
            for found in page.search_for(title):
                if any(0 <= image["bbox"][1] - found.y1 < 30 for image in images):
                    placed.append((page.number, title))
    assert [title for _, title in placed] == chart_titles(Labels("ko"))


def test_math_like_user_text_exports_literally() -> None:
    ctx = report_context()
    ctx.update(literal_context())
    pdf = build_report_pdf(make_report(context=ctx, language=ReportLanguage.EN,
                                       narrative=EN_NARRATIVE))
    text = flat(" ".join(pages(pdf)))
    for title in chart_titles(Labels("en")):
        assert title in text, title
    assert "Cost $x_1^2$ plan" in text and "a_b^c" in text  # the data appendix, as typed
    assert len([i for p in open_pdf(pdf) for i in p.get_image_info()]) == 5


def test_the_provenance_appendix_lists_every_unmatched_number(korean_pdf: bytes) -> None:
    last = provenance_page(korean_pdf)
    assert "부록 B. 생성 정보" in last
    for value in ("overall.ko.v1", "5,321", "1,234", "$0.0123", "8,421 ms",
                  "analyst@example.com", "01JREPORT0000000000000000"):
        assert value in last, value
    assert "본문의 숫자 14개 중 2개는" in last
    assert "42.7%" in last and "결과 없음 비율은 42.7%로 <높습니다> & 점검이 필요합니다." in last
    assert "신규 방문자 1,234명" in last


def test_a_clean_grounding_says_so_and_lists_nothing() -> None:
    text = provenance_page(build_report_pdf(make_report(grounding=Grounding(checked=9))))
    assert "본문의 숫자 9개가 모두 보고서 데이터와 일치합니다." in text
    assert "확인되지 않은 숫자" not in text


def test_the_data_appendix_has_the_key_tables(korean_pdf: bytes) -> None:
    text = flat(" ".join(pages(korean_pdf)))
    for title in ("조회수 상위 콘텐츠", "카테고리별 조회", "작성자별 조회",
                  "조회수 구간별 콘텐츠 수",
                  "방문 목적", "많이 검색한 단어", "결과가 없던 검색어"):
        assert title in text, title
    assert "김민수" in text and "고객 데모" in text


# ---- fonts and rendering --------------------------------------------------------------------


def test_only_embedded_nanumgothic_truetype_fonts(korean_pdf: bytes) -> None:
    doc = open_pdf(korean_pdf)
    fonts = {font for number in range(doc.page_count) for font in doc.get_page_fonts(number)}
    assert fonts
    for xref, ext, kind, name, _ref, _encoding in fonts:
        assert (ext, kind) == ("ttf", "TrueType"), name  # no CID / Type0 / base-14 fonts
        assert re.fullmatch(r"[A-Z]{6}\+NanumGothic(Bold)?", name), name  # a subset
        assert len(doc.extract_font(xref)[3]) > 1000  # the font program is in the file
    assert any(name.endswith("NanumGothicBold") for *_, name, _r, _e in fonts)


def test_page_one_renders_to_png_for_a_human(korean_pdf: bytes, english_pdf: bytes) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, pdf in (("ko", korean_pdf), ("en", english_pdf)):
        doc = open_pdf(pdf)
        for number in range(min(doc.page_count, 6)):
            pixmap = doc[number].get_pixmap(dpi=100)
            target = ARTIFACTS / f"report_{name}_page{number + 1}.png"
            pixmap.save(target)
        first = doc[0].get_pixmap(dpi=100)
        assert first.width == 827 and abs(first.height - 1169) <= 1  # A4 at 100 dpi
        assert len(set(first.samples)) > 2  # drawn, not blank
        assert (ARTIFACTS / f"report_{name}_page1.png").stat().st_size > 5000


def test_the_same_report_gives_the_same_bytes(korean_pdf: bytes) -> None:
    assert build_report_pdf(make_report()) == korean_pdf


# ---- missing sections -----------------------------------------------------------------------


def test_an_empty_context_and_narrative_still_export() -> None:
    pdf = build_report_pdf(make_report(context={}, narrative="", grounding=Grounding(0)))
    text = flat(" ".join(pages(pdf)))
    assert "보고서 데이터에 이 표가 없습니다." in text  # KPI and data appendix
    assert "이 보고서에는 본문이 없습니다." in text
    assert "본문에 검증할 숫자가 없습니다." in text
    placed = [i for p in open_pdf(pdf) for i in p.get_image_info(xrefs=True)]
    assert len(placed) == 5  # five "no data" images ...
    assert len({i["xref"] for i in placed}) == 1  # ... stored once


def test_a_content_report_with_only_its_sections() -> None:
    ctx = {key: value for key, value in report_context().items()
           if key in ("kpis", "trend", "top_content", "categories", "distribution")}
    pdf = build_report_pdf(make_report(type=ReportType.CONTENT, context=ctx))
    text = flat(" ".join(pages(pdf)))
    assert "콘텐츠 성과 보고서" in text and "조회수 구간별 콘텐츠 수" in text
    assert "요일·시간대별 페이지 조회" not in text and "방문 목적" not in text
    assert len([i for p in open_pdf(pdf) for i in p.get_image_info()]) == 4


# ---- markdown ---------------------------------------------------------------------------------


def markup(flowables: list[Any]) -> list[str]:
    return [f.text for f in flowables if isinstance(f, Paragraph)]


def test_bold_with_special_characters_is_escaped_inside_the_bold() -> None:
    found = markup(markdown_flowables("**A < B & C** and <b>not bold</b> & `x<y`"))
    assert found[0].startswith("<b>A &lt; B &amp; C</b> and &lt;b&gt;not bold&lt;/b&gt; &amp;")
    assert "x&lt;y</font>" in found[0]


def test_nested_lists_keep_numbers_bullets_and_indentation() -> None:
    flowables = markdown_flowables("3. first\n   - inner a\n     1. deep\n   - inner b\n4. second")
    items = [f for f in flowables if isinstance(f, Paragraph)]
    assert [f.bulletText for f in items] == ["3.", "◦", "1.", "◦", "4."]
    assert [f.text for f in items] == ["first", "inner a", "deep", "inner b", "second"]
    indents = [f.style.leftIndent for f in items]
    assert indents[0] < indents[1] < indents[2] and indents[1] == indents[3] == indents[4] * 2


def test_tables_become_reportlab_tables_with_alignment() -> None:
    flowables = markdown_flowables("| 이름 | 값 |\n|:--|--:|\n| **가** | 1 |\n| 나 & 다 | 22 |")
    tables = [f for f in flowables if isinstance(f, Table)]
    assert len(tables) == 1
    cells = tables[0]._cellvalues
    assert [[c.text for c in row] for row in cells] == [
        ["이름", "값"], ["<b>가</b>", "1"], ["나 &amp; 다", "22"]]
    assert cells[1][1].style.alignment == 2  # right-aligned column (TA_RIGHT)


def test_heading_levels_are_ranked_and_a_lone_title_is_dropped() -> None:
    flowables = markdown_flowables("# Report title\n\n## 요약\n\ntext\n\n### 지금\n\n## 위험")
    headings = [(f.getPlainText(), f.level) for f in flowables if isinstance(f, Heading)]
    assert headings == [("요약", 0), ("지금", 1), ("위험", 0)]
    only_h3 = markdown_flowables("### a\n\n### b")
    assert [f.level for f in only_h3 if isinstance(f, Heading)] == [0, 0]


def test_links_and_images_in_the_narrative_are_literal_text() -> None:
    """The narrative quotes titles and search terms that users typed: a title written as a
    link ("session expired, sign in again") must not become one in the PDF."""
    found = markup(markdown_flowables(
        "[x](javascript:alert(1)) [session expired, sign in again](https://evil.example/?q=1&r=2)"
        " ![i](https://evil.example/i.png) <https://evil.example>"))
    assert "<a " not in found[0] and "<img" not in found[0]
    assert found[0].startswith("[x](javascript:alert(1)) [session expired, sign in again]"
                               "(https://evil.example/?q=1&amp;r=2) ![i](https://evil.example/i.png)")
    pdf = build_report_pdf(make_report(
        narrative="## 요약\n\n[session expired, sign in again](https://evil.example)"))
    assert not [link for page in open_pdf(pdf) for link in page.get_links() if link.get("uri")]
    assert "[session expired, sign in again](https://evil.example)" in flat("".join(pages(pdf)))


def test_glyphs_the_font_lacks_are_dropped_or_replaced() -> None:
    assert printable("좋아요 ✅ 👍 done") == "좋아요   done"
    assert printable("한글 text 1,234") == "한글 text 1,234"


def test_a_narrative_with_edge_cases_builds_and_reads_back() -> None:
    narrative = ("# 제목\n\n## 목록\n\n1. 하나\n   - 둘 **<굵게> & 기호**\n      - 셋\n\n"
                 "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode <x>\n  indented\n```\n\n"
                 "> 인용 ✅\n\n---\n\n![그림](x.png) 끝")
    text = flat(" ".join(pages(build_report_pdf(make_report(narrative=narrative)))))
    for piece in ("목록", "하나", "둘 <굵게> & 기호", "셋", "code <x>", "indented", "인용",
                  "![그림](x.png) 끝"):  # an image is its literal text, like a link
        assert piece in text, piece


def test_column_widths_fit_the_frame_and_keep_short_columns_whole() -> None:
    assert fit_widths([50, 60], 400) == [50, 60]
    widths = fit_widths([40, 900, 50], 400)
    assert widths[0] == 40 and widths[2] == 50 and sum(widths) == pytest.approx(400)


def test_number_columns_are_right_aligned_even_with_missing_values() -> None:
    found = table(["이름", "비율"], [["가", "24.2%"], ["나", "–"], ["다 & 라", "1,234"]])
    cells = found._cellvalues
    assert [row[1].style.alignment for row in cells] == [2, 2, 2, 2]  # TA_RIGHT, header too
    assert [row[0].style.alignment for row in cells] == [0, 0, 0, 0]
    assert cells[3][0].text == "다 &amp; 라"


def test_short_words_fit_their_column_without_breaking() -> None:
    found = table(["Category", "Views"], [["Manufacturing", "447"], ["Telco/Media", "500"]])
    first_column = [row[0] for row in found._cellvalues]
    width = found._colWidths[0] - 8  # left and right cell padding
    assert all(len(cell.breakLines([width]).lines) == 1 for cell in first_column)


def test_a_long_title_is_cut_in_the_header_not_over_the_period() -> None:
    pdf = build_report_pdf(make_report(title="아주 긴 리포트 제목 " * 12))
    page = open_pdf(pdf)[2]
    ellipsis = [r for r in page.search_for("제목…") if r.y0 < 70]  # in the header band
    period = [r for r in page.search_for("2026-09-01 ~") if r.y0 < 70]
    assert len(ellipsis) == 1 and len(period) == 1
    assert ellipsis[0].x1 < period[0].x0  # the cut title ends before the period starts


def test_the_pdf_is_dated_when_its_report_was_made(korean_pdf: bytes) -> None:
    """Deterministic (the same report gives the same file) and true: the report's own time."""
    meta = open_pdf(korean_pdf).metadata or {}
    assert meta["creationDate"].startswith("D:20261001003000")
    assert meta["modDate"].startswith("D:20261001003000")
    assert build_report_pdf(make_report()) == korean_pdf


def test_the_footnote_note_stays_with_the_end_of_the_narrative() -> None:
    """A page never holds the note alone: it is kept with the narrative's last block."""
    from reportlab.platypus import KeepTogether

    from services.reports.pdf.build import report_story

    story = report_story(make_report(), Labels("ko"), UTC)
    note = Labels("ko").t("sources.pdf_note")
    (kept,) = [f for f in story if isinstance(f, KeepTogether)
               and any(isinstance(p, Paragraph) and note in p.getPlainText()
                       for p in f._content)]
    assert len(kept._content) >= 2 and note not in kept._content[0].getPlainText()
