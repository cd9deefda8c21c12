"""Analytics use cases: recording usage events, dashboards, and an author's own stats.

Recording never fails a page: an event is handed to the tracker (which buffers and writes in
batches off the render path); a tracker error is logged and the page carries on. Reading is
authorised here: dashboards need VIEW_DASHBOARDS; an author's own numbers need VIEW_OWN_STATS
and ownership of the items (analysts and admins, who may see every dashboard, may see any item).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from typing import Any, Protocol

import pandas as pd

from services.analytics.companies import companies
from services.analytics.dashboards import (
    ContentStats,
    Dashboard,
    Kpi,
    Period,
    Preset,
    content_stats,
    dashboard,
    kpis,
    local_today,
)
from services.analytics.item_pages import AuthorPage, ItemPage, author_page, item_page
from services.analytics.item_trail import ItemTrail
from services.analytics.live import LiveNow, live_now
from services.analytics.profiles import (
    COMPANIES_PER_DAY,
    CompanyCap,
    VisitProfile,
    VisitProfiles,
    VisitPurposes,
)
from services.analytics.source_stats import SourceTables, devices, sources
from services.analytics.sources import VisitSource
from services.analytics.tables import Catalog, Filters, load_catalog
from services.analytics.tracker import make_event
from services.analytics.visit_sources import SOURCE_VALUES_PER_DAY, SourceCap, VisitSources
from services.domain.analytics import (
    COMPANY_PROP,
    FROM_PROFILE,
    SEARCH_QUERY_MAX,
    SOURCE_PROP,
    VISIT_PROP,
    VISIT_PURPOSE_PROP,
    Event,
    EventType,
    Purpose,
    local_day_hour,
)
from services.domain.live import LiveSnapshot
from services.domain.models import Asset, ContentItem, SearchQuery, Status, utcnow
from services.domain.permissions import Action, Actor, can, require
from services.domain.text import scrub_text
from services.domain.users import User
from services.errors import NotFound, PermissionDenied
from services.ports import ContentRepository, EventStore, FunnelStore, LiveWindow

log = logging.getLogger(__name__)

OWN_ITEMS_MAX = 500  # an author's items shown in their own stats


class EventSink(Protocol):
    """What the use cases need of ``services.tracking.Tracker``."""

    def track(self, event: Event) -> None: ...


class AnalyticsService:
    def __init__(
        self,
        store: EventStore,
        repo: ContentRepository,
        tracker: EventSink,
        tz: tzinfo,
        *,
        clock: Callable[[], datetime] = utcnow,
        find_user: Callable[[str], User] | None = None,
        companies_per_day: int = COMPANIES_PER_DAY,
        live: LiveWindow | None = None,
        sources_per_day: int = SOURCE_VALUES_PER_DAY,
        funnels: FunnelStore | None = None,
    ) -> None:
        """``find_user`` (the accounts' store) gives signed-in users' events their sign-up
        purpose and company; without it they carry neither. ``live`` is the recent window
        behind the "now" panel (without it the panel is empty). ``funnels``: the funnel store
        behind an item page's own funnels (without it the page shows none)."""
        self._store = store
        self._funnels = funnels
        self._repo = repo
        self._tracker = tracker
        self._tz = tz
        self._clock = clock
        self._live = live
        self._profiles = VisitProfiles(find_user)
        self._purposes = VisitPurposes()
        self._companies = CompanyCap(store if find_user is not None else None,
                                     companies_per_day)
        self._sources = VisitSources(SourceCap(store, sources_per_day))
        self._trail = ItemTrail()

    # ---- recording ---------------------------------------------------------------------------

    def visit_source(self, session_id: str, source: VisitSource) -> None:
        """Where the visit of ``session_id`` came from, found on its first request: its events
        from now on carry it. A session's first source is kept (a reload sends it again)."""
        try:
            day, _ = local_day_hour(self._clock(), self._tz)
            self._sources.start(session_id, source, day)
        except Exception:  # usage tracking must never break the page being used
            log.exception("could not keep a visit's source")

    def page_view(self, session_id: str, actor: Actor, page: str) -> None:
        self._track(EventType.PAGE_VIEW, session_id, actor, page=page)

    def content_view(self, session_id: str, actor: Actor, item: ContentItem) -> None:
        """Call once per browser session and item (the page's view counter dedupes). The
        event carries the visit's last search term and, on the visit's first view of the item
        that day, the visit mark (``ItemTrail``)."""
        day, _ = local_day_hour(self._clock(), self._tz)
        self._track_item(EventType.CONTENT_VIEW, session_id, actor, item,
                         properties=self._trail.viewed(session_id, item.id, day))

    def search(self, session_id: str, actor: Actor, query: str, results: int) -> None:
        """A search as typed (its first SEARCH_QUERY_MAX characters), with how many items it
        found (0 tells authors what is missing). In NFC (one term however it was typed); an
        unreadable character never blocks the event store."""
        kept = scrub_text(query).strip()[:SEARCH_QUERY_MAX].strip()
        if kept:
            self._trail.searched(session_id, kept)
            self._track(EventType.SEARCH, session_id, actor,
                        properties={"query": kept, "results": results})

    def download(self, session_id: str, actor: Actor, item: ContentItem, asset: Asset) -> None:
        if item.status != Status.PUBLISHED:  # its author or an admin looking, as for views
            return
        self._track_item(EventType.DOWNLOAD, session_id, actor, item,
                         properties={"asset_id": asset.id, "kind": str(asset.kind)})

    def like(self, session_id: str, actor: Actor, item: ContentItem) -> None:
        self._track_item(EventType.LIKE, session_id, actor, item)

    def unlike(self, session_id: str, actor: Actor, item: ContentItem) -> None:
        self._track_item(EventType.UNLIKE, session_id, actor, item)

    def login(self, session_id: str, user_id: str) -> None:
        self._track(EventType.LOGIN, session_id, Actor(user_id=user_id))

    def login_failed(self, session_id: str) -> None:
        """No user name is kept: people sometimes type their password into that field."""
        self._track(EventType.LOGIN_FAILED, session_id, Actor.anonymous())

    def signed_up_purpose(self, session_id: str, actor: Actor) -> Purpose | None:
        """The purpose a signed-in user gave at sign-up (None: none, or not signed in); the
        question is not asked again of them. Looked up once per browser session."""
        if actor.user_id is None:
            return None
        try:
            return self._profiles.lookup(session_id, actor.user_id, event=False)[0].purpose
        except Exception:  # a page must never fail for this
            log.exception("could not look up a signed-up purpose")
            return None

    def visitor_purpose(self, session_id: str, actor: Actor, purpose: Purpose) -> None:
        """The visitor's answer to "why are you here?"; Purpose.SKIPPED records a skip. From
        here on every event of the visit carries the purpose (``vp``)."""
        self._purposes.remember(session_id, Purpose(purpose))
        self._track(EventType.VISITOR_PURPOSE, session_id, actor,
                     properties={"purpose": Purpose(purpose).value})

    def report_generated(self, session_id: str, actor: Actor, report_type: str,
                         **properties: Any) -> None:
        self._track(EventType.REPORT_GENERATED, session_id, actor,
                    properties={"report_type": report_type, **properties})

    def _track_item(self, type_: EventType, session_id: str, actor: Actor, item: ContentItem,
                    properties: dict[str, Any] | None = None) -> None:
        self._track(type_, session_id, actor, content_id=item.id, category=str(item.category),
                    author_id=item.author_id, properties=properties or {})

    def _track(self, type_: EventType, session_id: str, actor: Actor, **fields: Any) -> None:
        try:
            fields = self._with_source(session_id, fields)
            if actor.user_id is not None:
                fields = self._with_profile(session_id, actor, fields)
            fields = self._with_purpose(session_id, fields)
            event = make_event(type_, session_id, user_id=actor.user_id, clock=self._clock,
                               **fields)
            self._tracker.track(event)
        except Exception:  # usage tracking must never break the page being used
            log.exception("could not record a %s event", type_)

    def _with_source(self, session_id: str, fields: dict[str, Any],
                     first: bool = True) -> dict[str, Any]:
        extra = self._sources.properties(session_id, first)
        if not extra:
            return fields
        return {**fields, "properties": {**(fields.get("properties") or {}), **extra}}

    def _visit(self, session_id: str, user_id: str) -> tuple[VisitProfile, bool]:
        """The user's profile, and whether this is the visit's first event."""
        profile, first = self._profiles.lookup(session_id, user_id)
        if first and profile.purpose is not None:
            # Not asked again: the visit's purpose is the one given at sign-up, once a visit.
            self._purposes.remember(session_id, profile.purpose)
            fields = self._with_source(session_id, {"properties": {
                "purpose": profile.purpose.value, SOURCE_PROP: FROM_PROFILE,
                VISIT_PURPOSE_PROP: profile.purpose.value}}, first=False)
            self._tracker.track(make_event(
                EventType.VISITOR_PURPOSE, session_id, user_id=user_id, clock=self._clock,
                **fields))
        return profile, first

    def _with_purpose(self, session_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """The event's fields with the visit's purpose, once the visitor gave one."""
        purpose = self._purposes.get(session_id)
        if purpose is None:
            return fields
        properties = {**(fields.get("properties") or {}), VISIT_PURPOSE_PROP: purpose}
        return {**fields, "properties": properties}

    def _with_profile(self, session_id: str, actor: Actor,
                      fields: dict[str, Any]) -> dict[str, Any]:
        """The event's fields with the user's company (capped per day) and, on the visit's
        first event, the visit mark."""
        assert actor.user_id is not None
        profile, first = self._visit(session_id, actor.user_id)
        if not profile.company:
            return fields
        day, _ = local_day_hour(self._clock(), self._tz)
        extra: dict[str, Any] = {COMPANY_PROP: self._companies.admit(day, profile.company)}
        if first:
            extra[VISIT_PROP] = True
        return {**fields, "properties": {**(fields.get("properties") or {}), **extra}}

    # ---- periods -----------------------------------------------------------------------------

    @property
    def timezone(self) -> tzinfo:
        """The zone of the dashboards' local days and hours."""
        return self._tz

    def today(self) -> date:
        """Today in the dashboards' time zone."""
        return local_today(self._tz, self._clock())

    def period(self, preset: Preset, start: date | None = None,
               end: date | None = None) -> Period:
        """A preset ending today, or (CUSTOM) the given local days; ValidationError if bad."""
        if preset is Preset.CUSTOM:
            today = self.today()
            return Period(start or today, end or start or today)
        return Period.preset(preset, self.today())

    # ---- dashboards (analysts and admins) ----------------------------------------------------

    def dashboard(self, actor: Actor, period: Period, filters: Filters) -> Dashboard:
        require(actor, Action.VIEW_DASHBOARDS)
        return dashboard(self._store, self._repo, period, filters)

    def companies(self, actor: Actor, period: Period) -> pd.DataFrame:
        """Signed-in users' visits, page views and content views by the company they gave at
        sign-up (administrators and analysts: VIEW_DASHBOARDS)."""
        require(actor, Action.VIEW_DASHBOARDS)
        return companies(self._store, period)

    def sources(self, actor: Actor, period: Period) -> SourceTables:
        """Visits by referrer, utm source, medium and campaign, and the items each campaign's
        visitors viewed (administrators and analysts: VIEW_DASHBOARDS)."""
        require(actor, Action.VIEW_DASHBOARDS)
        return sources(self._store, period, lambda: load_catalog(self._repo))

    def devices(self, actor: Actor, period: Period) -> SourceTables:
        """Visits by device class, browser and OS (VIEW_DASHBOARDS)."""
        require(actor, Action.VIEW_DASHBOARDS)
        return devices(self._store, period)

    def kpis(self, actor: Actor, period: Period, filters: Filters) -> list[Kpi]:
        """The KPI tiles alone (what the live tiles refresh)."""
        require(actor, Action.VIEW_DASHBOARDS)
        catalog = load_catalog(self._repo) if filters.needs_catalog else None
        return kpis(self._store, period, filters, catalog)

    def live_now(self, actor: Actor) -> LiveNow:
        """Visitors of the last 5 and 30 minutes, where they are, events per minute."""
        require(actor, Action.VIEW_DASHBOARDS)
        now = self._clock()
        snapshot = (self._live.snapshot(now) if self._live is not None
                    else LiveSnapshot(now, 0, 0))
        catalog = load_catalog(self._repo) if snapshot.items else Catalog()
        return live_now(snapshot, catalog, self._tz)

    def author_options(self, actor: Actor) -> list[tuple[str, str]]:
        """(author_id, name) of authors with published content, for the author filter."""
        require(actor, Action.VIEW_DASHBOARDS)
        return self._repo.authors()

    # ---- an author's own stats ---------------------------------------------------------------

    def my_stats(self, actor: Actor, period: Period) -> ContentStats:
        """Views, likes and downloads of the actor's own items (drafts included)."""
        require(actor, Action.VIEW_OWN_STATS)
        query = SearchQuery(author_id=actor.user_id, status=None, page_size=OWN_ITEMS_MAX)
        return content_stats(self._store, period, self._repo.search(query).items)

    def item_stats(self, actor: Actor, content_id: str, period: Period) -> ContentStats:
        """One item's numbers: for its author (VIEW_OWN_STATS) or dashboard viewers."""
        item = self._repo.get(content_id)
        self._require_stats_of(actor, item)
        return content_stats(self._store, period, [item])

    def may_see_stats(self, actor: Actor, item: ContentItem) -> bool:
        return can(actor, Action.VIEW_STATS, item.author_id)

    # ---- an item's and an author's own pages ----------------------------------------------------

    def item_page(self, actor: Actor, content_id: str, period: Period) -> ItemPage:
        """Everything the item's own page shows. A deleted item's numbers stay readable by
        dashboard viewers (``ItemPage.item`` is None); for others it is NotFound."""
        self._require_some_stats(actor)
        try:
            item: ContentItem | None = self._repo.get(content_id)
        except NotFound:
            if not can(actor, Action.VIEW_DASHBOARDS):
                raise
            item = None
        if item is not None:
            self._require_stats_of(actor, item)
        return item_page(self._store, period, content_id, item, self._funnels)

    def author_page(self, actor: Actor, author_id: str, period: Period) -> AuthorPage:
        """One author's items (drafts included) with their numbers, totals and trend: for
        the author themselves (VIEW_OWN_STATS) or dashboard viewers."""
        if not self.may_see_author(actor, author_id):
            raise PermissionDenied("errors.permission_denied", action=Action.VIEW_OWN_STATS.value)
        query = SearchQuery(author_id=author_id, status=None, page_size=OWN_ITEMS_MAX)
        return author_page(self._store, period, author_id, self._repo.search(query).items)

    def may_see_author(self, actor: Actor, author_id: str) -> bool:
        return can(actor, Action.VIEW_STATS, author_id)

    def _require_some_stats(self, actor: Actor) -> None:
        """Refused before any lookup, so that nobody learns which ids exist."""
        if not can(actor, Action.VIEW_STATS):
            raise PermissionDenied("errors.permission_denied", action=Action.VIEW_OWN_STATS.value)

    def _require_stats_of(self, actor: Actor, item: ContentItem) -> None:
        if not self.may_see_stats(actor, item):
            raise PermissionDenied("errors.permission_denied", action=Action.VIEW_OWN_STATS.value)
