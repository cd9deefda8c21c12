"""Markdown to HTML with raw HTML disabled: authors' text can never inject markup or scripts."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt

_SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/")


@cache
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Only plain web links; markdown-it already refuses javascript:, this also drops data: etc.
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)  # type: ignore[method-assign]
    return md


def render_markdown(text: str) -> str:
    """Safe HTML for ``text``: any HTML in the input comes out escaped, as visible text."""
    return _renderer().render(text)
