"""EventStore contract: every adapter registered in conftest must pass all of these.

The stores bucket by local day in ``EVENT_TZ`` (Asia/Seoul, UTC+9, no DST) unless built with
another zone; expected rollups are recomputed from the raw events with ``rollup_keys``, the one
definition of what an event counts for.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.domain.analytics import (
    WHOLE_DAY,
    Dim,
    Event,
    EventType,
    Purpose,
    RollupKey,
    RollupRow,
    local_day_hour,
)
from services.domain.hll import PRECISION
from services.domain.rollups import rollup_keys
from tests.contract.conftest import EVENT_STORES
from tests.contract.local_backends import EVENT_TZ

T0 = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)  # 23:30 in Seoul: one hour before a local midnight
D1, D2 = date(2026, 3, 1), date(2026, 3, 2)
EXAMPLES = {"sqlite": 60, "dynamodb": 10}  # moto copies whole tables per transaction: keep it small


def ev(event_id: str, minutes: float, type_: EventType, **fields: Any) -> Event:
    fields.setdefault("session_id", "s1")
    return Event(id=event_id, ts=T0 + timedelta(minutes=minutes), type=type_, **fields)


def backend(request: pytest.FixtureRequest) -> str:
    params = request.node.callspec.params
    return str(params.get("event_store") or params.get("utc_event_store"))


def as_dict(rows: Iterable[RollupRow]) -> dict[RollupKey, int]:
    found: dict[RollupKey, int] = {}
    for row in rows:
        assert row.key not in found, f"duplicate row {row.key}"
        found[row.key] = row.count
    return found


def expected(events: Iterable[Event], tz: tzinfo) -> Counter[RollupKey]:
    counts: Counter[RollupKey] = Counter()
    for event in events:
        counts.update(rollup_keys(event, tz))
    return counts


def all_rows(store: Any, start: date, end: date) -> dict[RollupKey, int]:
    return as_dict([*store.rollups(start, end), *store.rollups(start, end, hourly=True)])


# ---- a small stream whose answers are worked out by hand ---------------------------------

SMALL = [
    # 23:30 Seoul on 1 March, then 00:10 on 2 March: the UTC day is the same, the local is not.
    ev("e01", 0, EventType.CONTENT_VIEW, content_id="c1", category="Finance", author_id="a1"),
    ev("e02", 40, EventType.CONTENT_VIEW, content_id="c1", category="Finance", author_id="a1",
       user_id="kim"),
    ev("e03", 41, EventType.LIKE, content_id="c1", category="Finance", author_id="a1",
       user_id="kim"),
    ev("e04", 42, EventType.SEARCH, session_id="s2", properties={"query": "Bedrock  Agent",
                                                                   "results": 0}),
    ev("e05", 43, EventType.SEARCH, session_id="s2", properties={"query": "bedrock agent",
                                                                   "results": 3}),
    ev("e06", 44, EventType.VISITOR_PURPOSE, session_id="s2", properties={}),
    ev("e07", 45, EventType.VISITOR_PURPOSE, session_id="s3",
       properties={"purpose": "customer-demo"}),
    ev("e08", 46, EventType.PAGE_VIEW, session_id="s3", page="home"),
    ev("e09", 47, EventType.LOGIN, user_id="kim"),
]


def test_a_small_stream_gives_the_hand_computed_rollups(event_store: Any) -> None:
    assert len(event_store.append(SMALL)) == 9

    day1 = as_dict(event_store.rollups(D1, D1))
    day2 = as_dict(event_store.rollups(D2, D2))

    cv = EventType.CONTENT_VIEW
    assert day1 == {
        RollupKey(D1, WHOLE_DAY, cv, Dim.ALL, ""): 1,
        RollupKey(D1, WHOLE_DAY, cv, Dim.CONTENT, "c1"): 1,
        RollupKey(D1, WHOLE_DAY, cv, Dim.CATEGORY, "Finance"): 1,
        RollupKey(D1, WHOLE_DAY, cv, Dim.AUTHOR, "a1"): 1,
        # Each item's events by local hour (the hour segment, for click-to-filter).
        RollupKey(D1, WHOLE_DAY, cv, Dim.SEGMENT_CONTENT_HOUR, "hour=23|c1"): 1,
    }
    search, purpose, like = EventType.SEARCH, EventType.VISITOR_PURPOSE, EventType.LIKE
    assert day2 == {
        RollupKey(D2, WHOLE_DAY, cv, Dim.ALL, ""): 1,
        RollupKey(D2, WHOLE_DAY, cv, Dim.CONTENT, "c1"): 1,
        RollupKey(D2, WHOLE_DAY, cv, Dim.CATEGORY, "Finance"): 1,
        RollupKey(D2, WHOLE_DAY, cv, Dim.AUTHOR, "a1"): 1,
        RollupKey(D2, WHOLE_DAY, like, Dim.ALL, ""): 1,
        RollupKey(D2, WHOLE_DAY, like, Dim.CONTENT, "c1"): 1,
        RollupKey(D2, WHOLE_DAY, like, Dim.CATEGORY, "Finance"): 1,
        RollupKey(D2, WHOLE_DAY, like, Dim.AUTHOR, "a1"): 1,
        RollupKey(D2, WHOLE_DAY, cv, Dim.SEGMENT_CONTENT_HOUR, "hour=0|c1"): 1,
        RollupKey(D2, WHOLE_DAY, like, Dim.SEGMENT_CONTENT_HOUR, "hour=0|c1"): 1,
        RollupKey(D2, WHOLE_DAY, search, Dim.ALL, ""): 2,
        # Terms are case-folded with single spaces; only the zero-result search is a gap.
        RollupKey(D2, WHOLE_DAY, search, Dim.SEARCH_TERM, "bedrock agent"): 2,
        RollupKey(D2, WHOLE_DAY, search, Dim.ZERO_RESULT_TERM, "bedrock agent"): 1,
        RollupKey(D2, WHOLE_DAY, purpose, Dim.ALL, ""): 2,
        RollupKey(D2, WHOLE_DAY, purpose, Dim.PURPOSE, Purpose.SKIPPED): 1,
        RollupKey(D2, WHOLE_DAY, purpose, Dim.PURPOSE, "customer-demo"): 1,
        RollupKey(D2, WHOLE_DAY, EventType.PAGE_VIEW, Dim.ALL, ""): 1,
        RollupKey(D2, WHOLE_DAY, EventType.PAGE_VIEW, Dim.PAGE, "home"): 1,
        RollupKey(D2, WHOLE_DAY, EventType.LOGIN, Dim.ALL, ""): 1,
    }


def test_hourly_rows_are_per_local_hour_totals(event_store: Any) -> None:
    event_store.append(SMALL)

    hourly = as_dict(event_store.rollups(D1, D2, hourly=True))

    assert hourly == {
        RollupKey(D1, 23, EventType.CONTENT_VIEW, Dim.ALL, ""): 1,
        RollupKey(D2, 0, EventType.CONTENT_VIEW, Dim.ALL, ""): 1,
        RollupKey(D2, 0, EventType.LIKE, Dim.ALL, ""): 1,
        RollupKey(D2, 0, EventType.SEARCH, Dim.ALL, ""): 2,
        RollupKey(D2, 0, EventType.VISITOR_PURPOSE, Dim.ALL, ""): 2,
        RollupKey(D2, 0, EventType.PAGE_VIEW, Dim.ALL, ""): 1,
        RollupKey(D2, 0, EventType.LOGIN, Dim.ALL, ""): 1,
    }
    assert event_store.rollups(D1, D2, dims=[Dim.CONTENT], hourly=True) == []


def test_filters_select_types_dims_and_days(event_store: Any) -> None:
    event_store.append(SMALL)

    content = as_dict(event_store.rollups(D1, D2, types=[EventType.CONTENT_VIEW],
                                          dims=[Dim.CONTENT]))
    likes_and_views = as_dict(event_store.rollups(
        D2, D2, types={EventType.CONTENT_VIEW, EventType.LIKE}, dims={Dim.ALL, Dim.AUTHOR}))

    assert content == {
        RollupKey(D1, WHOLE_DAY, EventType.CONTENT_VIEW, Dim.CONTENT, "c1"): 1,
        RollupKey(D2, WHOLE_DAY, EventType.CONTENT_VIEW, Dim.CONTENT, "c1"): 1,
    }
    assert set(likes_and_views.values()) == {1} and len(likes_and_views) == 4
    assert event_store.rollups(D2, D1) == []
    assert event_store.rollups(D1, D2, types=[]) == []
    assert event_store.rollups(D2 + timedelta(days=1), D2 + timedelta(days=30)) == []


def test_re_appending_changes_nothing(event_store: Any) -> None:
    assert len(event_store.append(SMALL[:4])) == 4
    before = all_rows(event_store, D1, D2)

    assert len(event_store.append(SMALL[:4])) == 0
    assert all_rows(event_store, D1, D2) == before
    assert len(event_store.append([SMALL[0], SMALL[4], SMALL[4]])) == 1  # repeats in a batch too
    assert len(event_store.append([])) == 0

    assert all_rows(event_store, D1, D2) == dict(expected(SMALL[:5], EVENT_TZ))


def test_visitors_are_browser_visits_signed_in_or_not_and_ranges_union_days(
    event_store: Any,
) -> None:
    event_store.append(SMALL)

    # Day 1: visit s1. Day 2: s1 again, now signed in as kim (still one visitor), s2 and s3.
    assert event_store.visitors(D1, D1).estimate() == 1
    assert event_store.visitors(D2, D2).estimate() == 3
    assert event_store.visitors(D1, D2).estimate() == 3  # s1 on both days counts once
    assert event_store.visitors(D2 + timedelta(days=1), D2 + timedelta(days=9)).is_empty()


def test_raw_events_come_back_whole_in_time_order(event_store: Any) -> None:
    shuffled = [SMALL[5], SMALL[0], SMALL[8], *SMALL[1:5], SMALL[7], SMALL[6]]
    korean = ev("e10", 50, EventType.SEARCH, properties={"query": "생성형 AI", "results": 2,
                                                          "filters": {"tags": ["rag"]}})
    event_store.append([*shuffled, korean])

    everything = list(event_store.raw_events(T0, T0 + timedelta(days=1)))
    window = list(event_store.raw_events(T0 + timedelta(minutes=40), T0 + timedelta(minutes=43)))

    assert everything == [*SMALL, korean]
    assert [e.id for e in window] == ["e02", "e03", "e04"]  # since inclusive, until exclusive
    assert everything[0].ts.tzinfo is not None
    assert list(event_store.raw_events(T0 + timedelta(days=1), T0)) == []


# ---- random streams (hypothesis) -------------------------------------------------------------

SESSIONS = [f"session-{i}" for i in range(10)]
USERS = [f"user-{i}" for i in range(8)]
CONTENTS = [("c1", "Finance", "a1"), ("c2", "Retail/CPG", "a1"), ("c3", "Generative AI", "a2"),
            ("c4", "ETC", "a3")]
PAGES = ["home", "browse", "content", "search", "dashboard"]
TERMS = ["Bedrock", "bedrock ", "생성형 AI", "  생성형   ai", "RAG pipeline", "없는 검색어", ""]
PURPOSES = [*(p.value for p in Purpose), None, ""]
SPAN_MINUTES = 3 * 24 * 60  # a stream covers three UTC days, hence four local days at most


def test_the_visitor_pool_has_no_two_ids_in_one_register() -> None:
    """Why the property test may demand exact visitor counts: with no shared register, the
    sketch's linear counting is exact for these few ids (any subset of them)."""
    from services.domain.hll import HyperLogLog

    ids = [f"u:{u}" for u in USERS] + [f"s:{s}" for s in SESSIONS]
    registers = set()
    for visitor in ids:
        sketch = HyperLogLog()
        sketch.add(visitor)
        registers.add(next(i for i, r in enumerate(sketch.registers) if r))
    assert len(registers) == len(ids) and PRECISION == 14


