"""Tables for the report PDF: cells that wrap, columns sized to their text, the header repeated
on every page, numbers right-aligned. Used for markdown tables and for the data appendix."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Paragraph, Table

from services.reports.pdf.styles import (
    FONT,
    FONT_BOLD,
    FRAME_WIDTH,
    cell_style,
    grid_style,
    register_fonts,
    styles,
)

CELL_PADDING = 10.0  # left + right padding of a cell (8 points) and some slack, in points
MIN_COLUMN = 28.0
EMPTY = ("", "–", "-")  # what a table shows for a missing number
_NUMBER = re.compile(r"^[+\-−]?[\d,.]+\s*(%|%p|ms|s)?$")


@cache
def _glyphs(font: str) -> frozenset[int]:
    register_fonts()
    face = pdfmetrics.getFont(font).face
    return frozenset(face.charToGlyph)


def printable(text: str) -> str:
    """``text`` without characters NanumGothic cannot draw (a viewer would show a box): emoji
    and other symbols are dropped, anything else becomes ``?``."""
    glyphs = _glyphs(FONT)
    if all(ord(ch) in glyphs or ch in "\n\t" for ch in text):
        return text
    out = []
    for ch in text:
        if ord(ch) in glyphs or ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch)[0] not in "SMC":  # symbols, marks, controls: drop
            out.append("?")
    return "".join(out)


def plain(text: object) -> str:
    """Any value as escaped paragraph markup (``<``, ``>`` and ``&`` shown as themselves)."""
    return escape(printable("" if text is None else str(text)))


def looks_numeric(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def paragraph(markup: str, style_name: str = "body") -> Paragraph:
    """A paragraph from reportlab markup; if the markup does not parse, its text is shown
    escaped instead of failing the whole PDF."""
    style = getattr(styles(), style_name)
    try:
        return Paragraph(markup, style)
    except ValueError:
        return Paragraph(escape(re.sub(r"<[^>]*>", "", markup)), style)


def _text_width(markup: str, bold: bool) -> float:
    text = re.sub(r"<[^>]*>", "", markup).replace("&lt;", "<").replace("&gt;", ">")
    text = text.replace("&amp;", "&")
    size = styles().cell.fontSize
    longest = max((pdfmetrics.stringWidth(line, FONT_BOLD if bold else FONT, size)
                   for line in text.split("<br/>")), default=0.0)
    return longest + CELL_PADDING


def fit_widths(natural: Sequence[float], total: float) -> list[float]:
    """Column widths that fit ``total``: natural widths when they fit; otherwise every column
    keeps up to a fair share and the rest of the room goes to the columns that need more, in
    proportion to what they ask for (long titles wrap, short numbers never do)."""
    wants = [max(w, MIN_COLUMN) for w in natural]
    if sum(wants) <= total or not wants:
        return wants
    widths = [0.0] * len(wants)
    open_columns = list(range(len(wants)))
    room = total
    while open_columns:
        share = room / len(open_columns)
        small = [i for i in open_columns if wants[i] <= share]
        if not small:
            asked = sum(wants[i] for i in open_columns)
            for i in open_columns:
                widths[i] = max(MIN_COLUMN, room * wants[i] / asked)
            break
        for i in small:
            widths[i] = wants[i]
            room -= wants[i]
            open_columns.remove(i)
    return widths


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
          aligns: Sequence[str | None] | None = None, width: float = FRAME_WIDTH,
          markup: bool = False) -> Flowable:
    """A table of paragraphs. ``markup``: cells are already reportlab markup (else escaped).
    Columns without an alignment are right-aligned when every cell looks like a number."""
    columns = max([len(header), *(len(r) for r in rows)]) if (header or rows) else 0
    cells = [[(c if markup else plain(c)) for c in row] + [""] * (columns - len(row))
             for row in rows]
    head = [(h if markup else plain(h)) for h in header] + [""] * (columns - len(header))
    chosen = list(aligns or []) + [None] * columns
    for c in range(columns):
        if chosen[c] is None and cells and all(looks_numeric(r[c]) or r[c] in EMPTY
                                               for r in cells):
            chosen[c] = "right"
    natural = [max([_text_width(head[c], True), *(_text_width(r[c], False) for r in cells)])
               for c in range(columns)]
    widths = fit_widths(natural, width)
    data: list[list[Flowable]] = [
        [_cell(text, chosen[c], head=True) for c, text in enumerate(head)]
    ] if header else []
    data += [[_cell(text, chosen[c]) for c, text in enumerate(row)] for row in cells]
    right = tuple(c for c in range(columns) if chosen[c] == "right")
    found = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    found.setStyle(grid_style(len(data), header=bool(header), right_columns=right))
    return found


def _cell(markup_text: str, align: str | None, head: bool = False) -> Paragraph:
    style = cell_style(align, head)
    try:
        return Paragraph(markup_text, style)
    except ValueError:
        return Paragraph(escape(re.sub(r"<[^>]*>", "", markup_text)), style)
