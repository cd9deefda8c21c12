"""Followed metrics ("My insights") for signed-in analysts and authors.

Rule (DESIGN.md rule 3, enforced here and again by ``digests`` at send time): analysts and
administrators may follow any KPI, platform-wide or filtered; authors only count KPIs filtered
to one of their own published items or to themselves as author. A follow that is no longer
allowed (a lost role, an item given to someone else) is kept but shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from services.analytics.dashboards import Period
from services.analytics.tables import Catalog, load_catalog
from services.domain.analytics import Dim
from services.domain.follows import Digest, Follow, FollowScope, Frequency, may_follow
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, can
from services.errors import PermissionDenied, ValidationError
from services.insights.followed import (
    ALL_METRICS,
    SCOPED_METRICS,
    FollowedMetric,
    platform_wide,
    scoped,
)
from services.insights.service import load_insights
from services.ports import ContentRepository, EventStore, FollowStore

WEEK_DAYS = 7


@dataclass(frozen=True)
class Followed:
    follow: Follow
    added: bool  # False: the metric was followed already (a second tab, a repeated click)


@dataclass(frozen=True)
class MyInsights:
    metrics: tuple[FollowedMetric, ...]
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # dim -> id -> name
    # The days the metrics cover and the local day they were computed on, so that the panel
    # and the mail can name them (``digests.period_text``): complete days only, unlike the
    # dashboard's presets, which include today.
    period: Period | None = None
    today: date | None = None


def period_for(frequency: Frequency, today: date) -> Period:
    """A daily digest looks at yesterday, a weekly one (and "My insights" without a digest)
    at the last 7 complete days; each against the period before it."""
    yesterday = today - timedelta(days=1)
    if frequency is Frequency.DAILY:
        return Period(yesterday, yesterday)
    return Period(yesterday - timedelta(days=WEEK_DAYS - 1), yesterday)


def _allowed(actor: Actor, follow: Follow, catalog: Catalog) -> bool:
    item = catalog.get(follow.value) if follow.scope is FollowScope.ITEM else None
    return may_follow(actor, follow, item.author_id if item else None)


def build(actor: Actor, follows: list[Follow], store: EventStore, catalog: Catalog,
          period: Period, today: date, hour: int) -> MyInsights:
    """Every follow ``actor`` may still see, computed for ``period`` (no other check: the
    service and the digest sender call it for the user in question)."""
    allowed = [f for f in follows if _allowed(actor, f, catalog)]
    insights = (load_insights(store, period, today, hour)
                if any(f.scope is FollowScope.ALL for f in allowed) else None)
    metrics = tuple(platform_wide(f, insights) if insights is not None
                    and f.scope is FollowScope.ALL else scoped(f, store, period, catalog, today)
                    for f in allowed)
    names = {Dim.CONTENT.value: {item.id: item.title for item in catalog},
             Dim.AUTHOR.value: catalog.author_names()}
    return MyInsights(metrics, names, period, today)


class FollowService:
    def __init__(self, store: FollowStore, events: EventStore, repo: ContentRepository,
                 tz: tzinfo, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._events = events
        self._repo = repo
        self._tz = tz
        self._clock = clock

    def follow(self, actor: Actor, metric: str, scope: FollowScope = FollowScope.ALL,
               value: str = "") -> Followed:
        """The follow, and whether this call added it (False: it was followed already)."""
        self._require_follower(actor)
        assert actor.user_id is not None
        value = value.strip() if scope is not FollowScope.ALL else ""
        if (metric not in (ALL_METRICS if scope is FollowScope.ALL else SCOPED_METRICS)
                or (scope is not FollowScope.ALL and not value)):
            raise ValidationError("follows.err_metric")
        follow = Follow(actor.user_id, metric, scope, value)
        if not _allowed(actor, follow, load_catalog(self._repo)):
            raise PermissionDenied("errors.permission_denied", action="follow")
        return Followed(follow, self._store.follow(follow))

    def unfollow(self, actor: Actor, key: str) -> None:
        self._require_follower(actor)
        assert actor.user_id is not None
        if key.count("|") == 2:
            self._store.unfollow(actor.user_id, key)

    def follows(self, actor: Actor) -> list[Follow]:
        self._require_follower(actor)
        assert actor.user_id is not None
        return self._store.follows(actor.user_id)

    def set_frequency(self, actor: Actor, frequency: Frequency) -> None:
        self._require_follower(actor)
        assert actor.user_id is not None
        self._store.set_frequency(actor.user_id, frequency)

    def frequency(self, actor: Actor) -> Frequency:
        self._require_follower(actor)
        assert actor.user_id is not None
        return self._store.frequency(actor.user_id)

    def my_insights(self, actor: Actor) -> MyInsights:
        """Each follow the actor may still see, live, over the period of their digest."""
        self._require_follower(actor)
        assert actor.user_id is not None
        now = self._clock().astimezone(self._tz)
        period = period_for(self._store.frequency(actor.user_id), now.date())
        return build(actor, self._store.follows(actor.user_id), self._events,
                     load_catalog(self._repo), period, now.date(), now.hour)

    def digests(self, actor: Actor) -> list[Digest]:
        """The actor's latest digests kept in the app."""
        self._require_follower(actor)
        assert actor.user_id is not None
        return self._store.digests(actor.user_id)

    @staticmethod
    def may_use(actor: Actor) -> bool:
        """Analysts, administrators and authors (pages hide the controls otherwise)."""
        return actor.is_authenticated and (can(actor, Action.VIEW_DASHBOARDS)
                                           or can(actor, Action.VIEW_OWN_STATS))

    def _require_follower(self, actor: Actor) -> None:
        if not self.may_use(actor):
            raise PermissionDenied("errors.permission_denied", action="follow")
