"""The report's document template, laid out in one pass.

Two things in a PDF depend on pages not laid out yet: the contents (on which page is each
section?) and "page n of N". reportlab's usual answer, ``multiBuild``, lays the whole report
out twice. Here both are *form XObjects* that pages reference where the number goes
(``doForm``) and that are defined once the last page is done (``LateFormsCanvas.save``): the
contents lines and footers are drawn in the first and only pass, their numbers filled in at
the end. The contents' entries are known before layout (the story's headings).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus.flowables import KeepTogether

from services.reports.pdf.markdown import Heading
from services.reports.pdf.styles import (
    FONT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_SIZE,
    RULE,
    styles,
)

NUMBER_ROOM = 30.0  # points kept free at the right of a contents line for its page number
CONTENTS_LEVELS = 2  # the contents list levels 0 and 1; the PDF outline has every heading


def fit_text(text: str, width: float, font: str, size: float) -> str:
    """``text``, cut with an ellipsis to fit ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def form_name(kind: str, key: str) -> str:
    return f"{kind}_{re.sub(r'[^A-Za-z0-9]', '_', key)}"


class LateFormsCanvas(Canvas):  # type: ignore[misc]
    """A canvas that lets its document define forms just before saving."""

    late_forms: Callable[[Canvas], None] | None = None

    def save(self) -> None:
        if self.late_forms is not None:
            self.late_forms(self)
        super().save()


def headings_in(story: Iterable[Flowable]) -> Iterator[Heading]:
    """Every heading of the story, in order (inside KeepTogether groups too)."""
    for flowable in story:
        if isinstance(flowable, Heading):
            yield flowable
        elif isinstance(flowable, KeepTogether):
            yield from headings_in(flowable._content)


class ContentsList(Flowable):  # type: ignore[misc]
    """The contents: one line per heading (levels 0 and 1) with dot leaders and the page
    number, a form filled in after layout."""

    def __init__(self, entries: Sequence[tuple[int, str, str]]) -> None:
        super().__init__()
        found = styles()
        self._entries = list(entries)
        self._lines = [(level, Paragraph(text, found.toc1 if level == 0 else found.toc2), key)
                       for level, text, key in self._entries]
        self._heights: list[float] = []
        self._width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._width = avail_width
        self._heights = [p.wrap(avail_width - NUMBER_ROOM, 1e6)[1] for _, p, _ in self._lines]
        return avail_width, sum(self._heights)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        used, count = 0.0, 0
        for height in self._heights:
            if used + height > avail_height:
                break
            used += height
            count += 1
        if count in (0, len(self._entries)):
            return []
        return [ContentsList(self._entries[:count]), ContentsList(self._entries[count:])]

    def draw(self) -> None:
        canvas = self.canv
        top = sum(self._heights)
        for (_, para, key), height in zip(self._lines, self._heights, strict=True):
            top -= height
            para.drawOn(canvas, 0, top)  # the style's leftIndent indents level 1
            baseline = top + height - _first_ascent(para)
            self._dots(para, baseline)
            canvas.saveState()
            canvas.translate(self._width, baseline)
            canvas.doForm(form_name("toc", key))
            canvas.restoreState()

    def _dots(self, para: Paragraph, baseline: float) -> None:
        style = para.style
        if len(para.blPara.lines) != 1:
            return
        start = style.leftIndent + stringWidth(para.getPlainText(), style.fontName,
                                               style.fontSize) + 6
        end = self._width - NUMBER_ROOM + 4
        if end - start < 12:
            return
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 8)
        step = stringWidth(". ", FONT, 8)
        canvas.drawString(start, baseline, ". " * int((end - start) / step))
        canvas.restoreState()


def _first_ascent(para: Paragraph) -> float:
    """How far below the top of ``para`` its first baseline is (as reportlab draws it)."""
    if rl_config.paraFontSizeHeightOffset:
        return float(para.style.fontSize)
    return float(getattr(para.blPara, "ascent", para.style.fontSize))