@st.composite
def one_event(draw: st.DrawFn) -> dict[str, Any]:
    type_ = draw(st.sampled_from(list(EventType)))
    content = draw(st.none() | st.sampled_from(CONTENTS))
    props: dict[str, Any] = {}
    if type_ == EventType.SEARCH:
        props = {"query": draw(st.sampled_from(TERMS)), "results": draw(st.integers(0, 3))}
    elif type_ == EventType.VISITOR_PURPOSE:
        purpose = draw(st.sampled_from(PURPOSES))
        props = {} if purpose is None else {"purpose": purpose}
    return {
        "type": type_,
        "offset": timedelta(minutes=draw(st.integers(0, SPAN_MINUTES)),
                            microseconds=draw(st.integers(0, 999_999))),
        "session_id": draw(st.sampled_from(SESSIONS)),
        "user_id": draw(st.none() | st.sampled_from(USERS)),
        "page": draw(st.none() | st.sampled_from(PAGES)),
        "content_id": content and content[0],
        "category": content and content[1],
        "author_id": content and content[2],
        "properties": props,
    }


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[Event], list[list[Event]]]:
    """(distinct events, the batches they arrive in, with repeats: retries and duplicates)."""
    specs = draw(st.lists(one_event(), max_size=40))
    example = next(_EXAMPLE)
    base = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=5 * example)
    prefix = f"x{example}-"
    events = [
        Event(id=f"{prefix}{i:03d}", ts=base + spec.pop("offset"), **spec)
        for i, spec in enumerate(specs)
    ]
    repeats = draw(st.lists(st.sampled_from(events), max_size=8)) if events else []
    arrival = draw(st.permutations([*events, *repeats]))
    cuts = sorted(draw(st.lists(st.integers(0, len(arrival)), max_size=4)))
    bounds = [0, *cuts, len(arrival)]
    return events, [arrival[a:b] for a, b in itertools.pairwise(bounds)]


