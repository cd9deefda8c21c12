"""The narrative's markdown as reportlab flowables (parsed with markdown-it-py, the library
``services.markdown`` uses; raw HTML off).

Headings become ``Heading`` paragraphs (the document lists them in its contents), lists keep
their numbering and nesting, tables become reportlab tables, ``**bold**`` is the bold face.
Every piece of text is escaped for reportlab's paragraph markup, so ``<``, ``>`` and ``&`` in
the narrative show as themselves and can never break or inject markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer
from reportlab.platypus.flowables import HRFlowable

from services.reports.citations import markup
from services.reports.pdf.styles import FONT, FRAME_WIDTH, RULE, styles
from services.reports.pdf.tables import paragraph, plain, table

INDENT = 14.0  # points per list level
BULLETS = ("•", "◦", "–")
LINK_COLOR = "#0B5CAD"
CODE_BACK = "#F0F2F5"
CODE_COLOR = "#52606D"  # inline code: quieter than text
LINK_SCHEMES = ("http://", "https://", "mailto:")
FOOTNOTE = '<super><font color="' + LINK_COLOR + '">[{n}]</font></super>'


class Heading(Paragraph):  # type: ignore[misc]
    """A section heading; ``level`` 0 is a top-level entry of the contents."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str) -> None:
        super().__init__(text, style)
        self.level = level
        self.key = key


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # The narrative quotes users' titles and search terms: a link or an image in it stays
    # its literal text (a title must not become a "sign in again" link).
    md.disable(["link", "image", "autolink"])
    return md


# ---- inline ------------------------------------------------------------------------------------

_OPEN = {"strong": "<b>", "em": "<i>", "s": "<strike>"}
_CLOSE = {"strong": "</b>", "em": "</i>", "s": "</strike>"}


def _attr(value: object) -> str:
    return plain(value).replace('"', "&quot;")


def inline_markup(node: SyntaxTreeNode) -> str:
    """The children of an ``inline`` node as reportlab paragraph markup."""
    return "".join(_inline(child) for child in node.children)


def _inline(node: SyntaxTreeNode) -> str:
    kind = node.type
    inner = "".join(_inline(child) for child in node.children)
    if kind == "text":  # footnote markers (services.reports.citations) raised and coloured
        return markup(node.content, plain, lambda n: FOOTNOTE.format(n=n))
    if kind in _OPEN:
        return f"{_OPEN[kind]}{inner}{_CLOSE[kind]}"
    if kind == "code_inline":
        return (f'<font size="8" color="{CODE_COLOR}" backColor="{CODE_BACK}">'
                f"{plain(node.content)}</font>")
    if kind == "softbreak":
        return " "
    if kind == "hardbreak":
        return "<br/>"
    if kind == "link":
        href = str(node.attrs.get("href", ""))
        if href.strip().lower().startswith(LINK_SCHEMES):
            return f'<a href="{_attr(href)}" color="{LINK_COLOR}">{inner}</a>'
        return inner
    if kind == "image":
        return inner or plain(node.content)
    return inner or plain(node.content)  # html_inline and anything new: as text


# ---- blocks ------------------------------------------------------------------------------------


@dataclass
class _Context:
    level_of: dict[int, int]  # markdown heading level -> contents level (0 = top)
    key_prefix: str
    headings: int = 0
    skip_first: bool = False


def heading_levels(root: SyntaxTreeNode) -> tuple[dict[int, int], bool]:
    """Map the narrative's heading levels to 0, 1, 2 by rank (``##`` may be the top). A lone
    top-level heading that opens the text, with deeper headings after it, is the report's
    title (already on the cover): it is skipped and the next level becomes the top."""
    found = [int(n.tag[1]) for n in root.children if n.type == "heading"]
    levels = sorted(set(found))
    skip = (len(levels) > 1 and found.count(levels[0]) == 1 and bool(root.children)
            and root.children[0].type == "heading" and int(root.children[0].tag[1]) == levels[0])
    if skip:
        levels = levels[1:]
    return {level: min(rank, 2) for rank, level in enumerate(levels)}, skip


