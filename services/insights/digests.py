"""Digests of followed metrics: built per user whose digest is due, mailed when a mailer is
configured and the user's address is verified, and always kept in the app (``FollowStore.keep``).

Due: a daily digest once per local day, a weekly one once per local ISO week (``window_of``).
Idempotence: each (user, window) is claimed atomically before anything is sent, so a second
run (or a concurrent one) of the same window sends nothing. At most once: a run that stops
between the claim and the send leaves the window claimed and unsent; it is not retried (a
missed digest is better than a doubled one; the next window brings the news again).
Permissions are checked again for every user at build time: the follows are filtered by the
user's current roles, so someone who lost a role gets nothing.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from services.analytics.changes import count_difference
from services.analytics.periods import Period
from services.analytics.tables import load_catalog
from services.domain.analytics import Dim
from services.domain.follows import Digest, Follow, FollowScope, Frequency, window_of
from services.domain.models import utcnow
from services.domain.permissions import Actor
from services.domain.users import AccountStatus, User
from services.errors import DemoFactoryError, NotFound
from services.i18n import date_range, translate
from services.i18n.labels import category_name, purpose_name
from services.insights.cube import driver_mark_name
from services.insights.drivers import NAMED_DIMS
from services.insights.followed import FollowedMetric
from services.insights.follows import MyInsights, build, period_for
from services.ports import ContentRepository, EventStore, FollowStore, Mailer, UserDirectory

log = logging.getLogger(__name__)
DUE = (Frequency.DAILY, Frequency.WEEKLY)


@dataclass(frozen=True)
class Outcome:
    user_id: str
    window: str
    status: str  # "sent", "kept" (no mail), "dry_run", "already" (claimed before), "empty"
    subject: str = ""
    body: str = ""


class DigestSender:
    def __init__(self, store: FollowStore, events: EventStore, repo: ContentRepository,
                 users: UserDirectory, tz: tzinfo, *, mailer: Mailer | None = None,
                 sender: str | None = None, default_language: str = "ko",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._events = events
        self._repo = repo
        self._users = users
        self._tz = tz
        self._mailer = mailer if sender else None
        self._sender = sender or ""
        self._language = default_language
        self._clock = clock

    def run(self, dry_run: bool = False) -> list[Outcome]:
        """Every due digest; ``dry_run``: build and return them, claim, send and keep none."""
        now = self._clock().astimezone(self._tz)
        catalog = load_catalog(self._repo)
        outcomes: list[Outcome] = []
        for frequency in DUE:
            window = window_of(frequency, now.date())
            for user_id in self._store.due_users(frequency):
                user = self._user(user_id)
                if user is None:
                    continue
                actor = Actor(user.username, user.name, user.roles, user.email)
                period = period_for(frequency, now.date())
                mine = build(actor, self._store.follows(user_id), self._events, catalog,
                             period, now.date(), now.hour)
                outcomes.append(self._one(user, mine, frequency, window, now, dry_run))
        return outcomes

    def _one(self, user: User, mine: MyInsights, frequency: Frequency, window: str,
             now: datetime, dry_run: bool) -> Outcome:
        if not mine.metrics:
            return Outcome(user.username, window, "empty")
        lang = user.language or user.signup_language or self._language
        subject, body = render(lang, mine, frequency)
        if dry_run:
            return Outcome(user.username, window, "dry_run", subject, body)
        if not self._store.claim(user.username, window):
            return Outcome(user.username, window, "already")
        sent = self._send(user, subject, body)
        self._store.keep(Digest(user.username, window, now, subject, body, sent))
        return Outcome(user.username, window, "sent" if sent else "kept", subject, body)

    def _send(self, user: User, subject: str, body: str) -> bool:
        # A digest quotes titles and names other people typed: not to an address its owner
        # has not shown to be theirs (a profile change not confirmed yet). It is kept anyway.
        if self._mailer is None or not user.email or not user.email_verified:
            return False
        try:
            self._mailer.send(self._sender, user.email, subject, body, html=as_html(body))
        except DemoFactoryError:
            log.warning("digest mail to user %s was not accepted", user.username)
            return False
        return True

    def _user(self, user_id: str) -> User | None:
        try:
            user = self._users.get(user_id)
        except NotFound:
            return None
        return None if user.disabled or user.status is not AccountStatus.ACTIVE else user


def render(lang: str, mine: MyInsights, frequency: Frequency) -> tuple[str, str]:
    """(subject, plain-text body) in ``lang``."""
    first = mine.period or mine.metrics[0].period
    period = date_range(lang, first.start, first.end)
    subject = translate(lang, f"follows.subject_{frequency.value}", start=first.start,
                        period=period)
    lines = [translate(lang, "follows.intro", period=period_text(lang, first, mine.today)), ""]
    for metric in mine.metrics:
        lines += metric_lines(lang, metric, mine)
    return subject, "\n".join(lines)


def period_text(lang: str, period: Period, today: date | None) -> str:
    """The days a followed metric covers as its reader's calendar shows them (the app's zone):
    "12-05 (어제)", "11-29 ~ 12-05 (지난 7일, 오늘 제외)". Named because the dashboard's
    "7 days" include today and these do not: the same metric differs between the two."""
    start, end = f"{period.start:%m-%d}", f"{period.end:%m-%d}"
    if today is None or period.end != today - timedelta(days=1):
        return date_range(lang, period.start, period.end)
    if period.start == period.end:
        return translate(lang, "follows.period_yesterday", day=end)
    return translate(lang, "follows.period_days", range=date_range(lang, start, end),
                     count=period.days)


def metric_lines(lang: str, metric: FollowedMetric, mine: MyInsights) -> list[str]:
    """A followed metric as text lines: name and scope, change, drivers, unusual days."""
    name = translate(lang, f"insights.metric.{metric.follow.metric}")
    lines = [f"- {name} ({scope_label(lang, metric.follow, mine)}): {change_text(lang, metric)}"]
    if metric.drivers:
        parts = [f"{value_label(lang, c.dim, c.value, mine)} {_signed(c.change, metric.kind)}"
                 for c in metric.drivers]
        lines.append("  " + translate(lang, "follows.drivers", drivers=", ".join(parts)))
    if metric.anomalies:
        days = ", ".join(day.isoformat() for day in metric.anomalies)
        lines.append("  " + translate(lang, "follows.anomalies", days=days))
    return lines


def change_text(lang: str, metric: FollowedMetric) -> str:
    if metric.before is None or metric.after is None:
        return translate(lang, "follows.no_value")
    before, after = _value(metric.before, metric.kind), _value(metric.after, metric.kind)
    relative = metric.relative_change
    moved = (count_difference(metric.after, metric.before) if metric.kind == "count"
             else None)
    if relative is None and moved is not None:  # from zero or below: the difference
        return translate(lang, "follows.change", before=before, after=after,
                         change=f"{moved:+,.0f}")
    if relative is None:
        return translate(lang, "follows.change_new", before=before, after=after)
    change = f"{relative * 100:+.1f}{'%p' if metric.kind == 'rate' else '%'}"
    return translate(lang, "follows.change", before=before, after=after, change=change)


def scope_label(lang: str, follow: Follow, mine: MyInsights) -> str:
    if follow.scope is FollowScope.ALL:
        return translate(lang, "follows.platform_wide")
    dim = {FollowScope.ITEM: "content", FollowScope.AUTHOR: "author"}.get(follow.scope,
                                                                          "category")
    return translate(lang, f"follows.scope_{follow.scope.value}",
                     name=value_label(lang, dim, follow.value, mine))


def value_label(lang: str, dim: str, value: str, mine: MyInsights) -> str:
    """A driver's value as people know it (an item's title, an author's name), one line."""
    named = mine.names.get(dim, {}).get(value)
    if named:
        return " ".join(named.split())
    if dim in NAMED_DIMS and dim in mine.names:  # deleted or unpublished: never its id
        return translate(lang, "analytics.deleted_item")
    if dim == Dim.CATEGORY:
        return category_name(lang, value) or value
    if dim in (Dim.PURPOSE, Dim.SIGNUP_PURPOSE):
        return purpose_name(lang, value) or value
    return driver_mark_name(lang, dim, value) or " ".join(value.split())


def as_html(body: str) -> str:
    """The plain text as simple HTML: every line escaped (titles and names are typed by
    people), nothing else becomes markup."""
    escaped = "<br>\n".join(html.escape(line) for line in body.splitlines())
    return f"<html><body><p>{escaped}</p></body></html>"


def _value(number: float, kind: str) -> str:
    return f"{number * 100:.1f}%" if kind == "rate" else f"{number:,.0f}"


def _signed(number: float, kind: str) -> str:
    return f"{number * 100:+.1f}%p" if kind == "rate" else f"{number:+,.0f}"