# Every example gets its own days and ids, so one store serves all examples of a test.
_EXAMPLE = itertools.count()


def check_random_streams(store: Any, tz: tzinfo, examples: int) -> None:
    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(stream=streams(), data=st.data())
    def check(stream: tuple[list[Event], list[list[Event]]], data: st.DataObject) -> None:
        events, batches = stream
        if not events:
            assert sum(len(store.append(batch)) for batch in batches) == 0
            return
        assert sum(len(store.append(batch)) for batch in batches) == len(events)
        first, last = _local_span(events, tz)
        want = expected(events, tz)

        assert all_rows(store, first, last) == dict(want)
        _check_filters(store, first, last, want, data)
        _check_visitors(store, events, tz, first, last, data)
        _check_raw(store, events, data)
        assert len(store.append([e for batch in batches for e in batch])) == 0
        assert all_rows(store, first, last) == dict(want)

    check()


def _local_span(events: Sequence[Event], tz: tzinfo) -> tuple[date, date]:
    days = [local_day_hour(e.ts, tz)[0] for e in events]
    return min(days), max(days)


def _check_filters(store: Any, first: date, last: date, want: Counter[RollupKey],
                   data: st.DataObject) -> None:
    types = data.draw(st.sets(st.sampled_from(list(EventType)), max_size=3), label="types")
    dims = data.draw(st.sets(st.sampled_from(list(Dim)), max_size=3), label="dims")
    day = first + timedelta(days=data.draw(st.integers(0, (last - first).days), label="day"))
    got = as_dict(store.rollups(day, day, types=types, dims=dims))
    assert got == {k: n for k, n in want.items() if k.hour == WHOLE_DAY and k.type in types
                   and k.dim in dims and k.day == day}


