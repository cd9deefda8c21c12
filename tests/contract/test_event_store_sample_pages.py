"""EventStore contract, a page the sample traffic once recorded: ``rename_sample_page`` makes
the sample page views of a retired page name (the app has no "search" page; sample traffic
now records "browse") count under the new one, on every backend: their raw events, their page
counters and the sample copies that removing the samples subtracts. A real visitor's page view
of the old name stays as it was. Expected numbers are worked out from the events with
``rollup_keys``."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.domain.analytics import RETIRED_SAMPLE_PAGES, Dim, Event, EventType, RollupKey
from services.domain.rollups import rollup_keys
from tests.contract.local_backends import EVENT_TZ

T0 = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)  # 23:30 in Seoul: the next event is a new day
FIRST, LAST = date(2026, 2, 27), date(2026, 3, 4)
EVERYTHING = (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
OLD, NEW = RETIRED_SAMPLE_PAGES[0]


def view(event_id: str, minutes: int, page: str, sample: bool) -> Event:
    return Event(
        id=event_id,
        ts=T0 + timedelta(minutes=minutes),
        type=EventType.PAGE_VIEW,
        session_id=f"s-{event_id}",
        page=page,
        sample=sample,
    )


STREAM = [
    view("e01", 0, OLD, sample=True),
    view("e02", 40, OLD, sample=True),  # the next local day
    view("e03", 41, OLD, sample=True),
    view("e04", 42, NEW, sample=True),
    view("e05", 43, "home", sample=True),
    view("e06", 44, OLD, sample=False),  # a real visitor's: stays as it is
    view("e07", 45, NEW, sample=False),
]


def rows(store: Any) -> dict[RollupKey, int]:
    return {row.key: row.count for row in store.rollups(FIRST, LAST) if row.key.hour < 0}


def expected(events: list[Event]) -> dict[RollupKey, int]:
    counts: Counter[RollupKey] = Counter()
    for event in events:
        counts.update(k for k in rollup_keys(event, EVENT_TZ) if k.hour < 0)
    return dict(counts)


def renamed(events: list[Event]) -> list[Event]:
    return [replace(e, page=NEW) if e.sample and e.page == OLD else e for e in events]


def pages(store: Any) -> dict[str, tuple[str | None, bool]]:
    return {e.id: (e.page, e.sample) for e in store.raw_events(*EVERYTHING)}


def test_sample_page_views_of_a_retired_page_count_under_the_new_one(event_store: Any) -> None:
    event_store.append(STREAM)
    assert rows(event_store) == expected(STREAM)

    assert event_store.rename_sample_page(OLD, NEW) == 3

    assert rows(event_store) == expected(renamed(STREAM))
    page_rows = {(k.day, k.value): n for k, n in rows(event_store).items() if k.dim == Dim.PAGE}
    assert page_rows[(date(2026, 3, 2), OLD)] == 1  # the real visitor's view only
    assert (date(2026, 3, 1), OLD) not in page_rows
    assert pages(event_store) == {e.id: (e.page, e.sample) for e in renamed(STREAM)}


def test_renaming_again_changes_nothing(event_store: Any) -> None:
    event_store.append(STREAM)
    event_store.rename_sample_page(OLD, NEW)
    after = rows(event_store)

    assert event_store.rename_sample_page(OLD, NEW) == 0
    assert rows(event_store) == after
    assert pages(event_store) == {e.id: (e.page, e.sample) for e in renamed(STREAM)}


def test_the_renamed_views_are_still_removed_with_the_samples(event_store: Any) -> None:
    event_store.append(STREAM)
    event_store.rename_sample_page(OLD, NEW)

    event_store.remove_samples()

    real = [e for e in STREAM if not e.sample]
    assert {k: n for k, n in rows(event_store).items() if n} == expected(real)
    assert pages(event_store) == {e.id: (e.page, False) for e in real}
