"""The dashboard's insights, the report builder's context and the items a funnel step offers,
cached for a short while.

Streamlit reruns the whole page on every interaction (typing in a box, opening a tab), and the
first two take a tenth of a second or more to compute; the third reads up to 500 items on every
change of the funnel builder. Each entry is keyed by what changes the result
(the period; for a report also its type, language and subject) and by who asked: the user and their
roles, so one user's result is never served to another, whatever either may see. Figures can
be up to ``CACHE_TTL_SECONDS`` old: new events show after that (the pages say so). The titles,
items and authors in them follow a catalogue change this process made at once (the count of
``services.content.changes`` is part of every key): a deleted item is neither offered nor
reported from an entry read before its deletion.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from services.analytics.dashboards import Period
from services.analytics.funnels import ItemChoices
from services.bootstrap import Services
from services.content import changes
from services.domain.models import Category
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
    return _insights(id(services), actor_scope(actor), period.start, period.end,
                     changes.count(), services, actor)


def preview(services: Services, actor: Actor, kind: str, language: str, period: Period,
            subject: str = "") -> Preview:
    """``services.reports.preview_context``, at most once per TTL per user and request (a
    report's subject, an item or an author, is part of the request)."""
    return _preview(id(services), actor_scope(actor), kind, language, period.start, period.end,
                    subject, changes.count(), services, actor)


def item_choices(services: Services, actor: Actor, category: Category | None) -> ItemChoices:
    """``services.funnels.item_choices``, read at most once per TTL per user and category, and
    again after this process changed the catalogue (``changes.count`` is in the key: an item
    created, renamed, unpublished or deleted here shows at once). A change made by another
    process shows within the TTL; an item deleted there meanwhile is refused on save, and the
    refusal drops these lists: ``forget_item_choices``."""
    return _item_choices(id(services), actor_scope(actor), category.value if category else "",
                         changes.count(), services, actor)


def forget_item_choices(services: Services, actor: Actor) -> None:
    """Drop the user's cached item lists (every category): after a save refused an item
    deleted meanwhile, the builder drawn again no longer offers it."""
    for category in ("", *(c.value for c in Category)):
        _item_choices.clear(id(services), actor_scope(actor), category, changes.count(),
                            services, actor)


# The leading-underscore parameters are not hashed: the values before them are the key (the
# services' identity keeps apart two configurations in one process, as tests have).
@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=_ENTRIES, show_spinner=False)
def _insights(services_id: int, scope: Scope, start: date, end: date, catalogue_changes: int,
              _services: Services, _actor: Actor) -> Insights:
    return _services.insights.insights(_actor, Period(start, end))


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=_ENTRIES, show_spinner=False)
def _preview(services_id: int, scope: Scope, kind: str, language: str, start: date, end: date,
             subject: str, catalogue_changes: int, _services: Services,
             _actor: Actor) -> Preview:
    return _services.reports.preview_context(_actor, kind, language, Period(start, end),
                                             subject)


@st.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=_ENTRIES, show_spinner=False)
def _item_choices(services_id: int, scope: Scope, category: str, catalogue_changes: int,
                  _services: Services, _actor: Actor) -> ItemChoices:
    if _services.funnels is None:
        return ItemChoices((), 0)
    return _services.funnels.item_choices(_actor, Category(category) if category else None)