def _check_visitors(store: Any, events: Sequence[Event], tz: tzinfo, first: date, last: date,
                    data: st.DataObject) -> None:
    # Days are drawn as offsets: each example has its own dates (see _EXAMPLE), and hypothesis
    # must see the same choices when it replays an example.
    span = (last - first).days
    start = first + timedelta(days=data.draw(st.integers(0, span), label="from"))
    end = start + timedelta(days=data.draw(st.integers(0, (last - start).days), label="to"))
    exact = {e.visitor_id for e in events if start <= local_day_hour(e.ts, tz)[0] <= end}
    assert store.visitors(start, end).estimate() == len(exact)


def _check_raw(store: Any, events: Sequence[Event], data: st.DataObject) -> None:
    ordered = sorted(events, key=lambda e: (e.ts, e.id))
    assert list(store.raw_events(ordered[0].ts, ordered[-1].ts + timedelta(seconds=1))) == ordered
    since = data.draw(st.sampled_from(ordered), label="since").ts
    until = since + timedelta(hours=data.draw(st.integers(0, 30), label="hours"))
    window = [e for e in ordered if since <= e.ts < until]
    assert list(store.raw_events(since, until)) == window


def test_rollups_equal_a_recomputation_from_raw_events(
    event_store: Any, request: pytest.FixtureRequest
) -> None:
    check_random_streams(event_store, EVENT_TZ, EXAMPLES[backend(request)])


