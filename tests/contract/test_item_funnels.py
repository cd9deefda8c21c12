"""Each item's own funnels (view -> download, view -> like), on SQLite and on DynamoDB (moto):
counted at ingest per item, equal to the numbers counted by hand from the raw events.

Synthetic visits with known answers: exactly k of n visits convert for item A and a different
k for item B (one visit sees both), a batch delivered twice, sample traffic removed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.analytics.synthetic import ContentRef, synthetic_events
from services.domain.analytics import Event, EventType
from services.domain.funnels import (
    ITEM_DOWNLOAD,
    ITEM_FUNNELS,
    ITEM_LIKE,
    item_funnel,
    reference_counts,
)
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_funnel_store import FUNNEL_STORES

DAY = date(2026, 3, 2)  # local (Asia/Seoul)
NOON = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 12:00 local


@pytest.fixture(params=sorted(FUNNEL_STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with FUNNEL_STORES[request.param](tmp_path) as adapter:
        yield adapter


def visit(name: str, *steps: tuple[str, str, float], sample: bool = False) -> list[Event]:
    """A visit's events: (event type, item, minutes after noon)."""
    return [Event(f"{name}-{i:02d}", NOON + timedelta(minutes=minutes), EventType(what),
                  f"s-{name}", content_id=item, category="Finance", sample=sample)
            for i, (what, item, minutes) in enumerate(steps)]


def known_visits() -> list[Event]:
    """Item A: 7 visits view it, exactly 4 download it, 1 likes it. Item B: 5 visits view it,
    exactly 2 download it, 3 like it."""
    events: list[Event] = []
    for n in range(3):
        events += visit(f"a{n}", ("content_view", "A", 0), ("download", "A", 5 + n))
    events += visit("a-like", ("content_view", "A", 0), ("like", "A", 1), ("download", "A", 2))
    events += visit("a-late", ("content_view", "A", 0), ("download", "A", 31))  # past window
    events += visit("a-first", ("download", "A", 0), ("content_view", "A", 1))  # out of order
    # One visit sees both items and downloads only B: B's funnel, not A's.
    events += visit("both", ("content_view", "A", 0), ("content_view", "B", 2),
                    ("download", "B", 3), ("like", "B", 4))
    events += visit("b-dl", ("content_view", "B", 0), ("content_view", "B", 1),
                    ("download", "B", 2), ("download", "B", 3))  # repeats move nothing
    for n in range(2):
        events += visit(f"b-like{n}", ("content_view", "B", 0), ("like", "B", 1))
    events += visit("b-other", ("content_view", "B", 0), ("download", "A", 1))  # other item
    events += visit("no-view", ("like", "B", 0), ("download", "B", 1))  # never at step 1
    return events


def counts(store: Any, template: Any, item: str, start: date = DAY, end: date = DAY) -> list[int]:
    return store.counts(item_funnel(template, item).id, 2, start, end)


def test_exactly_k_of_n_visits_convert_per_item(store: Any) -> None:
    events = known_visits()
    store.ingest(events)

    assert counts(store, ITEM_DOWNLOAD, "A") == [7, 4]
    assert counts(store, ITEM_LIKE, "A") == [7, 1]
    assert counts(store, ITEM_DOWNLOAD, "B") == [5, 2]
    assert counts(store, ITEM_LIKE, "B") == [5, 3]
    for template in ITEM_FUNNELS:
        for item in "AB":
            assert counts(store, template, item) == reference_counts(
                item_funnel(template, item), events, EVENT_TZ, DAY, DAY)
    assert counts(store, ITEM_DOWNLOAD, "C") == [0, 0]
    assert counts(store, ITEM_DOWNLOAD, "A", DAY + timedelta(days=1),
                  DAY + timedelta(days=30)) == [0, 0]


def test_a_batch_delivered_again_counts_nothing_twice(store: Any) -> None:
    events = known_visits()
    first, second = events[: len(events) // 2], events[len(events) // 2 :]
    store.ingest(first)
    store.ingest(first)  # a retry of the same batch
    store.ingest(second)
    store.ingest(events)  # an import run twice

    assert counts(store, ITEM_DOWNLOAD, "A") == [7, 4]
    assert counts(store, ITEM_LIKE, "B") == [5, 3]


def test_removing_samples_leaves_what_the_other_events_counted(store: Any) -> None:
    real = known_visits()
    demo = [e for n in range(3) for e in visit(
        f"demo{n}", ("content_view", "A", 0), ("download", "A", 1), ("content_view", "B", 2),
        sample=True)]
    store.ingest([*real, *demo])
    assert counts(store, ITEM_DOWNLOAD, "A") == [10, 7]
    assert counts(store, ITEM_DOWNLOAD, "B") == [8, 2]

    store.remove_samples()

    assert counts(store, ITEM_DOWNLOAD, "A") == [7, 4]
    assert counts(store, ITEM_DOWNLOAD, "B") == [5, 2]
    assert counts(store, ITEM_LIKE, "A") == [7, 1]
    store.ingest(demo)  # seeded again: counted again (no sample visit was left behind)
    assert counts(store, ITEM_DOWNLOAD, "A") == [10, 7]


SIZE = {"sqlite": 3000, "dynamodb": 400}


def test_every_item_funnel_equals_the_raw_events(store: Any,
                                                  request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["store"]
    contents = [ContentRef(f"c-{i}", "Finance", "a") for i in range(6)]
    events = list(synthetic_events(contents, total=SIZE[backend], days=3, end=DAY, tz=EVENT_TZ,
                                   seed=7))
    for i in range(0, len(events), 250):
        store.ingest(events[i : i + 250])

    start = DAY - timedelta(days=2)
    for template in ITEM_FUNNELS:
        for content in contents:
            funnel = item_funnel(template, content.id)
            expected = reference_counts(funnel, events, EVENT_TZ, start, DAY)
            assert store.counts(funnel.id, 2, start, DAY) == expected
    assert any(counts(store, ITEM_DOWNLOAD, c.id, start)[1] for c in contents)
