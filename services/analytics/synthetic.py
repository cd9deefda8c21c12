"""Realistic synthetic usage events for demos and benchmarks (pure: no I/O, seeded).

The shape of real traffic, roughly: content popularity is skewed (Zipf-like: a few items get
most views), traffic follows the working day and week in the local time zone (peaks late
morning and mid-afternoon, quiet nights, half as busy at weekends) and grows slowly over the
period. Visitors come in sessions: a home page view, one visitor-purpose answer (~30% skip),
then a few actions (browsing, content views, searches, some with no results, likes,
downloads); about a third are signed in (users who join through the period, some with a
company and a purpose from sign-up: ``synthetic_users``), and some sessions start with a login
(rarely a failed one first).

Consistency with what the app allows, so that item counters can follow the events:

- exactly ``total`` events, none after ``now``: today gets the share of its traffic that the
  hours gone by would have had (the other days share the rest);
- no event about an item before the item was created (``ContentRef.created_at``);
- likes and unlikes come from signed-in visitors only, and each one changes something: a like
  of an item the visitor has not liked yet, an unlike of one they have (decided in time order
  across the whole period, as the like button would).

Determinism: each day has its own RNG seeded by (seed, day), and ids are ULIDs built from the
event time and that RNG, so the same arguments (and the same ``now``) give the same ids and a
re-run adds nothing. A run later the same day gives today (and so every day) a slightly
different share: it repeats most events and adds a few.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import accumulate, islice

from services.analytics.synthetic_users import PURPOSE_WEIGHTS, synthetic_user, users_joined
from services.analytics.synthetic_visits import Visit
from services.domain.analytics import Event, EventType, Purpose

PAGES_PER_SESSION_MEAN = 4.0
SIGNED_IN_SHARE = 0.35
SKIP_SHARE = 0.30
ZERO_RESULT_SHARE = 0.15
# Of the content views by signed-in visitors (about the old 8% of all views in likes).
LIKE_SHARE = 0.2
UNLIKE_SHARE = 0.03

# Relative traffic per local hour 0..23: quiet nights, a late-morning and a mid-afternoon peak.
HOUR_WEIGHTS = (
    0.4, 0.25, 0.15, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.5, 5.5, 5.0,
    3.5, 4.5, 5.5, 5.2, 4.5, 3.5, 2.5, 2.0, 1.8, 1.5, 1.0, 0.7,
)
WEEKDAY_WEIGHTS = (1.0, 1.05, 1.05, 1.0, 0.9, 0.45, 0.4)  # Monday first
SEARCH_TERMS = (
    "Bedrock", "bedrock agent", "생성형 AI", "챗봇", "RAG", "Amazon Q", "대시보드", "실시간 분석",
    "제조 예지보전", "retail demo", "추천 시스템", "serverless", "보안", "콜센터", "요약",
    "knowledge base", "이미지 생성", "금융 사기 탐지",
)
# What visitors look for and nobody has written yet: these always find nothing.
MISSING_TERMS = ("양자 컴퓨팅", "mainframe migration", "블록체인", "게임 서버", "SAP on AWS")
# What a session does after landing: (action, weight).
ACTIONS = (("browse", 0.22), ("content", 0.5), ("search", 0.2), ("dashboard", 0.03),
           ("report", 0.01), ("stay", 0.04))


@dataclass(frozen=True)
class ContentRef:
    """What an event needs to know of a content item."""

    id: str
    category: str
    author_id: str
    created_at: datetime | None = None  # None: older than any event of the period

    def exists_at(self, millis: int) -> bool:
        """Whether the item existed at this Unix time in milliseconds (an event's time)."""
        return self.created_at is None or millis >= math.ceil(
            self.created_at.timestamp() * 1000)


def synthetic_events(
    contents: Sequence[ContentRef],
    *,
    total: int,
    days: int,
    end: date,
    tz: tzinfo,
    seed: int = 20_26,
    now: datetime | None = None,
    sample: bool = False,
) -> Iterator[Event]:
    """Exactly ``total`` events over the local days ``end - days + 1 .. end`` up to ``now``,
    day by day, in time order within a day (fewer only if no time of the period has passed).
    ``sample`` marks them as demo traffic, which the stores remove with the sample content."""
    if total <= 0 or days <= 0:
        return
    if not contents:
        raise ValueError("synthetic events need at least one content item")
    first = end - timedelta(days=days - 1)
    dates = [first + timedelta(days=i) for i in range(days)]
    shares = [_elapsed_share(datetime.combine(day, time(0), tz), now) for day in dates]
    liked: set[tuple[str, str]] = set()  # (user, item) pairs liked so far, over all days
    users = max(20, total // 400)
    targets = _day_targets(first, shares, total, seed)
    for index, (day, target) in enumerate(zip(dates, targets, strict=True)):
        if target:
            rng = random.Random(f"{seed}:{day.isoformat()}")  # noqa: S311 - data, not secrets
            joined = users_joined(index, days, users)
            yield from _Day(contents, day, tz, rng, joined, sample, until=now).events(target, liked)


def _elapsed_share(midnight: datetime, now: datetime | None) -> float:
    """The share of a day's usual traffic that falls before ``now`` (1 for a past day)."""
    if now is None:
        return 1.0
    hours = (now - midnight).total_seconds() / 3600
    if hours >= 24:
        return 1.0
    if hours <= 0:
        return 0.0
    whole = int(hours)
    gone = sum(HOUR_WEIGHTS[:whole]) + HOUR_WEIGHTS[whole] * (hours - whole)
    return gone / sum(HOUR_WEIGHTS)


def _day_targets(first: date, shares: list[float], total: int, seed: int) -> list[int]:
    """Events per day: weekly rhythm x slow growth x a little noise x the share of the day
    that has passed, summing to ``total`` (all zero if no time has passed)."""
    days = len(shares)
    noise = random.Random(f"{seed}:days")  # noqa: S311
    weights = [
        WEEKDAY_WEIGHTS[(first + timedelta(days=i)).weekday()]
        * (1 + 0.3 * i / max(1, days - 1))
        * noise.uniform(0.85, 1.15)
        * shares[i]
        for i in range(days)
    ]
    if not sum(weights):
        return [0] * days
    scale = total / sum(weights)
    targets = [int(w * scale) for w in weights]
    open_days = [i for i, w in enumerate(weights) if w]
    for i in range(total - sum(targets)):  # hand out the rounding remainder
        targets[open_days[i % len(open_days)]] += 1
    return targets


class _Day:
    """One local day's sessions, drawn from its own RNG."""

    def __init__(self, contents: Sequence[ContentRef], day: date, tz: tzinfo,
                 rng: random.Random, users: int, sample: bool = False,
                 until: datetime | None = None) -> None:
        self._contents = contents
        self._sample = sample
        self._rng = rng
        self._users = users
        self._tz = tz
        self._midnight = datetime.combine(day, time(0), tz).astimezone(UTC)
        self._until = until
        # Zipf-like popularity over a per-run shuffle of the items (seeded by the content ids,
        # not the day, so the same items stay popular all period).
        order = sorted(contents, key=lambda c: random.Random(c.id).random())  # noqa: S311
        self._by_rank = order
        self._rank_weights = [1 / (rank + 1) ** 1.1 for rank in range(len(order))]
        self._rank_cum = list(accumulate(self._rank_weights))
        self._all_exist = all(c.created_at is None or c.created_at <= self._midnight
                              for c in order)
        self._hour_cum = list(accumulate(HOUR_WEIGHTS))
        self._action_cum = list(accumulate(w for _, w in ACTIONS))
        self._purposes = list(PURPOSE_WEIGHTS)
        self._purpose_cum = list(accumulate(PURPOSE_WEIGHTS.values()))

    def events(self, target: int, liked: set[tuple[str, str]]) -> list[Event]:
        """The day's first ``target`` events in time order (the day's last ones are cut off),
        with ``liked`` carried over to the end of them. Likes that would change nothing (and
        events after ``until``) are left out, so sessions are drawn until there are enough."""
        drawn: list[Event] = []
        usable = 0
        while True:
            while usable < target:
                session = self._session()
                drawn.extend(session)
                usable += len(session)
            state = set(liked)
            kept = list(islice(self._changes(sorted(drawn, key=_time_order), state), target))
            if len(kept) == target:
                liked.clear()
                liked.update(state)
                return kept
            usable = len(kept)

    def _changes(self, ordered: Iterable[Event], liked: set[tuple[str, str]]) -> Iterator[Event]:
        """The events up to ``until``, likes and unlikes only where they change ``liked``."""
        for event in ordered:
            if self._until is not None and event.ts > self._until:
                return
            if event.type in (EventType.LIKE, EventType.UNLIKE):
                pair = (str(event.user_id), str(event.content_id))
                if (pair in liked) == (event.type is EventType.LIKE):
                    continue  # a second like, or an unlike of nothing: the button allows neither
                if event.type is EventType.LIKE:
                    liked.add(pair)
                else:
                    liked.discard(pair)
            yield event

    # ---- one session --------------------------------------------------------------------------

    def _session(self) -> list[Event]:
        rng = self._rng
        hour = rng.choices(range(24), cum_weights=self._hour_cum)[0]
        start = self._midnight + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
        if self._until is not None and start > self._until:
            return []  # a visit still to come
        user = (synthetic_user(rng.randrange(self._users))
                if rng.random() < SIGNED_IN_SHARE else None)
        session = Visit(rng, f"s{rng.getrandbits(64):016x}", user, start, self._sample,
                        self._tz)
        if user is not None and rng.random() < 0.3:
            if rng.random() < 0.05:
                session.add(EventType.LOGIN_FAILED, user_id=None)
            session.add(EventType.LOGIN)
        session.add(EventType.PAGE_VIEW, page="home")
        if user is None or user.purpose is None:  # a purpose given at sign-up is not asked
            purpose = (Purpose.SKIPPED if rng.random() < SKIP_SHARE
                       else rng.choices(self._purposes, cum_weights=self._purpose_cum)[0])
            session.answered(purpose)
            session.add(EventType.VISITOR_PURPOSE, properties={"purpose": purpose.value})
        actions = 1 + int(-math.log(1 - rng.random()) * (PAGES_PER_SESSION_MEAN - 1))
        for _ in range(actions):
            self._action(session)
        return session.events

    def _action(self, session: Visit) -> None:
        rng = self._rng
        action = ACTIONS[_pick(self._action_cum, rng)][0]
        if action == "browse":
            session.add(EventType.PAGE_VIEW, page="browse")
        elif action == "content":
            self._view_content(session)
        elif action == "search":
            # The app has no search page: a search is the browse page with a query.
            session.add(EventType.PAGE_VIEW, page="browse")
            if rng.random() < ZERO_RESULT_SHARE:
                term, results = rng.choice(MISSING_TERMS), 0
            else:
                term, results = rng.choice(SEARCH_TERMS), rng.randint(1, 12)
            if rng.random() < 0.1:
                term = term.upper() if rng.random() < 0.5 else f" {term.lower()}  "
            session.add(EventType.SEARCH, properties={"query": term, "results": results})
        elif action == "dashboard" and session.user_id:
            session.add(EventType.PAGE_VIEW, page="dashboard")
        elif action == "report" and session.user_id:
            session.add(EventType.REPORT_GENERATED, properties={"report_type": "usage"})

    def _pick_item(self, millis: int) -> ContentRef | None:
        """A popular item that existed at ``millis`` (None if there was none yet)."""
        rng = self._rng
        for _ in range(1 if self._all_exist else 8):
            item = self._by_rank[_pick(self._rank_cum, rng)]
            if item.exists_at(millis):
                return item
        ranks = [rank for rank, item in enumerate(self._by_rank) if item.exists_at(millis)]
        if not ranks:
            return None
        return self._by_rank[rng.choices(ranks, [self._rank_weights[r] for r in ranks])[0]]

    def _view_content(self, session: Visit) -> None:
        rng = self._rng
        # Picked at the page view's time: the content view, likes and downloads come later.
        item = self._pick_item(session.next_millis)
        if item is None:  # nothing written yet: the visitor only browses
            session.add(EventType.PAGE_VIEW, page="browse")
            return
        session.add(EventType.PAGE_VIEW, page="content")
        fields = {"content_id": item.id, "category": item.category, "author_id": item.author_id}
        session.add(EventType.CONTENT_VIEW, **fields)
        roll = rng.random()
        if session.user_id and roll < LIKE_SHARE:  # only signed-in visitors can like
            session.add(EventType.LIKE, **fields)
        elif session.user_id and roll < LIKE_SHARE + UNLIKE_SHARE:
            session.add(EventType.UNLIKE, **fields)
        if rng.random() < 0.12:
            session.add(EventType.DOWNLOAD, **fields,
                        properties={"asset_id": f"{item.id}-a1", "kind": "document"})


def _time_order(event: Event) -> tuple[datetime, str]:
    return event.ts, event.id


def _pick(cum_weights: list[float], rng: random.Random) -> int:
    return rng.choices(range(len(cum_weights)), cum_weights=cum_weights)[0]
