"""What a browse view's filters choose, under their closed panel: one chip per choice (the
category, each tag, the author, a sort other than the default), each a link to the same view
without it.

The filters' widgets are drawn only while their panel is open (``services/ui/browse.py``), so
the chips are what says, at a glance, why the list holds what it holds, and they take a
choice away in one click. They are links of the view's own address (``browse_url``) with the
page named (a bare address means Back to an entry the view left bare), of class ``df-tag``: a
plain click switches inside the running app through the cards' link script, a modifier click
opens a new tab. Every label is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.domain.models import Category, SearchQuery, Sort
from services.ui import browse_url
from services.ui.i18n import category_label, sort_label, t
from services.ui.url_params import Params
from services.ui.widgets import author_label

# A list without bullets, its links laid out as the cards' tags are.
CHIP_RULES = """
ul.df-chips { list-style: none; display: flex; flex-wrap: wrap; margin: 0; padding: 0; }
ul.df-chips li { margin: 0; padding: 0; }
a.df-chip { padding: 0.2rem 0.6rem; }
"""


@dataclass(frozen=True)
class Chip:
    """One choice: what it shows ("태그: RAG") and the view's address without it."""

    text: str
    params: Params


def chips(query: SearchQuery, fixed: Category | None, default_sort: Sort,
          authors: Mapping[str, str]) -> list[Chip]:
    """The choices of ``query`` a person made in the filters' panel, in the panel's order; a
    category page's own category is no choice."""
    def address(category: Category | None, tags: Sequence[str], author_id: str | None,
                sort: Sort) -> Params:
        chosen = str(category) if fixed is None and category else None
        return browse_url.to_address(query.text, chosen, tags, author_id, sort, default_sort, 1)

    found: list[Chip] = []
    if fixed is None and query.category:
        found.append(Chip(f"{t('content.category_label')}: {category_label(query.category)}",
                          address(None, query.tags, query.author_id, query.sort)))
    for tag in query.tags:
        rest = [other for other in query.tags if other != tag]
        found.append(Chip(f"{t('content.tags')}: {' '.join(tag.split())}",
                          address(query.category, rest, query.author_id, query.sort)))
    if query.author_id:
        name = author_label(query.author_id, authors.get(query.author_id) or query.author_id)
        found.append(Chip(f"{t('content.author')}: {' '.join(name.split())}",
                          address(query.category, query.tags, None, query.sort)))
    if query.sort != default_sort:
        found.append(Chip(f"{t('content.sort_label')}: {sort_label(query.sort)}",
                          address(query.category, query.tags, query.author_id, default_sort)))
    return found


def chips_html(found: Sequence[Chip]) -> str:
    """The chips as a list of links, named for a screen reader; empty without a choice."""
    if not found:
        return ""
    remove = html.escape(t("content.filter_remove"))
    links = "".join(
        f'<li><a class="df-tag df-chip" href="{html.escape(browse_url.page_href(chip.params, 1))}"'
        f' target="_self" title="{remove}">{html.escape(chip.text)}'
        f'<span class="df-sr"> – {remove}</span> <span aria-hidden="true">✕</span></a></li>'
        for chip in found)
    label = html.escape(t("content.filters_chosen"))
    return f'<ul class="df-chips" role="list" aria-label="{label}">{links}</ul>'
