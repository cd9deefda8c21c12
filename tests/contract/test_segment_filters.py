"""Click-to-filter numbers on every event store: a segment filter (purpose, source, device,
hour) and the item filter give the numbers computed from the raw synthetic events."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.analytics.dashboards import Dashboard, Period, dashboard
from services.analytics.tables import DELETED_ITEMS, Catalog, CatalogItem, Filters
from services.domain.analytics import Event, EventType, Segment, SegmentKind

SEOUL = ZoneInfo("Asia/Seoul")  # the contract factories' zone
PERIOD = Period(date(2026, 3, 2), date(2026, 3, 4))
CATALOG = Catalog([CatalogItem("c1", "One", "Finance", "alice", "Alice"),
                   CatalogItem("c2", "Two", "Finance", "bob", "Bob"),
                   CatalogItem("c3", "Three", "Generative AI", "alice", "Alice")])
ITEMS = ["c1", "c2", "c3", "c9"]  # c9: deleted, no longer in the catalogue
TYPES = [EventType.PAGE_VIEW, EventType.CONTENT_VIEW, EventType.CONTENT_VIEW, EventType.LIKE,
         EventType.UNLIKE, EventType.DOWNLOAD, EventType.SEARCH]
PROPS = {"vp": [None, "research", "customer-demo"], "dev": [None, "mobile", "desktop"],
         "src": [None, "google", "=cmd|x"]}
CATEGORY_OF = {item.id: item.category for item in CATALOG}
AUTHOR_OF = {item.id: item.author_id for item in CATALOG}


def stream(count: int = 240) -> list[Event]:
    """Random events over the period and the one before it, with known visit properties."""
    rng = random.Random(14)
    start = datetime(2026, 2, 27, 0, 0, tzinfo=SEOUL)
    events = []
    for n in range(count):
        type_ = rng.choice(TYPES)
        ts = (start + timedelta(minutes=rng.randrange(6 * 24 * 60))).astimezone(UTC)
        props = {name: value for name, values in PROPS.items()
                 if (value := rng.choice(values)) is not None}
        fields: dict[str, Any] = {"page": "home"} if type_ is EventType.PAGE_VIEW else {}
        if type_ is EventType.SEARCH:
            props["query"] = "bedrock"
        if type_ in (EventType.CONTENT_VIEW, EventType.LIKE, EventType.UNLIKE,
                     EventType.DOWNLOAD):
            item = rng.choice(ITEMS)
            fields = {"content_id": item, "category": CATEGORY_OF.get(item, "Finance"),
                      "author_id": AUTHOR_OF.get(item, "carol")}
        events.append(Event(f"e{n:04d}", ts, type_, f"s{n % 37}", properties=props, **fields))
    return events


def in_segment(event: Event, segment: Segment) -> bool:
    if segment.kind is SegmentKind.HOUR:
        return str(event.ts.astimezone(SEOUL).hour) == segment.value
    prop = {SegmentKind.PURPOSE: "vp", SegmentKind.DEVICE: "dev", SegmentKind.SOURCE: "src"}
    return event.properties.get(prop[segment.kind]) == segment.value


def naive(events: list[Event], keep: Callable[[Event], bool]) -> dict[str, Counter[Any]]:
    """Counts of the period's events that ``keep`` keeps: per type, per day and type, and
    views per item (deleted items summed as one), per category and per author (catalogue)."""
    found: dict[str, Counter[Any]] = {k: Counter() for k in
                                      ("type", "day", "item", "category", "author")}
    for event in events:
        day = event.ts.astimezone(SEOUL).date()
        if not PERIOD.start <= day <= PERIOD.end or not keep(event):
            continue
        found["type"][event.type] += 1
        found["day"][(day, event.type)] += 1
        if event.type is EventType.UNLIKE:  # the trend's like line is net likes
            found["day"][(day, EventType.LIKE)] -= 1
        if event.type is EventType.CONTENT_VIEW and event.content_id:
            known = event.content_id in CATEGORY_OF
            found["item"][event.content_id if known else DELETED_ITEMS] += 1
            if known:
                found["category"][CATEGORY_OF[event.content_id]] += 1
                found["author"][AUTHOR_OF[event.content_id]] += 1
    return found


def shown(board: Dashboard) -> dict[str, Counter[Any]]:
    kpis = {k.key: k.value for k in board.kpis}
    trend = board.trend.set_index("day")
    return {
        "kpis": Counter({key: kpis[key] for key in ("page_views", "content_views", "likes",
                                                     "downloads", "searches")}),
        "day": Counter({(day, EventType(column)): int(trend.at[day, column])
                        for day in trend.index for column in trend.columns
                        if trend.at[day, column]}),
        "item": Counter(dict(zip(board.top_content["content_id"], board.top_content["views"],
                                 strict=True))),
        "category": +Counter(dict(zip(board.categories["category"], board.categories["views"],
                                      strict=True))),
        "author": +Counter(dict(zip(board.authors["author_id"], board.authors["views"],
                                    strict=True))),
    }


def expected_kpis(found: Counter[Any]) -> Counter[str]:
    return Counter({"page_views": found[EventType.PAGE_VIEW],
                    "content_views": found[EventType.CONTENT_VIEW],
                    "likes": found[EventType.LIKE] - found[EventType.UNLIKE],
                    "downloads": found[EventType.DOWNLOAD],
                    "searches": found[EventType.SEARCH]})


SEGMENTS = [Segment(SegmentKind.PURPOSE, "research"), Segment(SegmentKind.DEVICE, "mobile"),
            Segment(SegmentKind.SOURCE, "=cmd|x"), Segment(SegmentKind.HOUR, "9")]


@pytest.mark.parametrize("segment", SEGMENTS, ids=lambda s: s.key)
def test_a_segment_filter_counts_what_the_raw_events_of_the_segment_add_up_to(
        event_store: Any, segment: Segment) -> None:
    events = stream()
    event_store.append(events)
    board = dashboard(event_store, None, PERIOD, Filters(segment=segment),  # type: ignore[arg-type]
                      catalog=CATALOG, limit=50)
    found, got = naive(events, lambda e: in_segment(e, segment)), shown(board)
    assert found["type"][EventType.CONTENT_VIEW] > 0  # the segment is not empty
    assert got["kpis"] == expected_kpis(found["type"])
    tracked = {EventType(c) for c in board.trend.columns if c != "day"}
    assert got["day"] == Counter({k: v for k, v in found["day"].items()
                                  if k[1] in tracked and v})
    assert +got["item"] == found["item"]
    assert got["category"] == found["category"]
    assert got["author"] == found["author"]
    unsplit = {k.key: (k.value, k.unsplit) for k in board.kpis if k.unsplit}
    assert unsplit == {"visitors": (None, True), "purpose_skip_rate": (None, True)}


CONTENT_LINES = (EventType.CONTENT_VIEW, EventType.DOWNLOAD, EventType.LIKE)


@pytest.mark.parametrize(("filters", "keep"), [
    (Filters(category="Finance"), lambda e: CATEGORY_OF.get(e.content_id or "") == "Finance"),
    (Filters(author_id="alice"), lambda e: AUTHOR_OF.get(e.content_id or "") == "alice"),
    (Filters(content_id="c2"), lambda e: e.content_id == "c2"),
    (Filters(category="Finance", author_id="alice"), lambda e: e.content_id == "c1"),
], ids=["category", "author", "item", "category+author"])
@pytest.mark.parametrize("segment", [Segment(SegmentKind.PURPOSE, "customer-demo"),
                                     Segment(SegmentKind.HOUR, "9")], ids=lambda s: s.key)
def test_a_segment_and_a_content_filter_together(
        event_store: Any, filters: Filters, keep: Callable[[Event], bool],
        segment: Segment) -> None:
    events = stream()
    event_store.append(events)
    filters = Filters(filters.category, filters.author_id, filters.content_id, segment)
    board = dashboard(event_store, None, PERIOD, filters, catalog=CATALOG)  # type: ignore[arg-type]
    found = naive(events, lambda e: in_segment(e, segment) and keep(e))
    kpis = {k.key: k.value for k in board.kpis}
    assert kpis["content_views"] == found["type"][EventType.CONTENT_VIEW]
    assert +shown(board)["item"] == found["item"]
    # The trend's content lines are the segment's share of the filtered items, day by day.
    lines = Counter({k: v for k, v in shown(board)["day"].items() if k[1] in CONTENT_LINES})
    assert lines == Counter({k: v for k, v in found["day"].items()
                             if k[1] in CONTENT_LINES and v})
    assert sum(lines.values()) > 0


def test_the_item_filter_scopes_the_content_numbers_to_one_item(event_store: Any) -> None:
    events = stream()
    event_store.append(events)
    board = dashboard(event_store, None, PERIOD, Filters(content_id="c2"),  # type: ignore[arg-type]
                      catalog=CATALOG)
    found = naive(events, lambda e: e.content_id == "c2")
    everything = naive(events, lambda e: True)
    kpis = {k.key: k.value for k in board.kpis}
    assert kpis["content_views"] == found["type"][EventType.CONTENT_VIEW]
    assert kpis["page_views"] == everything["type"][EventType.PAGE_VIEW]  # platform-wide
    got = shown(board)
    assert +got["item"] == found["item"]
    assert got["category"] == found["category"] and got["author"] == found["author"]


def searches() -> list[Event]:
    """One search at 03:xx by a visitor who answered "research", then twenty searches at
    12:xx of visitors who did not answer, that all found nothing."""
    day = datetime(2026, 3, 3, 3, 15, tzinfo=SEOUL)
    found = [Event("q00", day.astimezone(UTC), EventType.SEARCH, "s1",
                   properties={"query": "bedrock", "results": 4, "vp": "research"})]
    noon = day.replace(hour=12)
    found += [Event(f"q{n:02d}", (noon + timedelta(minutes=n)).astimezone(UTC),
                    EventType.SEARCH, f"s{n + 1}", properties={"query": "quantum", "results": 0})
              for n in range(1, 21)]
    return found


@pytest.mark.parametrize("segment", [Segment(SegmentKind.HOUR, "3"),
                                     Segment(SegmentKind.PURPOSE, "research")],
                         ids=lambda s: s.key)
def test_the_search_tab_counts_every_number_in_one_scope_under_a_segment(
        event_store: Any, segment: Segment) -> None:
    event_store.append(searches())
    board = dashboard(event_store, None, PERIOD, Filters(segment=segment),  # type: ignore[arg-type]
                      catalog=CATALOG)
    found = board.search
    # Terms are not split by segment: the total and the zero-result count beside them are the
    # whole platform's too (the tab says which filters it does not apply).
    assert found.zero_total <= found.total and int(found.top["searches"].sum()) <= found.total
    assert (found.total, found.zero_total) == (21, 20)
    assert dict(zip(found.top["term"], found.top["searches"], strict=True)) == {
        "quantum": 20, "bedrock": 1}
    # The searches tile is the segment's own.
    assert next(k.value for k in board.kpis if k.key == "searches") == 1
