"""A browse view's search in its address: ``browse?q=bedrock&category=Finance&sort=title&page=2``.

Written after every run, so a reload, a new tab or a shared link shows the same search. Read
when the page is opened with it (a fresh load, a link, Back to an earlier search): the
address then says what to show. An address without these parameters (the sidebar's browse
link) leaves the session's search as it is; the view's next run writes it (the run that
arrives from another page may not write: ``url_params``). Back to an entry the view left
without parameters shows what the view showed there. What an address asks for is checked like
a visitor's choice: an unknown category, author, tag or sort is left out, a page is a whole
number, and the text is cut to the search box's limit.

The pager's links (``services/ui/pager.py``) are this address with the page always named
(``page_href``). My content's list has a page alone: ``read_page`` and ``write`` keep it in the
address the same way.

``?tag=`` (a tag link) is not one of these: ``services/ui/tags.py`` applies it once, after
the address is read, and the next write drops it for the view's tags (``tags``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from services.content.service import FilterOptions
from services.domain.analytics import SEARCH_QUERY_MAX
from services.domain.models import Sort
from services.ui.url_params import Params, arrived, href, write_params
from services.ui.widgets import TAG_PARAM

TEXT, CATEGORY, TAGS, AUTHOR, SORT, PAGE = "q", "category", "tags", "author", "sort", "page"
PARAMS = (TEXT, CATEGORY, TAGS, AUTHOR, SORT, PAGE)
ALL = ""  # the "all categories / all authors" choice (browse's filters use it too)
# Per view key prefix: the view's parameters the browser's address holds, as far as this
# session knows (what it wrote, or what the address had on a run that could not write).
_SHOWN = "_df_browse_url_shown"
# Per view key prefix: the parameters of what the view showed when its address was last left
# without any (a bare ``browse``): Back to that entry shows it again.
_BARE = "_df_browse_url_bare"


def _address() -> Params:
    return {name: st.query_params.get_all(name) for name in PARAMS if name in st.query_params}


def from_address(params: Mapping[str, Sequence[str]], options: FilterOptions,
                 sorts_for: Callable[[str], Sequence[Sort]]) -> dict[str, object]:
    """Every choice of a view as the address asks for it, by parameter; what is missing or
    cannot be honoured is the widget's default ("all", no text, the first sort, page 1)."""
    def first(name: str) -> str:
        values = params.get(name) or [""]
        return values[0]

    text = first(TEXT)[:SEARCH_QUERY_MAX]
    sorts = sorts_for(text)
    category = first(CATEGORY)
    author = first(AUTHOR)
    sort = first(SORT)
    known_tags = set(options.tags)
    return {
        TEXT: text,
        CATEGORY: category if category in set(options.categories) else ALL,
        TAGS: [tag for tag in params.get(TAGS, []) if tag in known_tags],
        AUTHOR: author if author in {author_id for author_id, _ in options.authors} else ALL,
        SORT: Sort(sort) if sort in {str(choice) for choice in sorts} else sorts[0],
        PAGE: page_number(params),
    }


def page_number(params: Mapping[str, Sequence[str]]) -> int:
    """The page an address asks for: a whole number from 1 (past the last page, the view
    shows its last), or 1."""
    page = (params.get(PAGE) or [""])[0]
    return int(page) if page.isdecimal() and 0 < int(page) < 10**6 else 1


def to_address(text: str, category: str | None, tags: Sequence[str], author_id: str | None,
               sort: Sort, default_sort: Sort, page: int) -> Params:
    """The parameters of a view, defaults left out (an unfiltered browse has a bare address)."""
    params: Params = {}
    if text:
        params[TEXT] = [text]
    if category:
        params[CATEGORY] = [category]
    if tags:
        params[TAGS] = list(tags)
    if author_id:
        params[AUTHOR] = [author_id]
    if sort != default_sort:
        params[SORT] = [str(sort)]
    return {**params, **page_params(page)}


def page_params(page: int) -> Params:
    """The page's parameter: none for the first."""
    return {PAGE: [str(page)]} if page > 1 else {}


def page_href(params: Params, page: int) -> str:
    """The pager's link to page ``page`` of the view whose address without its page is
    ``params``. Page 1 is named too: a bare address on the view means Back to an entry it left
    bare (``read``); the view's run then writes its own address without it."""
    return href({**params, PAGE: [str(page)]})


def read(prefix: str, keys: Mapping[str, str], options: FilterOptions,
         sorts_for: Callable[[str], Sequence[Sort]]) -> None:
    """Before the widgets are drawn: the address's search into the widgets' keys (``keys``:
    parameter -> session key; a view without a category choice has no key for it) when the
    address holds parameters this session did not write. A bare address keeps the session's
    search when the view is reached from elsewhere or for the first time; on the view itself
    it is Back (or Forward) to an entry the view left bare, and shows what it showed there."""
    _read(prefix, keys, lambda address: from_address(address, options, sorts_for))


def read_page(prefix: str, key: str) -> None:
    """``read`` for a list with pages alone (My content): the address's page into ``key``."""
    _read(prefix, {PAGE: key}, lambda address: {PAGE: page_number(address)})


def _read(prefix: str, keys: Mapping[str, str],
          choices: Callable[[Params], Mapping[str, object]]) -> None:
    address = _address()
    state = st.session_state
    if address == state.get(f"{_SHOWN}_{prefix}"):
        return
    if not address:
        if arrived() or f"{_SHOWN}_{prefix}" not in state:
            return
        address = state.get(f"{_BARE}_{prefix}", {})
    for name, value in choices(address).items():
        if name in keys:
            state[keys[name]] = value


def write(prefix: str, params: Params) -> None:
    """After the run's search is known: the address to match it, a tag link's ``tag`` dropped
    (other parameters, such as ``lang``, stay). A run that arrived from another page leaves
    the address as it came, and notes what it holds."""
    state = st.session_state
    shown = _address() if arrived() else params
    if not arrived():
        write_params((*PARAMS, TAG_PARAM), params)
    state[f"{_SHOWN}_{prefix}"] = shown
    if not shown:
        state[f"{_BARE}_{prefix}"] = params
