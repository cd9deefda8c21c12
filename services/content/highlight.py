"""Which parts of a result match the search: the words to mark in a title and a snippet.

Pure text in, ``(text, matched)`` pieces out; the page escapes every piece and marks the
matched ones, so nothing an author typed can become markup. Matching is the search's own:
each word of the query as a substring, case-insensitively (Korean has no case).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

Piece = tuple[str, bool]
SNIPPET_CHARS = 140
ELLIPSIS = "…"


def _fold(text: str) -> str:
    """Lower case, one character for one (so offsets in the folded text are offsets in
    ``text``)."""
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def _marks(text: str, words: Sequence[str]) -> list[bool]:
    folded = _fold(text)
    marked = [False] * len(text)
    # stored text is NFC; what a browser sends may not be (macOS decomposes Hangul)
    for word in {_fold(unicodedata.normalize("NFC", w)) for w in words if w}:
        start = folded.find(word)
        while start >= 0:
            marked[start : start + len(word)] = [True] * len(word)
            start = folded.find(word, start + 1)
    return marked


def pieces(text: str, words: Sequence[str]) -> list[Piece]:
    """``text`` cut into runs that match one of ``words`` or not, in order."""
    marked = _marks(text, words)
    out: list[Piece] = []
    for ch, hit in zip(text, marked, strict=True):
        if out and out[-1][1] == hit:
            out[-1] = (out[-1][0] + ch, hit)
        else:
            out.append((ch, hit))
    return out


def matches(text: str, words: Sequence[str]) -> bool:
    return any(_marks(text, words))


def snippet(text: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> list[Piece]:
    """About ``width`` characters of ``text`` around its first match (``[]`` if none), with
    an ellipsis where it was cut."""
    marked = _marks(text, words)
    if True not in marked:
        return []
    first = marked.index(True)
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    # cut at spaces where there is one nearby, so no word is shown half
    if start > 0 and (space := text.find(" ", start, first)) >= 0:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", first, end)) > first:
        end = space
    cut = pieces(text[start:end], words)
    if start > 0:
        cut.insert(0, (ELLIPSIS, False))
    if end < len(text):
        cut.append((ELLIPSIS, False))
    return cut


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def plain_text(markdown: str) -> str:
    """The words of a markdown body as a reader sees them, on one line (no ``#``, ``**``,
    link targets or image addresses). A block's pieces are joined as they stand, since
    ``**에이전트**로`` is one word; blocks and line breaks are a space apart."""
    blocks: list[str] = []
    for token in _parser().parse(markdown):
        if token.type == "inline":
            blocks.append("".join(_inline_text(child) for child in token.children or ()))
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content)
    return " ".join(" ".join(blocks).split())


def _inline_text(child: Token) -> str:
    if child.type in ("text", "code_inline"):
        return child.content
    return " " if child.type in ("softbreak", "hardbreak") else ""


def result_snippet(summary: str, body: str, words: Sequence[str]) -> list[Piece]:
    """What a result card shows under its title for a search: the summary if a word occurs
    in it, else the passage of the body around the first match, else the summary as is."""
    if not words or matches(summary, words):
        return pieces(summary, words)
    return snippet(plain_text(body), words) or pieces(summary, words)
