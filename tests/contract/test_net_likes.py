"""Likes are net (likes minus unlikes) in every number that shows them, on every event store:
the trend's like line adds up to the tile, the tables and the item pages for the same period
and filters."""

from __future__ import annotations

from typing import Any

import pytest

from services.analytics.dashboards import daily_trend, dashboard
from services.analytics.tables import NO_FILTERS, Filters
from services.domain.analytics import EventType, Segment, SegmentKind
from tests.contract.test_segment_filters import AUTHOR_OF, CATALOG, PERIOD, naive, stream

FILTERS = [NO_FILTERS, Filters(author_id="alice"), Filters(category="Finance"),
           Filters(content_id="c2"), Filters(category="Finance", author_id="alice"),
           Filters(segment=Segment(SegmentKind.PURPOSE, "research"))]


def net(found: dict[str, Any]) -> int:
    return int(found["type"][EventType.LIKE] - found["type"][EventType.UNLIKE])


@pytest.mark.parametrize("filters", FILTERS, ids=["none", "author", "category", "item",
                                                  "category+author", "segment"])
def test_the_trends_likes_add_up_to_the_likes_tile(event_store: Any, filters: Filters) -> None:
    event_store.append(stream())
    board = dashboard(event_store, None, PERIOD, filters, catalog=CATALOG)  # type: ignore[arg-type]
    tile = next(k.value for k in board.kpis if k.key == "likes")
    assert int(board.trend[EventType.LIKE.value].sum()) == tile
    alone = daily_trend(event_store, PERIOD, filters, CATALOG)
    assert int(alone[EventType.LIKE.value].sum()) == tile
    previous = next(k.previous for k in board.kpis if k.key == "likes")
    assert int(board.previous_trend[EventType.LIKE.value].sum()) == previous


def test_an_authors_likes_are_the_same_net_number_in_trend_tile_and_tables(
        event_store: Any) -> None:
    events = stream()
    event_store.append(events)
    board = dashboard(event_store, None, PERIOD, Filters(author_id="alice"),  # type: ignore[arg-type]
                      catalog=CATALOG, limit=50)
    wanted = net(naive(events, lambda e: AUTHOR_OF.get(e.content_id or "") == "alice"))
    assert wanted != naive(events, lambda e: AUTHOR_OF.get(e.content_id or "") == "alice")[
        "type"][EventType.LIKE]  # the stream has unlikes: net differs from likes alone
    tile = next(k.value for k in board.kpis if k.key == "likes")
    assert tile == wanted
    assert int(board.trend[EventType.LIKE.value].sum()) == wanted
    assert int(board.top_content["likes"].sum()) == wanted
    assert int(board.authors.set_index("author_id").at["alice", "likes"]) == wanted
