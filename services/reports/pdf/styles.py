"""Fonts, paragraph styles and table styles of the report PDF (reportlab).

NanumGothic (regular and bold) is registered as a TrueType font: reportlab embeds a subset of
it in every PDF, so Korean renders in any viewer. The CID fonts reportlab ships with are never
used (they are not embedded and show boxes where the viewer has no Korean font).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import TableStyle

from services.reports.pdf.fonts import korean_font_path

FONT = "NanumGothic"
FONT_BOLD = "NanumGothicBold"

PAGE_SIZE = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#616E7C")
ACCENT = colors.HexColor("#FF9900")  # the platform's orange
NAVY = colors.HexColor("#232F3E")
RULE = colors.HexColor("#CBD2D9")
ZEBRA = colors.HexColor("#F5F7FA")
HEAD_BG = colors.HexColor("#E4E7EB")
WARN = colors.HexColor("#B54708")
OK = colors.HexColor("#027A48")
CODE_BG = colors.HexColor("#F0F2F5")


@cache
def register_fonts() -> tuple[str, str]:
    """Register NanumGothic and NanumGothicBold (once per process) as one font family, so
    ``<b>`` in paragraph markup picks the bold face. Italic has no Korean face: it maps to the
    upright one."""
    pdfmetrics.registerFont(TTFont(FONT, str(korean_font_path())))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(korean_font_path(bold=True))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                  boldItalic=FONT_BOLD)
    return FONT, FONT_BOLD


def _style(name: str, size: float, *, bold: bool = False, leading: float | None = None,
           color: colors.Color = INK, **extra: object) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=FONT_BOLD if bold else FONT, fontSize=size,
                          leading=leading or size * 1.45, textColor=color, **extra)


@dataclass(frozen=True)
class Styles:
    """Every paragraph style the report uses."""

    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    cover_title: ParagraphStyle
    cover_sub: ParagraphStyle
    cover_label: ParagraphStyle
    cover_value: ParagraphStyle
    badge: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    code: ParagraphStyle
    quote: ParagraphStyle
    caption: ParagraphStyle
    toc1: ParagraphStyle
    toc2: ParagraphStyle

    def heading(self, level: int) -> ParagraphStyle:
        return (self.h1, self.h2, self.h3)[min(max(level, 1), 3) - 1]


@cache
def styles() -> Styles:
    register_fonts()
    return Styles(
        body=_style("body", 10, leading=15.5, spaceAfter=5),
        small=_style("small", 8.5, leading=12),
        muted=_style("muted", 8.5, leading=12, color=MUTED),
        h1=_style("h1", 17, bold=True, leading=22, color=NAVY, spaceBefore=14, spaceAfter=8,
                  keepWithNext=1),
        h2=_style("h2", 13, bold=True, leading=18, color=NAVY, spaceBefore=12, spaceAfter=6,
                  keepWithNext=1),
        h3=_style("h3", 11, bold=True, leading=15, spaceBefore=8, spaceAfter=4,
                  keepWithNext=1),
        cover_title=_style("cover_title", 26, bold=True, leading=34, color=NAVY,
                           spaceAfter=8),
        cover_sub=_style("cover_sub", 13, leading=19, color=MUTED, spaceAfter=24),
        cover_label=_style("cover_label", 9.5, leading=14, color=MUTED),
        cover_value=_style("cover_value", 10.5, leading=15),
        badge=_style("badge", 9.5, bold=True, leading=14, color=colors.white,
                     alignment=TA_CENTER),
        cell=_style("cell", 8.5, leading=11.5),
        cell_head=_style("cell_head", 8.5, bold=True, leading=11.5),
        code=_style("code", 8.5, leading=12, backColor=CODE_BG, borderPadding=4,
                    spaceBefore=4, spaceAfter=8, leftIndent=4, rightIndent=4),
        quote=_style("quote", 10, leading=15, color=MUTED, leftIndent=14, spaceBefore=6,
                     spaceAfter=5),
        caption=_style("caption", 8.5, leading=12, color=MUTED, alignment=TA_CENTER,
                       spaceAfter=10),
        toc1=_style("toc1", 11, bold=True, leading=18, leftIndent=0),
        toc2=_style("toc2", 9.5, leading=14, leftIndent=14, color=MUTED),
    )


@cache
def cell_style(align: str | None, head: bool = False) -> ParagraphStyle:
    """The table cell style (or header cell style) for an alignment: ``left`` (or None),
    ``right``, ``center``."""
    base = styles().cell_head if head else styles().cell
    alignment = {"right": TA_RIGHT, "center": TA_CENTER}.get(align or "", TA_LEFT)
    return ParagraphStyle(f"{base.name}_{align}", parent=base, alignment=alignment)


def base_table_commands() -> list[tuple[object, ...]]:
    """Every table sets its cell font: reportlab's default (Helvetica) would otherwise be
    selected, unused, and listed as a non-embedded font of the page."""
    return [("FONT", (0, 0), (-1, -1), FONT, 8.5)]


def plain_table_style(*commands: tuple[object, ...]) -> TableStyle:
    return TableStyle([*base_table_commands(), *commands])


def grid_style(rows: int, *, header: bool = True,
               right_columns: tuple[int, ...] = ()) -> TableStyle:
    """Thin rules, a shaded header row, zebra stripes; numbers right-aligned."""
    commands: list[tuple[object, ...]] = [
        *base_table_commands(),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED)]
    first = 1 if header else 0
    commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA)
                 for r in range(first + 1, rows, 2)]
    commands += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in right_columns]
    return TableStyle(commands)

