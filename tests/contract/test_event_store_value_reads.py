"""EventStore contract, reads of some values only (``rollups(values=..., prefix=...)``): on
every backend, exactly the rows a full read holds with those values, as computed from the raw
events with ``rollup_keys``, also after more events of the same days are appended."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.domain.analytics import (
    SEARCH_TERM_PROP,
    SOURCE_LABEL_PROP,
    Dim,
    Event,
    EventType,
    RollupKey,
)
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_event_store import as_dict, expected

DAY = date(2026, 3, 1)
CV = EventType.CONTENT_VIEW
# Ids, terms and sources whose values start like one another's: "c1" / "c10", "x" / "x.com",
# a term holding the separator, local hours 1 and 10.
ITEMS = ("c1", "c10", "c2")
TERMS = ("agent", "agent|bedrock", "a")
SOURCES = ("x", "x.com")


def events(prefix: str, n: int) -> list[Event]:
    found = []
    for i in range(n):
        local = datetime(2026, 3, 1, (9, 10, 0, 1)[i % 4], i % 50, tzinfo=EVENT_TZ)
        found.append(Event(
            id=f"{prefix}{i:03d}", ts=local.astimezone(UTC),
            type=(CV, CV, EventType.DOWNLOAD, EventType.PAGE_VIEW)[i // 2 % 4],
            session_id=f"s{i % 7}", content_id=ITEMS[i % 3], category="Finance",
            author_id=f"a{i % 2}", page="home",
            properties={SEARCH_TERM_PROP: TERMS[i // 3 % 3],
                        SOURCE_LABEL_PROP: SOURCES[i // 4 % 2]}))
    return found


def wanted(keys: dict[RollupKey, int], types: Collection[EventType] | None,
           dims: Collection[Dim], values: Collection[str] | None,
           prefix: str | None) -> dict[RollupKey, int]:
    return {key: count for key, count in keys.items()
            if key.day == DAY and key.hour < 0 and (types is None or key.type in types)
            and key.dim in dims and (values is None or key.value in values)
            and (prefix is None or key.value.startswith(prefix))}


READS: list[tuple[list[EventType] | None, list[Dim], list[str] | None, str | None]] = [
    # An item page's per-item rows: exact ids, one of which starts another's.
    (None, [Dim.CONTENT, Dim.CONTENT_VISIT], ["c1"], None),
    (None, [Dim.CONTENT, Dim.CONTENT_VISIT], ["c1", "c2", "none"], None),
    # An item's breakdowns: the item's prefix (not "c10|...").
    ([CV], [Dim.CONTENT_SEARCH, Dim.CONTENT_SOURCE], None, "c1|"),
    ([CV], [Dim.CONTENT_SEARCH], None, "c1|agent"),
    ([CV], [Dim.CONTENT_SEARCH], ["c1|agent|bedrock", "c1|a"], None),
    # A segment: its total and per-item rows ("source=x" brings "source=x.com" too).
    (None, [Dim.SEGMENT, Dim.SEGMENT_CONTENT_SOURCE], None, "source=x"),
    (None, [Dim.SEGMENT_CONTENT_HOUR], None, "hour=1|"),
    ([CV], [Dim.SEGMENT_CONTENT_HOUR], None, "hour=1"),
    # Both at once, and nothing.
    (None, [Dim.SEGMENT_CONTENT_HOUR], ["hour=10|c1", "hour=10|c2"], "hour=10|c1"),
    (None, [Dim.CONTENT], [], None),
    (None, [Dim.CONTENT], None, "zzz"),
]


@pytest.mark.parametrize(("types", "dims", "values", "prefix"), READS)
def test_a_read_of_some_values_holds_exactly_their_rows(
        event_store: Any, types: list[EventType] | None, dims: list[Dim],
        values: list[str] | None, prefix: str | None) -> None:
    first = events("a", 24)
    event_store.append(first)
    event_store.rollups(DAY, DAY)  # a warm cache must not change the answer

    found = as_dict(event_store.rollups(DAY, DAY, types, dims, values=values, prefix=prefix))
    assert found == wanted(expected(first, EVENT_TZ), types, dims, values, prefix)
    assert values == [] or prefix == "zzz" or found  # each read has an answer to compare

    more = events("b", 12)
    event_store.append(more)
    again = as_dict(event_store.rollups(DAY, DAY, types, dims, values=values, prefix=prefix))
    assert again == wanted(expected(first + more, EVENT_TZ), types, dims, values, prefix)
