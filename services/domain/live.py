"""The live window: who is on the site now, where, and how busy the last half hour was.

Pure, no I/O. Stores keep only the last ``KEEP_MINUTES`` of real traffic (a sink fed at ingest,
``ports.LiveWindow``); a snapshot answers for the ``WINDOW_MINUTES`` before ``now``:

* a visitor (``Event.visitor_id``) is *active* in the last N minutes when one of their events
  has ``now - N min < ts <= now``;
* where a visitor *is*: the page of their latest page view in the window, and, when a content
  event (view, like, download) is at or after it, that item -- the item page records a page
  view, then the item's view; "latest" is by (ts, event id), so the order events arrive in
  does not matter;
* events per minute: every event of each UTC minute from ``now``'s minute back
  ``WINDOW_MINUTES - 1`` minutes, oldest first, minutes without events as 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.domain.analytics import Event, EventType

WINDOW_MINUTES = 30
ACTIVE_MINUTES = 5
# What a store keeps: the window plus a margin, so a snapshot taken a little later than the
# last write still has its whole window.
KEEP_MINUTES = 35
ITEM_TYPES = frozenset({EventType.CONTENT_VIEW, EventType.LIKE, EventType.UNLIKE,
                        EventType.DOWNLOAD})


@dataclass(frozen=True)
class LiveSnapshot:
    now: datetime
    active_5: int  # visitors active in the last ACTIVE_MINUTES
    active_30: int  # visitors active in the last WINDOW_MINUTES
    pages: dict[str, int] = field(default_factory=dict)  # page -> visitors on it
    items: dict[str, int] = field(default_factory=dict)  # content id -> visitors on it
    per_minute: tuple[tuple[datetime, int], ...] = ()  # UTC minute -> events, oldest first

    @property
    def is_empty(self) -> bool:
        return self.active_30 == 0 and not any(count for _, count in self.per_minute)


def minute_of(ts: datetime) -> datetime:
    """The UTC minute an event falls in."""
    return ts.astimezone(UTC).replace(second=0, microsecond=0)


def minute_key(ts: datetime) -> str:
    """A UTC minute as fixed-width text ("2026-03-04T09:15"), so text order is time order."""
    return minute_of(ts).strftime("%Y-%m-%dT%H:%M")


def window_minutes(now: datetime) -> list[datetime]:
    """The UTC minutes of the per-minute chart, oldest first (``now``'s minute last)."""
    last = minute_of(now)
    return [last - timedelta(minutes=back) for back in range(WINDOW_MINUTES - 1, -1, -1)]


def window_start(now: datetime, minutes: int = WINDOW_MINUTES) -> datetime:
    return now - timedelta(minutes=minutes)


def kept(events: Iterable[Event], now: datetime) -> list[Event]:
    """What a live store takes of a batch: real traffic of the kept window.

    Sample events (demo traffic, ``Event.sample``) are dated over past days and are not
    anybody on the site now, so a live store never takes them (and has nothing to remove
    when the samples go); events older than the kept window cannot show any more.
    """
    cutoff = now - timedelta(minutes=KEEP_MINUTES)
    return [event for event in events if not event.sample and event.ts > cutoff]


def order_key(event: Event) -> tuple[datetime, str]:
    """Which of two events of a visitor is the later one, whatever order they arrive in."""
    return event.ts, event.id


@dataclass
class VisitorState:
    """One visitor's latest activity, page view and content event (as order keys)."""

    last: tuple[datetime, str]
    page: tuple[tuple[datetime, str], str] | None = None
    item: tuple[tuple[datetime, str], str] | None = None

    def add(self, event: Event) -> None:
        key = order_key(event)
        self.last = max(self.last, key)
        if event.type == EventType.PAGE_VIEW and event.page and _later(key, self.page):
            self.page = (key, event.page)
        if event.type in ITEM_TYPES and event.content_id and _later(key, self.item):
            self.item = (key, event.content_id)

    def current_item(self) -> str | None:
        """The item the visitor is on: a content event at or after their latest page view."""
        if self.item is None:
            return None
        if self.page is not None and self.page[0][0] > self.item[0][0]:
            return None
        return self.item[1]


def _later(key: tuple[datetime, str], fact: tuple[tuple[datetime, str], str] | None) -> bool:
    return fact is None or key > fact[0]


def snapshot_of(events: list[Event], now: datetime) -> LiveSnapshot:
    """The snapshot computed straight from events: the definition both stores must match
    (contract tests) and the reference the benchmark times."""
    start, recent = window_start(now), window_start(now, ACTIVE_MINUTES)
    minutes = {minute: 0 for minute in window_minutes(now)}
    visitors: dict[str, VisitorState] = {}
    for event in events:
        if event.sample:
            continue
        minute = minute_of(event.ts)
        if minute in minutes:
            minutes[minute] += 1
        if start < event.ts <= now:
            state = visitors.setdefault(event.visitor_id, VisitorState(order_key(event)))
            state.add(event)
    pages: dict[str, int] = {}
    items: dict[str, int] = {}
    for state in visitors.values():
        if state.page is not None:
            pages[state.page[1]] = pages.get(state.page[1], 0) + 1
        item = state.current_item()
        if item is not None:
            items[item] = items.get(item, 0) + 1
    return LiveSnapshot(
        now=now,
        active_5=sum(1 for s in visitors.values() if s.last[0] > recent),
        active_30=len(visitors),
        pages=pages,
        items=items,
        per_minute=tuple(minutes.items()),
    )
