"""Search results with the matched words marked: the title and a snippet of each card.

Every piece of the author's text is HTML-escaped before the matched ones are wrapped in
``<mark>``, and the result goes out through ``st.html`` (never Streamlit's markdown), so a
title holding markup, markdown or a link stays the literal text it is.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from services.content.highlight import Piece, pieces, result_snippet
from services.domain.models import ContentItem


def marked_html(parts: Sequence[Piece]) -> str:
    """Escaped text with the matching runs in ``<mark>``."""
    return "".join(f"<mark>{html.escape(text)}</mark>" if hit else html.escape(text)
                   for text, hit in parts)


def title_html(title: str, words: Sequence[str], level: int = 3) -> str:
    """A card's title as a heading of ``level``, the words marked."""
    marked = marked_html(pieces(" ".join(title.split()), words))
    return f'<h{level} class="df-hit-title"><strong>{marked}</strong></h{level}>'


def snippet_html(item: ContentItem, words: Sequence[str]) -> str:
    parts = result_snippet(" ".join(item.summary.split()), item.body, words)
    return f'<div class="df-hit-snippet">{marked_html(parts)}</div>'
