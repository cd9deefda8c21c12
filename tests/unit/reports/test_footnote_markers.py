"""A report's footnote markers ("[1]") say where their figure comes from to a screen reader
too, not only in a tooltip a mouse shows: the marker's own text holds the source, in the
report's language, HTML-escaped (labels quote titles users typed); the report and its chat
answers carry the same markers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from services.ui.report_chat import answer_html
from services.ui.report_view import reader_html

HOSTILE = '<img src=x onerror="alert(1)"> <b>'
CONTEXT = {
    "kpis": [{"key": "page_views", "kind": "count", "value": 40}],
    "top_content": [{"title": HOSTILE, "views": 5}],
}
TEXT = "Page views 40 `kpis[0].value`, the first item `top_content[0].views`."


class _Markers(HTMLParser):
    """Each ``<sup>``'s text as assistive technology reads it (``title`` is not read as text
    by every screen reader, nor shown without a mouse), and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []
        self.tags: list[str] = []
        self._in: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "sup":
            self._in = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup" and self._in is not None:
            self.read.append(" ".join("".join(self._in).split()))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._in.append(data)


def _markers(shown: str) -> _Markers:
    parsed = _Markers()
    parsed.feed(shown)
    return parsed


def test_a_marker_reads_out_its_source_in_the_report_s_language() -> None:
    shown, _ = reader_html(TEXT, CONTEXT, "en")
    read = _markers(shown).read
    assert read == [
        "[1] (source: Page views, this period: 40)",
        f"[2] (source: “{HOSTILE}”: views: 5)",
    ]
    assert _markers(reader_html(TEXT, CONTEXT, "ko")[0]).read[0] == (
        "[1] (출처: 페이지 조회, 이번 기간: 40)"
    )


def test_a_typed_title_in_a_source_stays_text() -> None:
    shown, _ = reader_html(TEXT, CONTEXT, "en")
    assert "img" not in _markers(shown).tags and "b" not in _markers(shown).tags
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in shown


def test_report_and_chat_answers_carry_the_same_markers() -> None:
    sup = re.compile(r"<sup\b.*?</sup>", re.S)
    report = sup.findall(reader_html(TEXT, CONTEXT, "ko")[0])
    chat = sup.findall(answer_html(TEXT, CONTEXT, "ko"))
    assert len(report) == 2 and report == chat
    assert _markers(answer_html(TEXT, CONTEXT, "ko")).read[1] == (
        f"[2] (출처: “{HOSTILE}”: 조회: 5)"
    )
