"""Search results with the matched words marked: the title and a snippet of each card.

Every piece of the author's text is HTML-escaped before the matched ones are wrapped in
``<mark>``, and the result goes out through ``st.html`` (never Streamlit's markdown), so a
title holding markup, markdown or a link stays the literal text it is.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from services.content.highlight import Piece, pieces, result_snippet
from services.domain.models import ContentItem

# The app's text style (widgets.TEXT_CSS) for markdown, repeated here for st.html blocks.
_STYLE = "word-break: keep-all; overflow-wrap: break-word; margin: 0 0 0.5rem 0"


def marked_html(parts: Sequence[Piece]) -> str:
    """Escaped text with the matching runs in ``<mark>``."""
    return "".join(f"<mark>{html.escape(text)}</mark>" if hit else html.escape(text)
                   for text, hit in parts)


def title_html(title: str, words: Sequence[str]) -> str:
    return f'<div class="df-hit-title" style="{_STYLE}"><strong>' \
           f"{marked_html(pieces(' '.join(title.split()), words))}</strong></div>"


def snippet_html(item: ContentItem, words: Sequence[str]) -> str:
    parts = result_snippet(" ".join(item.summary.split()), item.body, words)
    return f'<div class="df-hit-snippet" style="{_STYLE}">{marked_html(parts)}</div>'


def hit_title(item: ContentItem, words: Sequence[str]) -> None:
    st.html(title_html(item.title, words))


def hit_snippet(item: ContentItem, words: Sequence[str]) -> None:
    if item.summary.strip() or item.body.strip():
        st.html(snippet_html(item, words))
