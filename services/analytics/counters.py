"""Storing usage events that did not come through the app (seeded, imported) so that the items'
counters move with them as real usage moves them, and cards and dashboards agree.

The one way to do it, for ``scripts.seed_demo`` and the event-file importer: only events the
store does not hold yet count; views go to ``increment_views``; likes and unlikes go through
``add_like``/``remove_like`` per user in time order, and one that changes nothing (a second like,
an unlike without a like) is not stored, as the like button would not record it. Events of an
item that does not exist (deleted since) are stored and move no counter: there is no card.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.domain.analytics import Event, EventType
from services.errors import NotFound
from services.ports import ContentRepository, EventStore

# Events further apart than this are looked up in separate time windows, so that an unsorted
# batch spread over months does not read every stored event in between.
_WINDOW_GAP = timedelta(hours=1)
_LIKES = (EventType.LIKE, EventType.UNLIKE)


@dataclass
class Stored:
    """What storing some events did: events written, and what the item counters moved by."""

    added: int = 0
    already: int = 0  # held already (an earlier run, or earlier in the same batch)
    ignored_likes: int = 0  # likes or unlikes that changed nothing, so were not stored
    views: int = 0
    likes: int = 0  # net

    def __iadd__(self, other: Stored) -> Stored:
        self.added += other.added
        self.already += other.already
        self.ignored_likes += other.ignored_likes
        self.views += other.views
        self.likes += other.likes
        return self


def store_with_counters(content: ContentRepository, events: EventStore,
                        batch: Sequence[Event]) -> Stored:
    """Store the batch's new events and move the items' counters by exactly those."""
    stored = Stored()
    if not batch:
        return stored
    new = sorted(_new_events(events, batch), key=lambda event: event.ts)
    stored.already = len(batch) - len(new)
    kept = [event for event in new if _move_like(content, event, stored)]
    stored.ignored_likes = len(new) - len(kept)
    written = events.append(kept)
    stored.added = len(written)
    # From what this call wrote, not what it read as new: two imports of one file at once
    # both read the events as new, and the store writes each once.
    views = Counter(str(e.content_id) for e in written if e.type is EventType.CONTENT_VIEW)
    for content_id, count in views.items():
        try:
            content.increment_views(content_id, by=count)
        except NotFound:
            continue
        stored.views += count
    return stored


def _new_events(store: EventStore, batch: Sequence[Event]) -> list[Event]:
    """The batch's events the store does not hold yet, each id once."""
    present: set[str] = set()
    for low, high in _windows(sorted(event.ts for event in batch)):
        present.update(event.id for event in store.raw_events(low, high))
    new: dict[str, Event] = {}
    for event in batch:
        if event.id not in present:
            new.setdefault(event.id, event)
    return list(new.values())


def _windows(times: list[datetime]) -> Iterator[tuple[datetime, datetime]]:
    """[low, high) ranges covering the sorted ``times``, split where they are far apart."""
    low = previous = times[0]
    for ts in times[1:]:
        if ts - previous > _WINDOW_GAP:
            yield low, previous + timedelta(milliseconds=1)
            low = ts
        previous = ts
    yield low, previous + timedelta(milliseconds=1)


def _move_like(content: ContentRepository, event: Event, stored: Stored) -> bool:
    """Move the item's like counter as the like button would; False if that changes nothing
    (the event is then left out). Not a like: True."""
    if event.type not in _LIKES:
        return True
    content_id, user_id = str(event.content_id), str(event.user_id)
    try:
        if event.type is EventType.LIKE:
            changed = content.add_like(content_id, user_id)
            stored.likes += changed
        else:
            changed = content.remove_like(content_id, user_id)
            stored.likes -= changed
    except NotFound:
        return True  # no such item (deleted): the event still counts, no card to move
    if not changed and not item_exists(content, content_id):
        return True
    return changed


def item_exists(content: ContentRepository, content_id: str) -> bool:
    """Whether an item of that id exists (any status)."""
    try:
        content.get(content_id)
    except NotFound:
        return False
    return True
