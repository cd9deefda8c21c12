"""Recording usage from pages: one browser-session id, page views once per navigation, search
once per new query, and the visitor-purpose answer (asked by ``services.ui.visit_purpose``).

"Browser session" is the browser's own: the visit id and the purpose answer are kept in
session cookies (no expiry, gone when the browser closes), so a page reload, which starts a new
Streamlit session, is still the same visitor and is not asked again.

Everything here hands events to ``AnalyticsService`` (which buffers through the tracker and
never raises), so a tracking problem can never break a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from services.analytics.service import AnalyticsService
from services.domain.analytics import Purpose
from services.domain.models import Asset, ContentItem, new_id
from services.domain.permissions import Actor
from services.i18n.labels import purpose_name
from services.ui import session, visit_source
from services.ui.cookies import read_cookie, write_cookie
from services.ui.i18n import language

_SESSION_ID_KEY = "_df_session_id"
_LAST_PAGE_KEY = "_df_last_page"
_LAST_SEARCH_KEY = "_df_last_search"
_PURPOSE_DONE_KEY = "_df_purpose_done"
_COOKIES_WRITTEN_KEY = "_df_visit_cookies"  # what this Streamlit session wrote already
VISIT_COOKIE = "df_visit"
PURPOSE_COOKIE = "df_purpose"
_VISIT_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # a ULID, as new_id() makes them


def session_id() -> str:
    """A random id for this browser session: from the visit cookie when the browser sends a
    well-formed one, else new (and written by ``keep_visit``)."""
    found = st.session_state.get(_SESSION_ID_KEY)
    if not isinstance(found, str):
        sent = read_cookie(VISIT_COOKIE) or ""
        found = st.session_state[_SESSION_ID_KEY] = sent if _VISIT_ID.match(sent) else new_id()
    return found


def keep_visit() -> None:
    """Write the visit id and the purpose answer to session cookies once per Streamlit
    session."""
    written: set[str] = st.session_state.setdefault(_COOKIES_WRITTEN_KEY, set())
    wanted = {VISIT_COOKIE: session_id()}
    if st.session_state.get(_PURPOSE_DONE_KEY):
        wanted[PURPOSE_COOKIE] = "1"
    for name, value in wanted.items():
        if name not in written and read_cookie(name) != value:
            write_cookie(name, value)
        written.add(name)


def _analytics() -> AnalyticsService:
    return session.services().analytics


def _visit_id() -> str:
    """``session_id()``, after this session's source went to the analytics service: the first
    event of a visit is the one that counts its source."""
    found = session_id()
    visit_source.send_once(_analytics(), found)
    return found


def purpose_label(purpose: Purpose | str) -> str:
    return purpose_name(language(), Purpose(purpose)) or str(purpose)


def page_view(page: str, query: str = "") -> None:
    """Record a page view when the page (or its ``?id=``) differs from the last one recorded
    in this session: widget reruns on the same page do not count, navigating does."""
    where = f"{page}?{query}" if query else page
    if st.session_state.get(_LAST_PAGE_KEY) == where:
        return
    st.session_state[_LAST_PAGE_KEY] = where
    _analytics().page_view(_visit_id(), session.actor(), page)


def search(scope: str, text: str, results: int) -> None:
    """Record a search when the text typed in ``scope`` (a search box) changed to a new,
    non-empty query; paging or changing other filters does not repeat it."""
    last: dict[str, str] = st.session_state.setdefault(_LAST_SEARCH_KEY, {})
    query = text.strip()
    if not query or last.get(scope) == query:
        last[scope] = query
        return
    last[scope] = query
    _analytics().search(_visit_id(), session.actor(), query, results)


def content_view_recorder(item: ContentItem, actor: Actor) -> Callable[[], None]:
    """The event of a view the item's counter takes, everything it needs captured now: called
    once the counter moved, it makes no Streamlit call, so a click that stops the run in
    between (Streamlit stops a run at its next Streamlit call) cannot separate the two."""
    analytics, sid = _analytics(), _visit_id()

    def recorded() -> None:
        analytics.content_view(sid, actor, item)

    return recorded


def like_recorder(item: ContentItem, actor: Actor, liked: bool) -> Callable[[], None]:
    """The event of a like or unlike, as ``content_view_recorder``."""
    analytics, sid = _analytics(), _visit_id()
    record = analytics.like if liked else analytics.unlike

    def recorded() -> None:
        record(sid, actor, item)

    return recorded


def download_recorder(item: ContentItem, asset: Asset, actor: Actor) -> Callable[[], None]:
    """A callback for a download button or link: it may run outside the page's script, so
    everything it needs is captured now."""
    analytics, sid = _analytics(), _visit_id()

    def record() -> None:
        analytics.download(sid, actor, item, asset)

    return record


def login(username: str) -> None:
    _analytics().login(_visit_id(), username)


def login_failed() -> None:
    _analytics().login_failed(_visit_id())


def purpose_settled() -> bool:
    """Whether this browser session answered or put away the visit-purpose question (the
    session cookie keeps it across a reload)."""
    if read_cookie(PURPOSE_COOKIE) == "1":
        st.session_state[_PURPOSE_DONE_KEY] = True
    return bool(st.session_state.get(_PURPOSE_DONE_KEY))


def settle_purpose() -> None:
    """Asked no more this browser session."""
    st.session_state[_PURPOSE_DONE_KEY] = True


def visitor_purpose(purpose: Purpose) -> None:
    settle_purpose()
    _analytics().visitor_purpose(_visit_id(), session.actor(), purpose)


def signed_up_purpose() -> Purpose | None:
    return _analytics().signed_up_purpose(_visit_id(), session.actor())
