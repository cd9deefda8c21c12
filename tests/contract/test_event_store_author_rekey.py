"""EventStore contract, a deleted author: ``rekey_author`` moves every count the analytics hold
under the author's user name (raw events' ``author_id``, the AUTHOR rollup rows and their
sample copies) to the heir or to "former author", on every backend. Expected numbers are worked
out from the raw events with ``rollup_keys``."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.domain.analytics import Dim, Event, EventType, RollupKey
from services.domain.rollups import rollup_keys
from services.domain.users import FORMER_AUTHOR
from tests.contract.local_backends import EVENT_TZ

T0 = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)  # 23:30 in Seoul: the next event is a new day
OLD = T0 - timedelta(days=40)  # outside the raw-event window the deletion walks
FIRST, LAST = date(2026, 1, 1), date(2026, 3, 5)
WINDOW = (T0 - timedelta(days=2), T0 + timedelta(days=3))
CV, LIKE, PV = EventType.CONTENT_VIEW, EventType.LIKE, EventType.PAGE_VIEW


def ev(event_id: str, ts: datetime, type_: EventType, author: str | None = None,
       sample: bool = False) -> Event:
    fields: dict[str, Any] = {"page": "home"} if type_ is PV else {
        "content_id": f"c-{author}", "category": "Finance", "author_id": author}
    return Event(id=event_id, ts=ts, type=type_, session_id=f"s-{event_id}", sample=sample,
                 **fields)


STREAM = [
    ev("e01", T0, CV, "alice"),
    ev("e02", T0 + timedelta(minutes=40), CV, "alice"),  # the next local day
    ev("e03", T0 + timedelta(minutes=41), LIKE, "alice"),
    ev("e04", T0 + timedelta(minutes=42), CV, "bob"),
    ev("e05", T0 + timedelta(minutes=43), PV),
    ev("e06", OLD, CV, "alice"),  # raw event long gone in practice; its counter is not
    ev("e07", T0 + timedelta(minutes=44), CV, "alice", sample=True),
    ev("e08", T0 + timedelta(minutes=45), CV, "bob", sample=True),
]


def rows(store: Any) -> dict[RollupKey, int]:
    return {row.key: row.count for row in store.rollups(FIRST, LAST)}


def authors(store: Any) -> dict[RollupKey, int]:
    return {k: n for k, n in rows(store).items() if k.dim == Dim.AUTHOR}


def expected(events: list[Event]) -> dict[RollupKey, int]:
    counts: Counter[RollupKey] = Counter()
    for event in events:
        counts.update(k for k in rollup_keys(event, EVENT_TZ) if k.hour < 0)
    return dict(counts)


def renamed(events: list[Event], old: str, new: str) -> list[Event]:
    return [replace(e, author_id=new) if e.author_id == old else e for e in events]


def without_author_rows(found: dict[RollupKey, int]) -> dict[RollupKey, int]:
    return {k: n for k, n in found.items() if k.dim != Dim.AUTHOR}


@pytest.mark.parametrize("heir", ["bob", FORMER_AUTHOR])
def test_a_deleted_authors_counts_move_to_the_heir(event_store: Any, heir: str) -> None:
    event_store.append(STREAM)
    before = rows(event_store)

    moved = event_store.rekey_author("alice", heir, *WINDOW)

    assert moved == 5  # every counted event of alice's, the old and the sample one included
    after = rows(event_store)
    assert without_author_rows(after) == without_author_rows(before)  # totals unchanged
    assert not [k for k in authors(event_store) if k.value == "alice"]
    assert authors(event_store) == {k: n for k, n in expected(renamed(STREAM, "alice", heir))
                                    .items() if k.dim == Dim.AUTHOR}
    raw = {e.id: e.author_id for e in event_store.raw_events(*WINDOW)}
    assert "alice" not in raw.values()
    assert raw["e01"] == heir and raw["e04"] == "bob"
    # A second run (a retry after a crash) finds nothing left to move.
    assert event_store.rekey_author("alice", heir, *WINDOW) == 0
    assert rows(event_store) == after


def test_sample_copies_follow_so_removing_samples_stays_exact(event_store: Any) -> None:
    event_store.append(STREAM)
    event_store.rekey_author("alice", FORMER_AUTHOR, *WINDOW)

    event_store.remove_samples()

    own = renamed([e for e in STREAM if not e.sample], "alice", FORMER_AUTHOR)
    assert rows(event_store) == expected(own)


def test_later_events_of_the_heir_add_to_the_moved_counts(event_store: Any) -> None:
    event_store.append(STREAM)
    event_store.rekey_author("alice", "bob", *WINDOW)
    later = ev("e09", T0 + timedelta(minutes=50), CV, "bob")

    event_store.append([later])
    event_store.rekey_author("bob", "carol", *WINDOW)  # the heir deleted in turn

    everything = renamed(renamed([*STREAM, later], "alice", "carol"), "bob", "carol")
    assert authors(event_store) == {k: n for k, n in expected(everything).items()
                                    if k.dim == Dim.AUTHOR}
