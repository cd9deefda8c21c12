"""Content cards (home, browse): one item as a bordered card, in a grid.

A card is drawn as few Streamlit elements as it can be: the picture, one ``st.html`` block
with title, meta line, summary (or the search snippet), tags and counts, and the "open" link.
A page of twelve cards used to be some 170 elements, each of which the browser lays out and
React reconciles on every run; drawing them was most of the time a person waited for home and
browse. Every piece of an author's text is HTML-escaped before it is put into the block, so a
title or tag holding markup stays the literal text it is.

Tags are plain links to ``browse?tag=`` (relative, so a base URL path is kept): a click loads
browse afresh, where ``services/ui/tags.py`` applies the tag, the same as before.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import tzinfo
from urllib.parse import quote

import streamlit as st

from services.domain.models import ContentItem
from services.ui import highlight, routes
from services.ui.i18n import t
from services.ui.thumbs import card_picture
from services.ui.widgets import TAG_PARAM, app_tz, content_link, meta_text

CARD_COLUMNS = 3
_TEXT = "word-break: keep-all; overflow-wrap: break-word"
_SMALL = f"{_TEXT}; font-size: 0.875rem; opacity: 0.7; margin: 0 0 0.4rem 0"
_TAG = ("display: inline-block; margin: 0 0.35rem 0.35rem 0; padding: 0.05rem 0.5rem;"
        " border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem;"
        " font-size: 0.8rem; text-decoration: none; color: inherit")


def tag_href(tag: str) -> str:
    return f"{routes.BROWSE_PATH}?{TAG_PARAM}={quote(tag, safe='')}"


def tags_html(tags: Sequence[str]) -> str:
    help_text = html.escape(t("content.tag_link_help"))
    links = "".join(
        f'<a class="df-tag" href="{html.escape(tag_href(tag))}" target="_self"'
        f' title="{help_text}" style="{_TAG}">#{html.escape(" ".join(tag.split()))}</a>'
        for tag in tags)
    return f'<div class="df-card-tags">{links}</div>'


def card_html(item: ContentItem, tz: tzinfo, words: Sequence[str] = ()) -> str:
    """Title, meta, summary or snippet, tags and counts of one card: escaped HTML."""
    if words:
        parts = [highlight.title_html(item.title, words)]
    else:
        title = html.escape(" ".join(item.title.split()))
        parts = [f'<div class="df-card-title" style="{_TEXT}; margin: 0 0 0.3rem 0">'
                 f"<strong>{title}</strong></div>"]
    parts.append(f'<div class="df-card-meta" style="{_SMALL}">'
                 f"{html.escape(meta_text(item, tz))}</div>")
    if words:
        if item.summary.strip() or item.body.strip():
            parts.append(highlight.snippet_html(item, words))
    elif item.summary.strip():
        parts.append(f'<div class="df-card-summary" style="{_TEXT}; margin: 0 0 0.5rem 0">'
                     f"{html.escape(item.summary)}</div>")
    if item.tags:
        parts.append(tags_html(item.tags))
    counts = t("content.counts", views=item.views, likes=item.likes)
    parts.append(f'<div class="df-card-counts" style="{_SMALL}">{html.escape(counts)}</div>')
    return "".join(parts)


def content_card(item: ContentItem, words: Sequence[str] = ()) -> None:
    """One item as a card; ``words``: a search's words, marked in the title and a snippet."""
    with st.container(border=True):
        card_picture(item)
        st.html(card_html(item, app_tz(), words))
        content_link(item, t("content.open"))


def card_grid(
    items: Sequence[ContentItem], columns: int = CARD_COLUMNS, words: Sequence[str] = ()
) -> None:
    for start in range(0, len(items), columns):
        cols = st.columns(columns)
        for col, item in zip(cols, items[start : start + columns], strict=False):
            with col:
                content_card(item, words)
