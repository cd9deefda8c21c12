"""The dashboard's insights and the report builder's context, cached for a short while.

Streamlit reruns the whole page on every interaction (typing in a box, opening a tab), and both
take a tenth of a second or more to compute. Each entry is keyed by what changes the result
(the period; for a report also its type, language and subject) and by who asked: the user and their
roles, so one user's result is never served to another, whatever either may see. Figures can
be up to ``CACHE_TTL_SECONDS`` old: new events show after that (the pages say so).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from services.analytics.dashboards import Period
from services.bootstrap import Services
from services.domain.permissions import Actor
from services.insights.analysis import Insights
from services.reports.request import Preview

CACHE_TTL_SECONDS = 60
_ENTRIES = 64
Scope = tuple[str, tuple[str, ...]]


def actor_scope(actor: Actor) -> Scope:
    """Who is asking, as a cache key: the user and their roles (a role change is a new key)."""
    return actor.user_id or "", tuple(sorted(role.value for role in actor.roles))


def insights(services: Services, actor: Actor, period: Period) -> Insights:
    """``services.insights.insights``, computed at most once per TTL per user and period."""
    return _insights(id(services), actor_scope(actor), period.start, period.end, services,
                     actor)


def preview(services: Services, actor: Actor, kind: str, language: str, period: Period,
            subject: str = "") -> Preview:
    """``services.reports.preview_context``, at most once per TTL per user and request (a
    report's subject, an item or an author, is part of the request)."""
    return _preview(id(services), actor_scope(actor), kind, language, period.start, period.end,
                    subject, services, actor)


# The leading-underscore parameters are not hashed: the values before them are the key (the
# services' identity keeps apart two configurations in one process, as tests have).
@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=_ENTRIES, show_spinner=False)
def _insights(services_id: int, scope: Scope, start: date, end: date, _services: Services,
              _actor: Actor) -> Insights:
    return _services.insights.insights(_actor, Period(start, end))


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=_ENTRIES, show_spinner=False)
def _preview(services_id: int, scope: Scope, kind: str, language: str, start: date, end: date,
             subject: str, _services: Services, _actor: Actor) -> Preview:
    return _services.reports.preview_context(_actor, kind, language, Period(start, end),
                                             subject)
