"""EventStore contract, ``rollups(..., fold=)`` and ``rollups(..., hour=)``: on every backend,
the per-item segment rows of each day summed over the items (besides the rows of the other dims
asked for), exactly as computed from the raw events with ``rollup_keys``, also after a warm read
when events of a day arrive and after the sample events are removed (a source holding "|" stays
whole: only the item id is cut off); and one local hour's hourly rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.domain.analytics import (
    DEVICE_PROP,
    SOURCE_LABEL_PROP,
    VISIT_PURPOSE_PROP,
    WHOLE_DAY,
    Dim,
    Event,
    EventType,
    RollupKey,
    SegmentKind,
)
from services.domain.rollups import SEGMENT_CONTENT_DIMS, item_segment
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_event_store import expected

FIRST = date(2026, 3, 1)
LAST = date(2026, 3, 3)
TYPES = (EventType.CONTENT_VIEW, EventType.DOWNLOAD, EventType.LIKE)
ITEMS = ("c1", "c2", "c10")
SOURCES = ("newsletter", "search|google", "partner")
DIMS = [SEGMENT_CONTENT_DIMS[SegmentKind.SOURCE], SEGMENT_CONTENT_DIMS[SegmentKind.DEVICE]]


def events(prefix: str, days: Iterable[date], per_day: int) -> list[Event]:
    found = []
    for day in days:
        for i in range(per_day):
            local = datetime(day.year, day.month, day.day, 8 + i % 5, i % 60, tzinfo=EVENT_TZ)
            known = i % 4 != 3  # a quarter of the visits have no source, nor device
            found.append(Event(
                id=f"{prefix}{day.isoformat()}-{i:03d}", ts=local.astimezone(UTC),
                type=TYPES[i % 3], session_id=f"s{i % 6}", content_id=ITEMS[(i + i // 7) % 3],
                category="Finance", author_id="a1", page="content",
                properties={SOURCE_LABEL_PROP: SOURCES[i % 3], DEVICE_PROP: "mobile",
                            VISIT_PURPOSE_PROP: "research"} if known else {}))
    return found


def wanted(events_: Iterable[Event], dims: list[Dim]) -> dict[RollupKey, int]:
    """Per day, type, dim and segment: the events' per-item segment keys summed over items."""
    sums: dict[RollupKey, int] = {}
    for key, count in expected(events_, EVENT_TZ).items():
        if key.hour == WHOLE_DAY and FIRST <= key.day <= LAST and key.dim in dims:
            folded = key._replace(value=item_segment(key.value))
            sums[folded] = sums.get(folded, 0) + count
    return sums


def found(event_store: Any, dims: list[Dim] = DIMS,
          plain: list[Dim] | None = None) -> dict[RollupKey, int]:
    rows = event_store.rollups(FIRST, LAST, TYPES, plain or [], fold=dims)
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys))  # one row per segment and day
    return {row.key: row.count for row in rows}


def plain_rows(events_: Iterable[Event], dims: list[Dim]) -> dict[RollupKey, int]:
    return {key: count for key, count in expected(events_, EVENT_TZ).items()
            if key.hour == WHOLE_DAY and FIRST <= key.day <= LAST and key.dim in dims
            and key.type in TYPES}


def test_segment_rows_are_the_items_rows_summed(event_store: Any) -> None:
    stored = events("a", [FIRST, FIRST + timedelta(days=1), LAST, LAST + timedelta(days=1)], 40)
    event_store.append(stored)

    sums = found(event_store)
    assert sums == wanted(stored, DIMS)
    source = SEGMENT_CONTENT_DIMS[SegmentKind.SOURCE]
    # Three items' rows became one per source; the source with "|" kept whole.
    assert {k.value for k in sums if k.dim == source} == {f"source={s}" for s in SOURCES}
    assert sum(c for k, c in sums.items() if k.dim == source and k.day == FIRST) == 30
    assert found(event_store, DIMS[:1]) == wanted(stored, DIMS[:1])
    # Besides other dimensions' rows, as they are (one read).
    both = found(event_store, DIMS[:1], [Dim.CONTENT, Dim.ALL])
    assert both == wanted(stored, DIMS[:1]) | plain_rows(stored, [Dim.CONTENT, Dim.ALL])
    assert event_store.rollups(FIRST, LAST, TYPES, [Dim.ALL], hourly=True, fold=DIMS) == (
        event_store.rollups(FIRST, LAST, TYPES, [Dim.ALL], hourly=True))


def test_segment_rows_follow_new_events_and_sample_removal(event_store: Any) -> None:
    real = events("r", [FIRST, LAST], 24)
    samples = [replace(e, sample=True) for e in events("s", [FIRST], 12)]
    event_store.append(real + samples)
    assert found(event_store) == wanted(real + samples, DIMS)  # warm

    more = events("b", [LAST], 9)  # the live day
    event_store.append(more)
    assert found(event_store) == wanted(real + samples + more, DIMS)

    event_store.remove_samples()
    assert found(event_store) == wanted(real + more, DIMS)


def test_no_rows_without_a_selection_or_days(event_store: Any) -> None:
    event_store.append(events("a", [FIRST], 8))
    assert event_store.rollups(FIRST, LAST, [], [], fold=DIMS) == []
    assert event_store.rollups(FIRST, LAST, TYPES, [], fold=[]) == []
    assert event_store.rollups(LAST, FIRST, TYPES, [], fold=DIMS) == []


def test_an_hours_rows_are_the_hourly_rows_of_that_hour(event_store: Any) -> None:
    stored = events("a", [FIRST, LAST], 30)
    event_store.append(stored)
    every = event_store.rollups(FIRST, LAST, hourly=True)
    for hour in (8, 12, 23):
        rows = event_store.rollups(FIRST, LAST, hourly=True, hour=hour)
        assert sorted(rows, key=repr) == sorted(
            (r for r in every if r.key.hour == hour), key=repr)
    assert {r.key.hour for r in every} == {8, 9, 10, 11, 12}  # the events' local hours
    one_type = event_store.rollups(FIRST, LAST, [EventType.LIKE], hourly=True, hour=9)
    assert one_type and {(r.key.type, r.key.hour) for r in one_type} == {(EventType.LIKE, 9)}
    assert sum(r.count for r in event_store.rollups(FIRST, LAST, hourly=True, hour=9)) == sum(
        1 for e in stored if e.ts.astimezone(EVENT_TZ).hour == 9)

    more = events("b", [LAST], 10)  # a warm day changes: its hours with it
    event_store.append(more)
    assert sum(r.count for r in event_store.rollups(FIRST, LAST, hourly=True, hour=9)) == sum(
        1 for e in stored + more if e.ts.astimezone(EVENT_TZ).hour == 9)
