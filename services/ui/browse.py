"""The browse view: search, filters, sort and pages. Used by the browse page (all
categories) and by each category page (one category fixed)."""

from __future__ import annotations

from dataclasses import astuple, dataclass, replace
from functools import partial

import streamlit as st

from services.content.service import FilterOptions
from services.domain.analytics import SEARCH_QUERY_MAX
from services.domain.models import Category, ContentItem, Page, SearchQuery, Sort
from services.errors import DemoFactoryError
from services.ui import browse_url, lazy, session, tracking
from services.ui.browse_chips import chips, chips_html
from services.ui.browser_state import browser_sent
from services.ui.cards import card_grid, nav_links_script
from services.ui.i18n import category_label, relabel, sort_label, t
from services.ui.pager import pager
from services.ui.tags import take_tag_link
from services.ui.url_params import Params
from services.ui.widgets import (
    author_label,
    current_page,
    empty_state,
    reset_page,
    show_error,
)

ALL = browse_url.ALL  # the "all categories / all authors" choice


@dataclass(frozen=True)
class _Keys:
    """Widget keys of one browse view; each category page keeps its own filters."""

    q: str
    category: str
    tags: str
    author: str
    sort: str
    page: str


def _keys(category: Category | None) -> _Keys:
    prefix = f"browse_{category.name.lower() if category else 'all'}"
    return _Keys(*(f"{prefix}_{name}" for name in ("q", "category", "tags", "author", "sort",
                                                   "page")))


def _url_keys(keys: _Keys, category: Category | None) -> dict[str, str]:
    """Address parameter -> session key of the view (a category page has no category choice)."""
    found = {browse_url.TEXT: keys.q, browse_url.CATEGORY: keys.category,
             browse_url.TAGS: keys.tags, browse_url.AUTHOR: keys.author,
             browse_url.SORT: keys.sort, browse_url.PAGE: keys.page}
    if category is not None:
        del found[browse_url.CATEGORY]
    return found


def _search_address(query: SearchQuery, category: Category | None) -> Params:
    """The view's address without its page: what it writes, and what its pager's links hold."""
    chosen = str(query.category) if category is None and query.category else None
    return browse_url.to_address(query.text, chosen, query.tags, query.author_id, query.sort,
                                 sort_options(query.text)[0], 1)


def kept_widgets() -> list[str]:
    """The search and filters of every browse view, kept while another page is open: whoever
    opens an item and comes back (Back, or the browse link) finds the search, the filters and
    the page where they left them. Streamlit drops the state of widgets a run does not draw.
    (The filters' panel stays open by itself: ``lazy.expander(..., kept=True)``.)"""
    views = [_keys(category) for category in (None, *Category)]
    return [key for keys in views for key in astuple(keys)]


SORTS_WITHOUT_TEXT: list[Sort] = [s for s in Sort if s is not Sort.RELEVANCE]
SORTS_WITH_TEXT: list[Sort] = [Sort.RELEVANCE, *SORTS_WITHOUT_TEXT]


def sort_options(text: str) -> list[Sort]:
    """Relevance first (the default) when there is search text; not offered without."""
    return SORTS_WITH_TEXT if text.strip() else SORTS_WITHOUT_TEXT


def _new_text(keys: _Keys) -> None:
    """on_change of the search box: page 1, and a new search starts with the best matches;
    clearing it leaves relevance for newest first (the other choices stay)."""
    reset_page(keys.page)
    text = str(st.session_state.get(keys.q, "")).strip()
    if text:
        st.session_state[keys.sort] = Sort.RELEVANCE
    elif st.session_state.get(keys.sort) == Sort.RELEVANCE:
        st.session_state[keys.sort] = Sort.NEWEST


def _filters(options: FilterOptions, fixed: Category | None, keys: _Keys) -> SearchQuery:
    """Draw the search box and the filters' panel; return the query they describe (page
    excluded). Changing any of them goes back to page 1. The filters (category, tags, author,
    sort) are drawn only while their panel is open: four select widgets were most of what
    browse cost to draw (see "Page speed"); what is chosen shows under the panel anyway."""
    text = st.text_input(
        t("content.search"), key=keys.q, placeholder=t("content.search_placeholder"),
        icon=":material/search:", on_change=_new_text, args=(keys,),
        # The one field that keeps max_chars (elsewhere a paste over it vanishes unseen):
        # a search is a few words, the search event (analytics) keeps only this many characters
        # anyway, and nothing typed here is stored as the person's text.
        max_chars=SEARCH_QUERY_MAX,
    )
    _settle_sort(text, keys)
    shown = lazy.expander(t("content.filters"), filters_key(keys),
                          partial(_filter_widgets, options, fixed, keys, text),
                          icon=":material/tune:", kept=True)  # open, it stays open
    query = _chosen(options, fixed, keys, text)
    if not shown:
        found = chips(query, fixed, sort_options(text)[0], dict(options.authors))
        if found:
            st.html(chips_html(found))
    return query


