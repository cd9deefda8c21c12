"""PDF page previews and the narrative highlighting of the report page (pure parts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pymupdf

from services.domain.reports import Grounding, Report, ReportLanguage, ReportType
from services.reports.preview import page_images
from services.ui.report_view import highlighted


def test_the_first_pages_become_pngs() -> None:
    with pymupdf.open() as doc:
        for _ in range(3):
            doc.new_page()
        data = doc.tobytes()
    images = page_images(data, pages=2)
    assert len(images) == 2 and all(i.startswith(b"\x89PNG") for i in images)
    assert len(page_images(data, pages=5)) == 3


def test_unmatched_numbers_are_highlighted_and_nothing_else() -> None:
    report = Report(
        id="r", type=ReportType.OVERALL, language=ReportLanguage.EN,
        period_start=date(2026, 3, 4), period_end=date(2026, 3, 10),
        context={"kpis": [{"key": "page_views", "value": 110}]}, prompt_version="v",
        model_id="m", narrative="Page views 110 `kpis[0].value`, visitors 777 and 888.",
        grounding=Grounding(checked=3), input_tokens=0, output_tokens=0, cost_usd=0.0,
        latency_ms=0, created_by="a", created_at=datetime(2026, 3, 10, tzinfo=UTC))
    html = highlighted(report)
    assert html.startswith('<p>Page views 110<sup style="color:#0b5cad;font-size:0.7em" '
                           'title="Page views, this period: 110">[1]<span class="df-sr"> '
                           '(source: Page views, this period: 110)</span></sup>, visitors <mark')
    assert "<strong>777</strong></mark> and <mark" in html
    assert "<strong>888</strong></mark>.</p>" in html and html.count("<mark") == 2
    clean = replace(report, narrative="Page views 110.")
    assert highlighted(clean) == "<p>Page views 110.</p>\n"


def test_the_narrative_shows_quoted_titles_as_text() -> None:
    report = Report(
        id="r", type=ReportType.OVERALL, language=ReportLanguage.EN,
        period_start=date(2026, 3, 4), period_end=date(2026, 3, 10), context={},
        prompt_version="v", model_id="m",
        narrative=("## Top\n\n- [session expired, sign in again](https://evil.example) "
                   "![x](https://evil.example/i.png) <https://evil.example> <b>x</b>"),
        grounding=Grounding(checked=0), input_tokens=0, output_tokens=0, cost_usd=0.0,
        latency_ms=0, created_by="a", created_at=datetime(2026, 3, 10, tzinfo=UTC))
    html = highlighted(report)
    assert "<h2>Top</h2>" in html
    assert "[session expired, sign in again](https://evil.example)" in html
    assert "<a " not in html and "<img" not in html and "<b>" not in html
