"""Followed metrics and digests: what a user follows, how often a digest is due, and who may
follow what (DESIGN.md rule 3: checked in the service, re-checked when a digest is built)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from services.domain.permissions import SOMEBODY_ELSE, Action, Actor, can


class Frequency(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"


class FollowScope(StrEnum):
    ALL = "all"  # platform-wide
    CATEGORY = "category"
    ITEM = "item"
    AUTHOR = "author"


@dataclass(frozen=True)
class Follow:
    user_id: str
    metric: str  # a Kpi key (services.insights.metrics)
    scope: FollowScope = FollowScope.ALL
    value: str = ""  # the category, item id or author id; "" for ALL

    @property
    def key(self) -> str:
        return f"{self.metric}|{self.scope.value}|{self.value}"


@dataclass(frozen=True)
class Digest:
    user_id: str
    window: str  # "2026-12-03" (daily) or "2026-W49" (weekly)
    created_at: datetime
    subject: str
    body: str  # plain text, in the user's language
    sent: bool = False  # True once mailed; False: kept in the app only (or not sent yet)


def window_of(frequency: Frequency, day: date) -> str:
    """The digest window ``day`` falls in: the local day, or the local ISO week."""
    if frequency is Frequency.WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def may_follow(actor: Actor, follow: Follow, item_author: str | None) -> bool:
    """Whose numbers the follow counts decides, as the permission table says of anybody's
    numbers (``view_stats``: one's own; somebody else's need ``view_dashboards``): an
    author follows their own items and themselves, analysts and admins anything.
    ``item_author``: the author of the followed item (ITEM scope), None if it is not found."""
    if not actor.is_authenticated or follow.user_id != actor.user_id:
        return False
    return can(actor, Action.VIEW_STATS, _owner(follow, item_author))


def _owner(follow: Follow, item_author: str | None) -> str:
    """Whose numbers a follow counts: an author's, an item's author's, or, for the platform,
    a category or an item not found, nobody's own."""
    if follow.scope is FollowScope.AUTHOR:
        return follow.value
    if follow.scope is FollowScope.ITEM and item_author is not None:
        return item_author
    return SOMEBODY_ELSE
