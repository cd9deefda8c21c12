"""The pager under a list of results (browse, the category pages, My content): one ``st.html``
block of links.

Each page of results has its own address (the view's address with ``page=N``), so a page can
be opened in a new tab, shared, and is read out as a list of links. The block holds "previous"
and "next", the numbers of the first and last page and of two pages either side of the current
one ("…" between gaps), and the total. The current page is marked (``aria-current``) and is no
link, nor are "previous" on the first page and "next" on the last. It replaced previous/next
buttons and a page picker in columns (about eight Streamlit elements, each laid out by the
browser and reconciled on every run) with one element.

A plain click switches inside the running app through the cards' link script
(``cards.NAV_SCRIPT``), which handles links of class ``df-tag``: the links carry it, and the
stylesheet's rules for ``.df-pager`` give them their own look. The view then reads the page from
the address (``browse_url``) and the new page of results opens at its top.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import streamlit as st

from services.domain.models import Page
from services.ui.cards import nav_links_script
from services.ui.i18n import t

_AROUND = 2  # page numbers shown either side of the current one
_GAP = "…"
# Tap targets 2.25rem high and wide at least; on a phone the links wrap under each other.
PAGER_RULES = """
.df-pager { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem;
  margin: 0.5rem 0 0 0; }
.df-pager-links { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem; }
.df-pager .df-page { display: inline-flex; align-items: center; justify-content: center;
  box-sizing: border-box; min-width: 2.25rem; min-height: 2.25rem; margin: 0;
  padding: 0 0.6rem; font-size: 0.95rem; line-height: 1; border-radius: 0.5rem;
  border: 1px solid transparent; color: inherit; text-decoration: none; }
.df-pager a.df-page { border-color: rgba(128, 128, 128, 0.35); }
.df-pager a.df-page:hover { border-color: currentColor; }
.df-pager .df-page-current { font-weight: 700; border-color: currentColor; }
.df-pager .df-page-off { opacity: 0.6; }
.df-pager .df-page-gap { padding: 0 0.2rem; min-width: auto; }
.df-pager-total { font-size: 0.875rem; opacity: 0.7; }
"""


def shown_pages(page: int, pages: int) -> list[int | None]:
    """The page numbers the pager names, in order; ``None`` where pages are left out."""
    wanted = sorted({1, pages, *range(max(1, page - _AROUND), min(pages, page + _AROUND) + 1)})
    shown: list[int | None] = []
    for number in wanted:
        last = shown[-1] if shown else None
        if last is not None and number - last > 1:
            shown.append(None)
        shown.append(number)
    return shown


def _link(label: str, href: str, extra: str = "") -> str:
    return f'<a class="df-tag df-page" href="{html.escape(href)}" target="_self"{extra}>{label}</a>'


def _end(label: str, target: int, pages: int, href: Callable[[int], str], rel: str) -> str:
    """The "previous" or "next" entry: a link to ``target``, or text when there is no such
    page."""
    text = html.escape(label)
    if 1 <= target <= pages:
        return _link(text, href(target), f' rel="{rel}"')
    return f'<span class="df-page df-page-off" aria-disabled="true">{text}</span>'


def _number(number: int | None, page: int, pages: int, href: Callable[[int], str]) -> str:
    if number is None:
        return f'<span class="df-page df-page-gap" aria-hidden="true">{_GAP}</span>'
    name = f' aria-label="{html.escape(t("common.page_of", page=number, pages=pages))}"'
    if number == page:
        return f'<span class="df-page df-page-current" aria-current="page"{name}>{number}</span>'
    return _link(str(number), href(number), name)


def pager_html(page: int, pages: int, total: int, href: Callable[[int], str]) -> str:
    """The pager's block: links to the view's pages (``href(n)``: page ``n``'s address) when
    there is more than one, and the total."""
    total_html = f'<div class="df-pager-total">{html.escape(t("common.total", total=total))}</div>'
    if pages <= 1:
        return f'<div class="df-pager">{total_html}</div>'
    links = "".join(
        [
            _end(t("common.prev"), page - 1, pages, href, "prev"),
            *(_number(number, page, pages, href) for number in shown_pages(page, pages)),
            _end(t("common.next"), page + 1, pages, href, "next"),
        ]
    )
    label = html.escape(t("common.pages"))
    return (
        f'<div class="df-pager"><nav class="df-pager-links" aria-label="{label}">{links}'
        f"</nav>{total_html}</div>"
    )


_PAGE_CHANGES = "_df_page_changes"  # how many times a pager's page changed in this session
_PAGE_SHOWN = "_df_pager_shown"  # per pager: the page its last run showed
# The pager sits under the results: a link (or Back) changed the page with the reader still at
# the bottom (5,600 px down on a phone). On the run that shows another page, the view goes back
# to the top; a fixed script (no value of the page in it), as Streamlit has no scroll control.


def scroll_top_script(change: int) -> str:
    """The script for the ``change``-th page change: its number makes each one's body new, as
    Streamlit does not run a script again that the run before drew the same in the same place
    (two page changes in a row left the second page at its bottom)."""
    return (
        f"<script>/* page change {int(change)} */\n"
        "for (const el of document.querySelectorAll(\n"
        '    \'[data-testid="stMain"], [data-testid="stAppScrollToBottomContainer"]\')) {\n'
        "  el.scrollTop = 0;\n}\nwindow.scrollTo(0, 0);\n</script>"
    )


def _to_top_after_page_change(key: str, page: int) -> None:
    """Back to the top when this run shows another page of the list than its last run did."""
    state = st.session_state
    shown = state.get(f"{_PAGE_SHOWN}_{key}")
    state[f"{_PAGE_SHOWN}_{key}"] = page
    if shown is None or shown == page:
        return
    change = int(state.get(_PAGE_CHANGES, 0)) + 1
    state[_PAGE_CHANGES] = change
    st.sidebar.html(scroll_top_script(change), unsafe_allow_javascript=True)


def pager(result: Page[Any], key: str, href: Callable[[int], str]) -> None:
    """The pager of ``result``, whose page lives in ``key`` (and in the address the view
    writes); ``href(n)``: the address of page ``n``, built the way the view writes its own."""
    nav_links_script()  # first in the sidebar, where it was: the scroll script comes and goes
    _to_top_after_page_change(key, result.page)
    st.html(pager_html(result.page, result.pages, result.total, href))