def markdown_flowables(text: str, *, key_prefix: str = "md",
                       width: float = FRAME_WIDTH) -> list[Flowable]:
    """Flowables for ``text``; headings are ``Heading`` (contents entries, bookmark keys
    ``{key_prefix}-{n}``)."""
    root = SyntaxTreeNode(_parser().parse(text))
    level_of, skip = heading_levels(root)
    ctx = _Context(level_of, key_prefix, skip_first=skip)
    out: list[Flowable] = []
    for index, node in enumerate(root.children):
        if index == 0 and ctx.skip_first:
            continue
        out.extend(_block(node, ctx, depth=0, width=width))
    return out


def _block(node: SyntaxTreeNode, ctx: _Context, depth: int,
           width: float) -> Iterator[Flowable]:
    kind = node.type
    if kind == "heading":
        yield _heading(node, ctx)
    elif kind == "paragraph":
        yield paragraph(inline_markup(node.children[0]) if node.children else "")
    elif kind in ("bullet_list", "ordered_list"):
        yield from _list(node, ctx, depth, width)
    elif kind == "table":
        yield _table(node, width - depth * INDENT)
        yield Spacer(1, 6)
    elif kind in ("fence", "code_block"):
        yield _code(node.content)
    elif kind == "blockquote":
        for child in node.children:
            if child.type == "paragraph" and child.children:
                yield paragraph(inline_markup(child.children[0]), "quote")
            else:
                yield from _block(child, ctx, depth, width)
    elif kind == "hr":
        yield HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=4, spaceAfter=8)
    elif node.children:
        for child in node.children:
            yield from _block(child, ctx, depth, width)
    elif node.content:
        yield paragraph(plain(node.content))


def _heading(node: SyntaxTreeNode, ctx: _Context) -> Heading:
    level = ctx.level_of.get(int(node.tag[1]), 2)
    ctx.headings += 1
    inline = node.children[0] if node.children else None
    markup = inline_markup(inline) if inline else ""
    return Heading(markup, styles().heading(level + 1), level,
                   f"{ctx.key_prefix}-{ctx.headings}")


@cache
def _item_style(depth: int) -> ParagraphStyle:
    body = styles().body
    return ParagraphStyle(f"item{depth}", parent=body, leftIndent=INDENT * (depth + 1),
                          bulletIndent=INDENT * depth + 2, bulletFontName=FONT,
                          spaceAfter=2)


def _list(node: SyntaxTreeNode, ctx: _Context, depth: int,
          width: float) -> Iterator[Flowable]:
    ordered = node.type == "ordered_list"
    start = int(node.attrs.get("start", 1) or 1) if ordered else 1
    for offset, item in enumerate(node.children):
        bullet: str | None = f"{start + offset}." if ordered else BULLETS[depth % len(BULLETS)]
        for child in item.children:
            if child.type == "paragraph" and child.children:
                markup = inline_markup(child.children[0])
                yield _item(markup, depth, bullet)
                bullet = None
            elif child.type in ("bullet_list", "ordered_list"):
                yield from _list(child, ctx, depth + 1, width)
            else:
                if bullet is not None:
                    yield _item("", depth, bullet)
                    bullet = None
                yield from _block(child, ctx, depth + 1, width)
        if bullet is not None:  # an empty item
            yield _item("", depth, bullet)
    if depth == 0:
        yield Spacer(1, 4)


def _item(markup: str, depth: int, bullet: str | None) -> Paragraph:
    style = _item_style(depth)
    try:
        return Paragraph(markup, style, bulletText=bullet)
    except ValueError:
        return Paragraph(plain(markup), style, bulletText=bullet)


def _table(node: SyntaxTreeNode, width: float) -> Flowable:
    header: list[str] = []
    rows: list[list[str]] = []
    aligns: list[str | None] = []
    for section in node.children:
        for tr in section.children:
            cells = [inline_markup(cell.children[0]) if cell.children else ""
                     for cell in tr.children]
            if section.type == "thead":
                header = cells
                aligns = [_align(cell) for cell in tr.children]
            else:
                rows.append(cells)
    return table(header, rows, aligns=aligns, width=width, markup=True)


def _align(cell: SyntaxTreeNode) -> str | None:
    style = str(cell.attrs.get("style", ""))
    return style.split(":", 1)[1].strip() if style.startswith("text-align:") else None


def _code(text: str) -> Paragraph:
    lines = [plain(line).replace("  ", "&nbsp; ") for line in text.rstrip("\n").split("\n")]
    return paragraph("<br/>".join(lines), "code")