@pytest.fixture(params=sorted(EVENT_STORES))
def utc_event_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with EVENT_STORES[request.param](tmp_path, tz=UTC) as store:  # type: ignore[call-arg]
        yield store


def test_rollups_follow_the_store_time_zone(
    utc_event_store: Any, request: pytest.FixtureRequest
) -> None:
    check_random_streams(utc_event_store, UTC, max(5, EXAMPLES[backend(request)] // 2))


VISITORS = {"sqlite": 20_000, "dynamodb": 1_500}  # moto again: every transaction copies tables


def test_many_visitors_are_estimated_within_the_sketch_error(
    event_store: Any, request: pytest.FixtureRequest
) -> None:
    total = VISITORS[backend(request)]
    events = [  # one page view per visitor, spread over three local days
        ev(f"v{i:05d}", (i % 3) * 1440 + 60, EventType.PAGE_VIEW, session_id=f"visitor-{i}",
           page="home")
        for i in range(total)
    ]
    for i in range(0, total, 500):
        event_store.append(events[i : i + 500])

    whole = event_store.visitors(D2, D2 + timedelta(days=2)).estimate()
    one_day = event_store.visitors(D2, D2).estimate()

    # Three standard errors of precision 14 (1.04 / 128 = 0.81%); the hashes are
    # deterministic, so this cannot flake.
    assert abs(whole - total) <= 3 * 0.0081 * total
    assert abs(one_day - total / 3) <= 3 * 0.0081 * total / 3


def test_forgetting_a_user_keeps_the_events_and_the_rollups_without_the_user_id(
    event_store: Any,
) -> None:
    """A deleted account: its events stay (dashboards keep their totals), nobody's id on them."""
    events = [
        ev("f1", 0, EventType.PAGE_VIEW, user_id="gone", page="home"),
        ev("f2", 90, EventType.CONTENT_VIEW, user_id="gone", content_id="c1", category="etc"),
        ev("f3", 5, EventType.PAGE_VIEW, user_id="stays", page="home"),
    ]
    event_store.append(events)
    rollups_before = as_dict(event_store.rollups(D1, D2))
    visitors_before = event_store.visitors(D1, D2).estimate()
    window = (T0 - timedelta(days=1), T0 + timedelta(days=2))

    assert event_store.forget_user("gone", *window) == 2

    raw = {e.id: e.user_id for e in event_store.raw_events(*window)}
    assert raw == {"f1": None, "f2": None, "f3": "stays"}
    assert as_dict(event_store.rollups(D1, D2)) == rollups_before
    assert event_store.visitors(D1, D2).estimate() == visitors_before
    assert event_store.forget_user("gone", *window) == 0
