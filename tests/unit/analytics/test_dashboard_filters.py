"""Click to filter, pure parts: the view <-> query parameters round trip (invalid values
ignored and named), and chart selections -> filters."""

from __future__ import annotations

from datetime import date

import pytest

from services.analytics.dashboards import Preset
from services.analytics.tables import Filters
from services.domain.analytics import Segment, SegmentKind
from services.ui.dashboard_filters import (
    Kind,
    Pick,
    View,
    active_kinds,
    filters_with,
    filters_without,
    from_params,
    pick_of,
    to_params,
)
from services.ui.filter_notes import CONTENT_FILTERS, EVERY_FILTER, SEGMENT_FILTERS, note_text

TODAY = date(2026, 3, 10)
AUTHORS = {"alice", "bob"}
RESEARCH = Segment(SegmentKind.PURPOSE, "research")

VIEWS = [
    View(),
    View(Preset.DAYS_30, filters=Filters(category="Finance",
                                         segment=Segment(SegmentKind.PURPOSE,
                                                         "education-training"))),
    View(Preset.CUSTOM, date(2026, 3, 2), date(2026, 3, 2),
         Filters(author_id="alice", content_id="01HXYZ-abc_1")),
    View(Preset.TODAY, filters=Filters(segment=Segment(SegmentKind.HOUR, "9"))),
    View(Preset.DAYS_90, filters=Filters(segment=Segment(SegmentKind.SOURCE, "=cmd|x <b>"))),
    View(Preset.DAYS_7, filters=Filters(segment=Segment(SegmentKind.DEVICE, "mobile"))),
]


@pytest.mark.parametrize("view", VIEWS)
def test_a_link_reproduces_the_view(view: View) -> None:
    assert from_params(to_params(view), TODAY, AUTHORS) == (view, [])


def test_the_link_of_a_view_reads_as_the_issue_shows_it() -> None:
    assert to_params(VIEWS[1]) == {"period": "30d", "category": "Finance",
                                   "purpose": "education-training"}
    assert to_params(VIEWS[2]) == {"period": "custom", "start": "2026-03-02",
                                   "end": "2026-03-02", "author": "alice",
                                   "item": "01HXYZ-abc_1"}
    assert to_params(View()) == {}  # the default view keeps a plain link


@pytest.mark.parametrize("params, ignored", [
    ({"period": "5y"}, ["period"]),
    ({"period": "custom", "start": "2026-03-05", "end": "2026-03-01"}, ["period"]),
    ({"period": "custom", "start": "2026-03-05", "end": "2026-03-11"}, ["period"]),  # future
    ({"period": "custom", "start": "2024-01-01", "end": "2026-03-10"}, ["period"]),  # too long
    ({"period": "custom", "start": "yesterday", "end": "2026-03-10"}, ["period"]),
    ({"category": "Astrology"}, ["category"]),
    ({"author": "mallory"}, ["author"]),
    ({"item": "../../etc"}, ["item"]),
    ({"purpose": "skipped"}, ["purpose"]),
    ({"hour": "24"}, ["hour"]),
    ({"hour": "09"}, ["hour"]),
    ({"device": "fridge"}, ["device"]),
    ({"source": ""}, ["source"]),
])
def test_invalid_values_are_ignored_and_named(params: dict[str, str],
                                              ignored: list[str]) -> None:
    view, found = from_params({**params, "lang": "en"}, TODAY, AUTHORS)
    assert found == ignored
    assert view == View()


def test_one_segment_applies_a_second_is_ignored() -> None:
    view, ignored = from_params({"category": "Finance", "purpose": "research", "hour": "9"},
                                TODAY, AUTHORS)
    assert view.filters == Filters(category="Finance", segment=RESEARCH)
    assert ignored == ["hour"]


# ---- chart selections ------------------------------------------------------------------------


def selection(**point: object) -> dict[str, object]:
    return {"points": [point], "point_indices": [point.get("point_index")], "box": [],
            "lasso": []}


def test_a_bar_click_picks_the_value_of_that_bar() -> None:
    keys = ["c3", "c2", "c1"]  # trace order: the bar chart draws the largest on top
    assert pick_of(selection(point_index=2, x=9, y="Title"), Kind.ITEM, keys) == Pick(
        Kind.ITEM, "c1")
    assert pick_of(selection(point_number=0), Kind.ITEM, keys) == Pick(Kind.ITEM, "c3")


def test_no_point_a_stray_index_or_the_deleted_items_row_picks_nothing() -> None:
    assert pick_of({"points": [], "point_indices": []}, Kind.ITEM, ["c1"]) is None
    assert pick_of(None, Kind.ITEM, ["c1"]) is None
    assert pick_of(selection(point_index=5), Kind.ITEM, ["c1"]) is None
    assert pick_of(selection(point_index=0), Kind.ITEM, [""]) is None  # deleted items' sum


def test_a_trend_point_picks_its_day_and_an_hour_bar_its_hour() -> None:
    assert pick_of(selection(point_index=3, x="2026-03-04"), Kind.DAY) == Pick(
        Kind.DAY, "2026-03-04")
    assert pick_of(selection(point_index=3, x="2026-03-04 00:00"), Kind.DAY) == Pick(
        Kind.DAY, "2026-03-04")
    assert pick_of(selection(point_index=9, x="09"), Kind.HOUR) == Pick(Kind.HOUR, "9")
    assert pick_of(selection(point_index=9, x="soon"), Kind.HOUR) is None


def test_picks_set_filters_and_a_new_segment_replaces_the_old() -> None:
    filters = filters_with(Filters(category="Finance"), Pick(Kind.PURPOSE, "research"))
    assert filters == Filters(category="Finance", segment=RESEARCH)
    filters = filters_with(filters, Pick(Kind.HOUR, "9"))
    assert filters.segment == Segment(SegmentKind.HOUR, "9")
    filters = filters_with(filters, Pick(Kind.ITEM, "c1"))
    filters = filters_with(filters, Pick(Kind.AUTHOR, "bob"))
    assert (filters.content_id, filters.author_id) == ("c1", "bob")
    assert filters_without(filters, Kind.HOUR) == Filters(category="Finance", author_id="bob",
                                                          content_id="c1")
    assert filters_without(filters, Kind.CATEGORY).category is None


def test_a_tab_names_the_active_filters_it_does_not_apply() -> None:
    both = Filters(category="Finance", author_id="bob", segment=RESEARCH)
    assert active_kinds(both) == [Kind.CATEGORY, Kind.AUTHOR, Kind.PURPOSE]
    assert note_text(Filters()) is None  # no filter, no note
    assert note_text(both, EVERY_FILTER) is None  # every filter applies
    assert note_text(both) == (
        "이 탭은 카테고리·작성자·방문 목적 필터를 적용하지 않은 전체 플랫폼 수치입니다.")
    assert note_text(both, CONTENT_FILTERS) == (
        "이 탭은 방문 목적 필터를 적용하지 않습니다. 다른 필터는 적용됩니다.")
    assert note_text(both, SEGMENT_FILTERS, "chart") == (
        "두 번째 차트(페이지 조회·검색)는 카테고리·작성자 필터를 적용하지 않습니다. "
        "다른 필터는 적용됩니다.")
