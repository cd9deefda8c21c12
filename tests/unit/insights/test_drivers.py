"""Drivers of a change: contributions add up to the change exactly, for counts and rates."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from services.analytics.dashboards import Period
from services.domain.analytics import Dim, EventType
from services.domain.rollups import fold_item_segments
from services.insights.analysis import Insights
from services.insights.anomalies import AnomalyReport
from services.insights.cube import ITEM_SEGMENT_DIMS, DayCube
from services.insights.drivers import (
    REST,
    Drivers,
    count_drivers,
    period_weights,
    rate_drivers,
)
from services.insights.metrics import COUNTS, RATES, CountMetric, RateMetric
from tests.unit.insights.rollups import CV, ITEMS, Book

START = date(2026, 5, 1)
DAYS = 14  # two periods of seven days
BEFORE = (START, START + timedelta(days=6))
AFTER = (START + timedelta(days=7), START + timedelta(days=13))


def metric(key: str) -> CountMetric:
    return next(m for m in COUNTS if m.key == key)


def rate(key: str) -> RateMetric:
    return next(m for m in RATES if m.key == key)


def sides(cube: DayCube) -> tuple:  # type: ignore[type-arg]
    return period_weights(cube, *BEFORE), period_weights(cube, *AFTER)


def random_book(seed: int) -> Book:
    rng = random.Random(seed)
    book = Book()
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        for item, (category, author) in ITEMS.items():
            for type_ in (CV, EventType.LIKE, EventType.UNLIKE, EventType.DOWNLOAD):
                book.add(day, type_, rng.randint(0, 30), category=category, item=item,
                         author=author)
        # Events with no category (an old item): the REST of the category split.
        book.add(day, CV, rng.randint(0, 5), item="old", author="a9")
    return book


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("key", ["content_views", "likes", "downloads"])
def test_count_contributions_add_up_to_the_change_in_every_dimension(seed: int,
                                                                      key: str) -> None:
    cube = DayCube(random_book(seed).rows(), START, AFTER[1])
    found = count_drivers(metric(key), cube, *sides(cube))
    assert found.change is not None
    assert set(found.by_dim) == {"category", "content", "author"}
    for rows in found.by_dim.values():
        assert sum(c.change for c in rows) == found.change  # integers: exactly
        assert sum(c.share for c in rows if c.share is not None) == pytest.approx(1.0)


def test_likes_are_net_and_the_item_without_a_category_is_the_rest() -> None:
    book = Book()
    book.add(BEFORE[0], EventType.LIKE, 5, category="Finance", item="i1", author="a1")
    book.add(AFTER[0], EventType.LIKE, 9, category="Finance", item="i1", author="a1")
    book.add(AFTER[0], EventType.UNLIKE, 1, category="Finance", item="i1", author="a1")
    book.add(AFTER[0], EventType.LIKE, 2, item="old")
    cube = DayCube(book.rows(), START, AFTER[1])
    found = count_drivers(metric("likes"), cube, *sides(cube))
    assert (found.before, found.after) == (5, 10)
    category = {c.value: c.change for c in found.by_dim["category"]}
    assert category == {"Finance": 3, REST: 2}


def test_one_item_explains_its_categorys_rise() -> None:
    book = Book()
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        for item, (category, author) in ITEMS.items():
            extra = 40 if item == "i2" and day >= AFTER[0] else 0
            book.add(day, CV, 20 + extra, category=category, item=item, author=author)
    cube = DayCube(book.rows(), START, AFTER[1])
    found = count_drivers(metric("content_views"), cube, *sides(cube))
    top = found.top(3)
    assert {(c.dim, c.value) for c in top} == {("category", "Finance"), ("content", "i2"),
                                               ("author", "a2")}
    assert all(c.share == pytest.approx(1.0) for c in top)
    assert found.top(sign=-1) == []


@pytest.mark.parametrize("seed", [4, 5, 6])
@pytest.mark.parametrize("key", ["likes_per_view", "downloads_per_view"])
def test_rate_mix_and_rate_effects_add_up_to_the_change(seed: int, key: str) -> None:
    cube = DayCube(random_book(seed).rows(), START, AFTER[1])
    found = rate_drivers(rate(key), cube, *sides(cube))
    assert found.change is not None
    assert set(found.by_dim) == {"category", "content", "author"}
    for rows in found.by_dim.values():
        for c in rows:
            assert c.mix is not None and c.rate is not None
            assert c.mix + c.rate == pytest.approx(c.change, abs=1e-12)
        assert sum(c.change for c in rows) == pytest.approx(found.change, abs=1e-12)


def test_a_pure_mix_shift_has_no_rate_effect_and_a_pure_rate_shift_no_mix() -> None:
    book = Book()
    # Finance converts at 50%, Retail at 10%, in both periods; the views move to Finance.
    for day, fin, ret in ((BEFORE[0], 100, 300), (AFTER[0], 300, 100)):
        book.add(day, CV, fin, category="Finance")
        book.add(day, EventType.LIKE, fin // 2, category="Finance")
        book.add(day, CV, ret, category="Retail")
        book.add(day, EventType.LIKE, ret // 10, category="Retail")
    cube = DayCube(book.rows(), START, AFTER[1])
    found = rate_drivers(rate("likes_per_view"), cube, *sides(cube))
    rows = found.by_dim["category"]
    assert sum(c.rate or 0 for c in rows) == pytest.approx(0.0, abs=1e-12)
    assert sum(c.mix or 0 for c in rows) == pytest.approx(found.change)

    book = Book()  # same views, Retail's rate doubles
    for day, ret_likes in ((BEFORE[0], 10), (AFTER[0], 20)):
        book.add(day, CV, 100, category="Finance")
        book.add(day, EventType.LIKE, 50, category="Finance")
        book.add(day, CV, 100, category="Retail")
        book.add(day, EventType.LIKE, ret_likes, category="Retail")
    cube = DayCube(book.rows(), START, AFTER[1])
    found = rate_drivers(rate("likes_per_view"), cube, *sides(cube))
    retail = next(c for c in found.by_dim["category"] if c.value == "Retail")
    assert retail.mix == pytest.approx(0.0)
    assert retail.rate == pytest.approx(0.05) == pytest.approx(found.change or 0)


def test_a_segment_on_one_side_only_is_all_mix() -> None:
    book = Book()
    book.add(BEFORE[0], CV, 100, category="Finance")
    book.add(BEFORE[0], EventType.LIKE, 10, category="Finance")
    book.add(AFTER[0], CV, 100, category="Finance")
    book.add(AFTER[0], EventType.LIKE, 10, category="Finance")
    book.add(AFTER[0], CV, 100, category="Retail")
    book.add(AFTER[0], EventType.LIKE, 40, category="Retail")
    cube = DayCube(book.rows(), START, AFTER[1])
    found = rate_drivers(rate("likes_per_view"), cube, *sides(cube))
    rows = {c.value: c for c in found.by_dim["category"]}
    assert rows["Retail"].rate == 0.0 and rows["Retail"].mix == pytest.approx(0.2)
    assert sum(c.change for c in rows.values()) == pytest.approx(found.change or 0)
    assert found.change == pytest.approx(0.25 - 0.1)


def test_zero_result_rate_splits_by_term_and_skip_rate_is_one_whole() -> None:
    book = Book()
    for day, zero in ((BEFORE[0], 1), (AFTER[0], 6)):
        book.add(day, EventType.SEARCH, 20)
        book.add_row(day, EventType.SEARCH, Dim.SEARCH_TERM, "bedrock", 10)
        book.add_row(day, EventType.SEARCH, Dim.SEARCH_TERM, "qwerty", 10)
        book.add_row(day, EventType.SEARCH, Dim.ZERO_RESULT_TERM, "qwerty", zero)
        book.add(day, EventType.VISITOR_PURPOSE, 10)
        book.add_row(day, EventType.VISITOR_PURPOSE, Dim.PURPOSE, "skipped", zero)
        book.add_row(day, EventType.VISITOR_PURPOSE, Dim.PURPOSE, "research", 10 - zero)
    cube = DayCube(book.rows(), START, AFTER[1])
    zero = rate_drivers(rate("zero_result_rate"), cube, *sides(cube))
    assert zero.change == pytest.approx(0.25)
    assert zero.top(1)[0].value == "qwerty" and zero.top(1)[0].rate == pytest.approx(0.25)
    skip = rate_drivers(rate("purpose_skip_rate"), cube, *sides(cube))
    assert skip.change == pytest.approx(0.5)
    assert [c.rate for c in skip.by_dim["all"]] == [pytest.approx(0.5)]


def test_a_new_dimension_in_the_rollups_is_a_driver_dimension_without_code_changes() -> None:
    book = Book()
    book.add(BEFORE[0], EventType.PAGE_VIEW, 10)
    book.add(AFTER[0], EventType.PAGE_VIEW, 30)
    book.add_row(AFTER[0], EventType.PAGE_VIEW, Dim.PAGE, "home", 25)
    book.add_row(BEFORE[0], EventType.PAGE_VIEW, Dim.PAGE, "home", 10)
    cube = DayCube(book.rows(), START, AFTER[1])
    found = count_drivers(metric("page_views"), cube, *sides(cube))
    assert list(found.by_dim) == ["page"]
    assert {c.value: c.change for c in found.by_dim["page"]} == {"home": 15, REST: 5}


def test_visit_counts_and_pairs_are_no_driver_dimensions_and_segments_fold() -> None:
    """Rows that count visits, or the same events again per item pair, must not show as
    drivers (they would be raw keys, and add up to more than the change); the per-item segment
    rows show folded into their kind's values, never as raw "<kind>=<value>|<id>" keys."""
    book = Book()
    book.add(BEFORE[0], EventType.CONTENT_VIEW, 10)
    book.add(AFTER[0], EventType.CONTENT_VIEW, 30)
    for day, n in ((BEFORE[0], 10), (AFTER[0], 30)):
        book.add_row(day, EventType.CONTENT_VIEW, Dim.CATEGORY, "Finance", n)
        book.add_row(day, EventType.CONTENT_VIEW, Dim.SEGMENT_CONTENT_DEVICE,
                     "device=mobile|item-1", n)
        book.add_row(day, EventType.CONTENT_VIEW, Dim.CONTENT_VISIT, "item-1", n // 2)
        book.add_row(day, EventType.CONTENT_VIEW, Dim.DEVICE, "mobile", 1)
    rows = book.rows()  # read as the service does: per-item segment rows summed over items
    item_rows = [r for r in rows if r.key.dim in ITEM_SEGMENT_DIMS]
    read = [r for r in rows if r.key.dim not in ITEM_SEGMENT_DIMS]
    cube = DayCube(read + fold_item_segments(item_rows), START, AFTER[1])
    found = count_drivers(metric("content_views"), cube, *sides(cube))
    assert list(found.by_dim) == ["category", "visit_device"]
    assert [(c.value, c.change) for c in found.by_dim["visit_device"]] == [("mobile", 20.0)]


def test_a_rate_without_a_denominator_has_no_drivers() -> None:
    cube = DayCube(Book().rows(), START, AFTER[1])
    found = rate_drivers(rate("likes_per_view"), cube, *sides(cube))
    assert found.change is None and found.by_dim == {}


def test_the_headline_is_the_largest_change_of_a_sizable_kpi() -> None:
    def kpi(key: str, before: float, after: float) -> Drivers:
        return Drivers(key, "count", before, after, {"category": ()})

    period = Period(*AFTER)
    found = Insights(period, (kpi("likes", 1, 5), kpi("content_views", 100, 130),
                              kpi("page_views", 200, 210)), AnomalyReport(()), ())
    headline = found.headline()
    assert headline is not None and headline.metric == "content_views"
    only_small = Insights(period, (kpi("likes", 1, 5),), AnomalyReport(()), ()).headline()
    assert only_small is not None and only_small.metric == "likes"


def test_likes_per_view_counts_net_likes_as_every_other_number_of_likes() -> None:
    """Likes minus unlikes over views, as the dashboard's "likes per view" column, and its
    segments add up to it."""
    book = Book()
    for day, likes, unlikes in ((BEFORE[0], 30, 10), (AFTER[0], 50, 20)):
        book.add(day, CV, 100, category="Finance")
        book.add(day, EventType.LIKE, likes, category="Finance")
        book.add(day, EventType.UNLIKE, unlikes, category="Finance")
    cube = DayCube(book.rows(), START, AFTER[1])
    found = rate_drivers(rate("likes_per_view"), cube, *sides(cube))
    assert (found.before, found.after) == (pytest.approx(0.2), pytest.approx(0.3))
    [finance] = [c for c in found.by_dim["category"] if c.value == "Finance"]
    assert (finance.before, finance.after) == (pytest.approx(0.2), pytest.approx(0.3))