class ReportDocument(BaseDocTemplate):  # type: ignore[misc]
    """A cover template and a body template (header, footer, "page n of N"); headings feed
    the PDF outline and the contents' page numbers."""

    def __init__(self, out: io.BytesIO, *, title: str, header_right: str, footer: str,
                 page_format: str, subject: str, created: datetime) -> None:
        super().__init__(out, pagesize=PAGE_SIZE, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=title,
                         author="Demo Factory", subject=subject, creator="Demo Factory",
                         invariant=1, initialFontName=FONT)  # no Helvetica, even unused
        # ``invariant`` keeps a rebuilt PDF the same file but dates it 2000-01-01; the date
        # written instead is the report's own creation time (the same on every build).
        self._date = created.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
        self._header_left = title
        self._header_right = header_right
        self._footer = footer
        self._page_format = page_format
        self._page_of: dict[str, int] = {}
        self._numbered: list[int] = []
        self._contents: list[tuple[int, str, str]] = []
        self._outline_level = -1
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("cover", [frame], onPage=self._cover_page),
                               PageTemplate("body", [frame], onPage=self._body_page)])

    def build_story(self, story: list[Flowable]) -> None:
        """Lay ``story`` out once and save the PDF."""
        self._contents = contents_entries(story)
        self.build(story, canvasmaker=LateFormsCanvas)

    def beforeDocument(self) -> None:
        self.canv.late_forms = self._define_forms
        # reportlab's hook for the creation and modification dates (``setDateFormatter``):
        # it is handed the build's time stamp, which is ignored here.
        self.canv.setDateFormatter(lambda *_moment: self._date)

    def _cover_page(self, canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColorRGB(1, 0.6, 0)  # the platform's orange band
        canvas.rect(0, PAGE_SIZE[1] - 10, PAGE_SIZE[0], 10, stroke=0, fill=1)
        canvas.restoreState()

    def _body_page(self, canvas: Canvas, _doc: Any) -> None:
        width, height = PAGE_SIZE
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        top = height - MARGIN_TOP + 10
        right_width = stringWidth(self._header_right, FONT, 8)
        room = width - 2 * MARGIN_X - right_width - 16
        canvas.drawString(MARGIN_X, top, fit_text(self._header_left, room, FONT, 8))
        canvas.drawRightString(width - MARGIN_X, top, self._header_right)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 4, width - MARGIN_X, top - 4)
        bottom = MARGIN_BOTTOM - 14
        canvas.line(MARGIN_X, bottom, width - MARGIN_X, bottom)
        canvas.drawString(MARGIN_X, bottom - 10, self._footer)
        page = canvas.getPageNumber()
        canvas.translate(width - MARGIN_X, bottom - 10)
        canvas.doForm(form_name("page", str(page)))  # "page n of N", N known at the end
        canvas.restoreState()
        self._numbered.append(page)

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, Heading):
            return
        text = flowable.getPlainText()
        level = min(flowable.level, self._outline_level + 1)  # outlines cannot skip a level
        self._outline_level = level
        self.canv.bookmarkPage(flowable.key)
        self.canv.addOutlineEntry(text, flowable.key, level=level, closed=level > 0)
        self._page_of.setdefault(flowable.key, self.page)

    def _number_form(self, canvas: Canvas, name: str, text: str, size: float,
                     color: Any, font: str = FONT) -> None:
        """A form that draws ``text`` right-aligned to its origin."""
        canvas.beginForm(name, lowerx=-200, lowery=-5, upperx=1, uppery=size + 5)
        canvas.setFont(font, size)
        canvas.setFillColor(color)
        canvas.drawRightString(0, 0, text)
        canvas.endForm()

    def _define_forms(self, canvas: Canvas) -> None:
        total = canvas.getPageNumber() - 1  # the page after the last, never shown
        for page in self._numbered:
            self._number_form(canvas, form_name("page", str(page)),
                              self._page_format.format(page=page, total=total), 8, MUTED)
        found = styles()
        for level, _, key in self._contents:
            style = found.toc1 if level == 0 else found.toc2
            self._number_form(canvas, form_name("toc", key), str(self._page_of.get(key, "–")),
                              style.fontSize, style.textColor, style.fontName)


def contents_entries(story: Iterable[Flowable]) -> list[tuple[int, str, str]]:
    """(level, markup, key) of each heading the contents lists."""
    return [(h.level, h.text, h.key) for h in headings_in(story) if h.level < CONTENTS_LEVELS]