def filters_key(keys: _Keys) -> str:
    """The filters' panel's key: ``browse_all_filters``, ``browse_finance_filters``."""
    return keys.page.removesuffix("_page") + "_filters"


def _settle_sort(text: str, keys: _Keys) -> None:
    options = sort_options(text)
    if st.session_state.get(keys.sort) not in options and not browser_sent(keys.sort):
        # e.g. a search typed before this page drew (after a server restart, the browser's)
        st.session_state[keys.sort] = options[0]


def _filter_widgets(options: FilterOptions, fixed: Category | None, keys: _Keys,
                    text: str) -> None:
    reset = (keys.page,)
    cols = iter(st.columns(4 if fixed is None else 3))
    if fixed is None:
        next(cols).selectbox(
            t("content.category_label"), options=[ALL, *options.categories],
            key=relabel(keys.category), placeholder=t("common.choose"),
            format_func=lambda c: t("content.all_categories") if c == ALL else category_label(c),
            on_change=reset_page, args=reset,
        )
    next(cols).multiselect(
        t("content.tags"), options=options.tags, key=keys.tags,
        placeholder=t("content.tags_placeholder"), on_change=reset_page, args=reset,
        select_all=False,  # its "Select all" row cannot be translated
    )
    authors = dict(options.authors)
    next(cols).selectbox(
        t("content.author"), options=[ALL, *authors], key=relabel(keys.author),
        placeholder=t("common.choose"),
        format_func=lambda a: (t("content.all_authors") if a == ALL
                               else author_label(a, authors.get(a) or a)),
        on_change=reset_page, args=reset,
    )
    next(cols).selectbox(
        t("content.sort_label"), options=sort_options(text), key=relabel(keys.sort),
        format_func=sort_label, placeholder=t("common.choose"), on_change=reset_page,
        args=reset,
    )


def _chosen(options: FilterOptions, fixed: Category | None, keys: _Keys,
            text: str) -> SearchQuery:
    """The query the session's choices describe, drawn or not; a choice no longer offered (a
    tag or author gone meanwhile) is left out, as the widgets would."""
    state = st.session_state
    category = fixed
    if fixed is None:
        chosen = state.get(keys.category) or ALL
        category = Category(chosen) if chosen in set(options.categories) else None
    known_tags = set(options.tags)
    tags = tuple(tag for tag in state.get(keys.tags) or () if tag in known_tags)
    author = state.get(keys.author) or ALL
    author_id = author if author in {a for a, _ in options.authors} else None
    return SearchQuery(text=text.strip(), category=category, tags=tags, author_id=author_id,
                       sort=state.get(keys.sort) or sort_options(text)[0])


def _tag_link_resets(keys: _Keys, category: Category | None) -> dict[str, object]:
    """What a tag link sets besides the tag: it says "everything with this tag", so no search
    text, every category (a category page keeps its own) and author, the default sort, page 1."""
    resets: dict[str, object] = {keys.q: "", keys.author: ALL, keys.sort: sort_options("")[0],
                                 keys.page: 1}
    if category is None:
        resets[keys.category] = ALL
    return resets


def _search(query: SearchQuery, page_key: str) -> Page[ContentItem]:
    services = session.services()
    actor = session.actor()
    size = services.settings.page_size
    result = services.content.browse(
        replace(query, page=current_page(page_key), page_size=size), actor
    )
    if not result.items and result.total and result.page > result.pages:
        # The filters shrank the results below the page being shown: show the last page.
        st.session_state[page_key] = result.pages
        result = services.content.browse(replace(query, page=result.pages, page_size=size), actor)
    return result


def render_browse(category: Category | None = None) -> None:
    """The whole browse page; ``category`` fixes the category (a category page)."""
    keys = _keys(category)
    if category is None:
        st.title(t("nav.browse"), anchor=False)
    else:
        st.title(category_label(category), anchor=False)
        st.caption(t("content.category_intro", category=category_label(category)))
    services = session.services()
    options = services.content.filter_options()
    browse_url.read(keys.q, _url_keys(keys, category), options, sort_options)
    take_tag_link(options.tags, keys.tags, _tag_link_resets(keys, category))
    query = _filters(options, category, keys)
    try:
        result = _search(query, keys.page)
    except DemoFactoryError as exc:
        show_error(exc)
        return
    address = _search_address(query, category)
    browse_url.write(keys.q, {**address, **browse_url.page_params(result.page)})
    tracking.search(keys.q, query.text, result.total)
    if not result.items:
        nav_links_script()  # the chips' links, which the pager draws it for otherwise
        filtered = bool(query.text or query.tags or query.author_id or
                        (query.category and category is None))
        if filtered:
            empty_state(t("content.empty_search"), t("content.empty_search_hint"))
        else:
            empty_state(t("content.empty_category"), t("content.empty_category_hint"))
        return
    # Under the page's h1; the pager draws the link script for both.
    card_grid(result.items, words=query.text.split(), level=2, nav_script=False)
    pager(result, keys.page, partial(browse_url.page_href, address))
