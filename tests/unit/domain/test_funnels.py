"""The funnel rule itself: which event is which step, and how a visit moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.domain.analytics import Event, EventType
from services.domain.funnels import (
    DEFAULT_FUNNELS,
    ITEM_FUNNELS,
    ITEM_LIKE,
    Funnel,
    Step,
    StepIndex,
    StepKind,
    advance,
    item_funnel,
    step_matches,
    step_rows,
)

T0 = datetime(2026, 5, 1, 3, tzinfo=UTC)
DOWNLOAD_FINANCE = Step(StepKind.EVENT, "download", category="Finance")
ONE_ITEM = Step(StepKind.EVENT, "download", content_id="c1")


def ev(i: int, type_: EventType, minutes: float = 0, **fields: object) -> Event:
    return Event(f"e{i:03d}", T0 + timedelta(minutes=minutes), type_, "s1", **fields)  # type: ignore[arg-type]


def test_a_step_is_a_page_or_an_event_optionally_narrowed() -> None:
    home = Step(StepKind.PAGE, "home")
    assert step_matches(home, ev(1, EventType.PAGE_VIEW, page="home"))
    assert not step_matches(home, ev(2, EventType.PAGE_VIEW, page="browse"))
    assert not step_matches(home, ev(3, EventType.CONTENT_VIEW, page="home"))
    finance = ev(4, EventType.DOWNLOAD, category="Finance", content_id="c1")
    retail = ev(5, EventType.DOWNLOAD, category="Retail", content_id="c2")
    assert step_matches(DOWNLOAD_FINANCE, finance) and not step_matches(DOWNLOAD_FINANCE, retail)
    assert step_matches(ONE_ITEM, finance) and not step_matches(ONE_ITEM, retail)


def test_a_visit_moves_one_step_at_a_time_in_order_and_inside_the_window() -> None:
    funnel = DEFAULT_FUNNELS[0]  # home -> content view -> download, 30 minutes
    home = ev(1, EventType.PAGE_VIEW, 0, page="home")
    started = advance(funnel, None, home)
    assert started is not None and started.reached == 1
    assert advance(funnel, started, ev(2, EventType.DOWNLOAD, 1)) is started  # out of order
    viewed = advance(funnel, started, ev(3, EventType.CONTENT_VIEW, 2))
    assert viewed is not None and viewed.reached == 2
    assert advance(funnel, viewed, ev(4, EventType.DOWNLOAD, 31)) is viewed  # window closed
    assert advance(funnel, viewed, home) is viewed  # delivered again: behind the cursor


def test_the_index_finds_only_funnels_an_event_can_move() -> None:
    narrowed = Funnel("f", "n", (Step(StepKind.EVENT, "content_view"), DOWNLOAD_FINANCE), 10,
                      owner="ana")
    index = StepIndex([*DEFAULT_FUNNELS, narrowed])
    events = [ev(1, EventType.DOWNLOAD, 1, category="Retail"), ev(2, EventType.LOGIN, 0),
              ev(3, EventType.DOWNLOAD, 2, category="Finance")]

    found = {e.id: sorted(f.id for f in fs) for e, fs in index.candidates(events)}

    assert found == {"e001": ["home-download"], "e003": ["f", "home-download"]}
    assert [e.id for e, _ in index.candidates(reversed(events))] == ["e001", "e003"]


def test_rows_give_conversion_from_step_one_and_drop_off_from_the_previous() -> None:
    rows = step_rows([10, 4, 1], [8, 8, 2])

    assert [(r.visits, r.conversion, r.drop_off, r.previous_visits) for r in rows] == [
        (10, 1.0, None, 8), (4, 0.4, 0.6, 8), (1, 0.1, 0.75, 2)]
    assert step_rows([0, 0], [0, 0])[1].conversion is None


def test_item_funnels_bind_to_the_item_of_each_event() -> None:
    index = StepIndex(DEFAULT_FUNNELS, ITEM_FUNNELS)
    events = [ev(1, EventType.CONTENT_VIEW, content_id="a"),
              ev(2, EventType.CONTENT_VIEW, 1, content_id="b"),
              ev(3, EventType.LIKE, 2, content_id="b"),
              ev(4, EventType.DOWNLOAD, 3),  # no item: no item funnel
              ev(5, EventType.SEARCH, 4, content_id="a")]  # not a step of an item funnel

    found = {event.id: {f.id for f in funnels} for event, funnels in index.candidates(events)}

    assert found["e001"] == {"home-download", "search-success", "view-like", "item-download:a",
                             "item-like:a"}
    assert found["e002"] >= {"item-download:b", "item-like:b"}
    assert found["e003"] == {"view-like", "item-like:b"}
    assert "item-download:" not in " ".join(found.get("e004", set()))
    assert not any(f.startswith("item-") for f in found.get("e005", set()))
    bound = item_funnel(ITEM_LIKE, "b")
    assert [s.content_id for s in bound.steps] == ["b", "b"]
    assert advance(bound, None, events[0]) is None  # another item's view does not enter it
