"""A visit's source, read once per Streamlit session from what the first request carried.

The headers are those of the session's WebSocket handshake (``st.context.headers``): the
User-Agent and Host always, a ``Referer`` rarely (browsers send none there; see
``services.analytics.sources``). The query string is the page URL's (``st.query_params``), where
``utm_*`` and ``ref`` tags are. ``AnalyticsService.visit_source`` keeps the first source of a
browser session, so a reload (a new Streamlit session of the same visit) changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import streamlit as st

from services.analytics.service import AnalyticsService
from services.analytics.sources import VisitSource, visit_source

log = logging.getLogger(__name__)

_SENT_KEY = "_df_visit_source_sent"


def _request_headers() -> Mapping[str, str]:
    return st.context.headers


def current() -> VisitSource | None:
    """The source, or None without a request (a script or a test harness sends no headers:
    a browser always sends at least its Host)."""
    headers = _request_headers()
    if not headers:
        return None
    return visit_source(headers, st.query_params.to_dict())


def send_once(analytics: AnalyticsService, session_id: str) -> None:
    """Hand this session's source to the analytics service, once per Streamlit session."""
    if st.session_state.get(_SENT_KEY):
        return
    st.session_state[_SENT_KEY] = True
    try:
        found = current()
    except Exception:  # a page must never fail for its analytics
        log.exception("could not read the visit's source")
        return
    if found is not None:
        analytics.visit_source(session_id, found)
