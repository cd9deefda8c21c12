"""Dashboard queries over a real SqliteEventStore with hand-made events whose answers are known.

The store buckets by local day in Asia/Seoul (UTC+9). "Today" is 10 March 2026, so the 7-day
period is 4..10 March and its previous period 25 February..3 March.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.dashboards import (
    Catalog,
    Dashboard,
    Filters,
    Kpi,
    KpiKind,
    Period,
    Preset,
    authors,
    categories,
    daily_trend,
    dashboard,
    kpis,
    load_catalog,
    local_today,
    purposes,
    search_terms,
    time_of_day,
    top_content,
)
from services.analytics.tables import DELETED_ITEMS
from services.domain.analytics import Event, EventType
from services.domain.models import Category, ContentItem, Status
from services.errors import ValidationError

SEOUL = ZoneInfo("Asia/Seoul")
TODAY = date(2026, 3, 10)
WEEK = Period.preset(Preset.DAYS_7, TODAY)
GENAI, FINANCE, ETC = Category.GENERATIVE_AI.value, Category.FINANCE.value, Category.ETC.value
_ids = itertools.count(1)


def at(local: str) -> datetime:
    """A local Seoul time ("2026-03-05 10:00") as the UTC timestamp events carry."""
    return datetime.fromisoformat(local).replace(tzinfo=SEOUL).astimezone(UTC)


def ev(local: str, type_: EventType, session: str = "s1", **fields: Any) -> Event:
    return Event(id=f"e{next(_ids):05d}", ts=at(local), type=type_, session_id=session, **fields)


def view(local: str, content_id: str, category: str, author: str, **fields: Any) -> Event:
    return ev(local, EventType.CONTENT_VIEW, content_id=content_id, category=category,
              author_id=author, **fields)


def on(local: str, type_: EventType, content_id: str, category: str, author: str) -> Event:
    return ev(local, type_, content_id=content_id, category=category, author_id=author)


def purpose(local: str, value: str, session: str) -> Event:
    return ev(local, EventType.VISITOR_PURPOSE, session=session, properties={"purpose": value})


def search(local: str, query: str, results: int) -> Event:
    return ev(local, EventType.SEARCH, properties={"query": query, "results": results})


# c1 Finance/a1, c2 GenAI/a1, c3 GenAI/a2, c4 ETC/a3 (no views), c5 a draft of a2,
# "gone" an item deleted since (ETC/a3): it is in the rollups but not in the catalogue.
CURRENT = [
    ev("2026-03-04 09:00", EventType.PAGE_VIEW, page="home"),
    ev("2026-03-04 09:05", EventType.PAGE_VIEW, session="s2", page="browse"),
    ev("2026-03-06 14:00", EventType.PAGE_VIEW, session="k1", user_id="kim", page="home"),
    ev("2026-03-06 14:10", EventType.PAGE_VIEW, session="k1", user_id="kim", page="content"),
    ev("2026-03-10 20:00", EventType.PAGE_VIEW, session="s3", page="home"),
    view("2026-03-04 09:01", "c1", FINANCE, "a1"),
    view("2026-03-05 10:00", "c1", FINANCE, "a1"),
    view("2026-03-06 11:00", "c1", FINANCE, "a1"),
    view("2026-03-05 10:30", "c2", GENAI, "a1"),
    view("2026-03-06 10:30", "c2", GENAI, "a1"),
    view("2026-03-07 12:00", "c3", GENAI, "a2"),
    view("2026-03-07 12:05", "c3", GENAI, "a2", session="s2"),
    view("2026-03-08 12:00", "c3", GENAI, "a2", session="k1", user_id="kim"),
    view("2026-03-09 12:00", "c3", GENAI, "a2"),
    view("2026-03-09 13:00", "gone", ETC, "a3"),
    on("2026-03-05 10:01", EventType.LIKE, "c1", FINANCE, "a1"),
    on("2026-03-05 10:02", EventType.LIKE, "c1", FINANCE, "a1"),
    on("2026-03-05 10:03", EventType.UNLIKE, "c1", FINANCE, "a1"),
    on("2026-03-07 12:01", EventType.LIKE, "c3", GENAI, "a2"),
    on("2026-03-07 12:02", EventType.DOWNLOAD, "c3", GENAI, "a2"),
    search("2026-03-05 09:00", "Bedrock", 3),
    search("2026-03-06 09:00", "bedrock ", 3),
    search("2026-03-06 09:30", "양자컴퓨팅", 0),
    purpose("2026-03-04 09:00", "customer-demo", "s1"),
    purpose("2026-03-04 09:05", "customer-demo", "s2"),
    purpose("2026-03-06 14:00", "research", "s4"),
    purpose("2026-03-10 20:00", "skipped", "s3"),
]
PREVIOUS = [
    ev("2026-02-25 09:00", EventType.PAGE_VIEW, session="p1"),
    ev("2026-03-03 09:00", EventType.PAGE_VIEW, session="p2"),
    view("2026-02-26 09:00", "c1", FINANCE, "a1", session="p1"),
    view("2026-03-03 09:00", "c1", FINANCE, "a1", session="p2"),
    purpose("2026-02-25 09:00", "skipped", "p1"),
    purpose("2026-03-03 09:00", "other", "p2"),
]
BEFORE = [ev("2026-02-24 23:59", EventType.PAGE_VIEW, session="old")]  # outside both periods


def item(content_id: str, title: str, category: str, author: str,
         status: Status = Status.PUBLISHED) -> ContentItem:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return ContentItem(
        id=content_id, title=title, summary="", body="", category=Category(category), tags=(),
        author_id=author, author_name={"a1": "김민수", "a2": "Lee", "a3": "Park"}[author],
        status=status, created_at=now, updated_at=now,
    )


ITEMS = [
    item("c1", "금융 데모", FINANCE, "a1"),
    item("c2", "챗봇 데모", GENAI, "a1"),
    item("c3", "RAG 데모", GENAI, "a2"),
    item("c4", "기타 데모", ETC, "a3"),
    item("c5", "초안", GENAI, "a2", status=Status.DRAFT),
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "demo_factory.sqlite3")
    database.migrate()
    yield database
    database.close()


@pytest.fixture
def store(db: SqliteDatabase) -> SqliteEventStore:
    events = SqliteEventStore(db, SEOUL, 36500)
    events.append([*CURRENT, *PREVIOUS, *BEFORE])
    return events


@pytest.fixture
def repo(db: SqliteDatabase) -> SqliteContentRepository:
    content = SqliteContentRepository(db)
    for one in ITEMS:
        content.add(one)
    return content


@pytest.fixture
def catalog(repo: SqliteContentRepository) -> Catalog:
    return load_catalog(repo)


def by_key(found: list[Kpi]) -> dict[str, Kpi]:
    return {kpi.key: kpi for kpi in found}


# ---- periods ---------------------------------------------------------------------------------


def test_presets_end_today_and_previous_is_the_same_length_right_before() -> None:
    assert Period(date(2026, 3, 4), date(2026, 3, 10)) == WEEK
    assert WEEK.days == 7
    assert WEEK.previous() == Period(date(2026, 2, 25), date(2026, 3, 3))
    today = Period.preset(Preset.TODAY, TODAY)
    assert (today.start, today.end, today.days) == (TODAY, TODAY, 1)
    assert today.previous() == Period(date(2026, 3, 9), date(2026, 3, 9))
    assert Period.preset(Preset.DAYS_90, TODAY).previous().days == 90
    custom = Period(date(2026, 1, 10), date(2026, 1, 19))
    assert custom.previous() == Period(date(2025, 12, 31), date(2026, 1, 9))


def test_bad_custom_periods_are_refused() -> None:
    with pytest.raises(ValidationError) as reversed_:
        Period(date(2026, 3, 10), date(2026, 3, 9))
    assert reversed_.value.key == "analytics.err_period_order"
    with pytest.raises(ValidationError) as too_long:
        Period(date(2025, 1, 1), date(2026, 3, 1))
    assert too_long.value.key == "analytics.err_period_long"
    with pytest.raises(ValueError):
        Period.preset(Preset.CUSTOM, TODAY)


def test_local_today_follows_the_zone() -> None:
    late_utc = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    assert local_today(SEOUL, late_utc) == date(2026, 3, 10)
    assert local_today(ZoneInfo("UTC"), late_utc) == date(2026, 3, 9)


# ---- KPIs ------------------------------------------------------------------------------------


def test_kpis_and_their_change_against_the_previous_period(store: SqliteEventStore) -> None:
    found = by_key(kpis(store, WEEK))
    assert list(found) == ["visitors", "page_views", "content_views", "likes", "downloads",
                           "searches", "top_category", "purpose_skip_rate"]
    visitors = {e.visitor_id for e in CURRENT}  # s1, s2, s3, s4 and kim's k1
    assert (found["visitors"].value, found["visitors"].previous) == (len(visitors), 2)
    assert found["visitors"].change == pytest.approx(150.0)
    assert (found["page_views"].value, found["page_views"].previous) == (5, 2)
    assert found["page_views"].change == pytest.approx(150.0)
    assert (found["content_views"].value, found["content_views"].previous) == (10, 2)
    assert found["content_views"].change == pytest.approx(400.0)
    assert (found["likes"].value, found["likes"].previous) == (2, 0)  # 3 likes - 1 unlike
    assert found["likes"].change is None  # nothing to compare with
    assert (found["downloads"].value, found["searches"].value) == (1, 3)
    top = found["top_category"]
    assert (top.kind, top.value, top.previous, top.change) == (KpiKind.LABEL, GENAI, FINANCE,
                                                               None)
    assert top.share == pytest.approx(0.6)  # 6 of the 10 content views
    skip = found["purpose_skip_rate"]
    assert (skip.kind, skip.value, skip.previous) == (KpiKind.RATE, 0.25, 0.5)
    assert skip.change == pytest.approx(-25.0)  # percentage points
    platform = {k for k, kpi in found.items() if kpi.platform_wide}
    assert platform == {"visitors", "page_views", "searches", "top_category",
                        "purpose_skip_rate"}


@pytest.mark.parametrize(
    ("filters", "views", "previous", "likes", "downloads"),
    [
        (Filters(category=FINANCE), 3, 2, 1, 0),
        (Filters(category=GENAI), 6, 0, 1, 1),
        (Filters(author_id="a2"), 4, 0, 1, 1),
        (Filters(author_id="a3"), 1, 0, 0, 0),  # the deleted item still counts for its author
        (Filters(category=GENAI, author_id="a1"), 2, 0, 0, 0),  # c2 only
    ],
)
def test_filters_change_the_content_numbers_only(
    store: SqliteEventStore, catalog: Catalog, filters: Filters, views: int, previous: int,
    likes: int, downloads: int,
) -> None:
    found = by_key(kpis(store, WEEK, filters, catalog))
    assert (found["content_views"].value, found["content_views"].previous) == (views, previous)
    assert (found["likes"].value, found["downloads"].value) == (likes, downloads)
    assert (found["page_views"].value, found["searches"].value) == (5, 3)
    assert found["top_category"].value == GENAI


def test_both_filters_need_the_catalogue(store: SqliteEventStore) -> None:
    with pytest.raises(ValueError):
        kpis(store, WEEK, Filters(category=GENAI, author_id="a1"))


def test_an_event_late_in_the_utc_evening_counts_for_the_next_local_day(
    db: SqliteDatabase,
) -> None:
    events = SqliteEventStore(db, SEOUL, 36500)
    late = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 08:30 on 10 March in Seoul (a Tuesday)
    events.append([Event(id="late", ts=late, type=EventType.PAGE_VIEW, session_id="x")])
    today = Period.preset(Preset.TODAY, TODAY)
    assert by_key(kpis(events, today))["page_views"].value == 1
    assert by_key(kpis(events, today.previous()))["page_views"].value == 0
    trend = daily_trend(events, Period(date(2026, 3, 9), TODAY))
    assert trend["page_view"].tolist() == [0, 1]
    hours = time_of_day(events, today)
    assert (hours.peak_weekday, hours.peak_hour, hours.total) == (1, 8, 1)
    assert hours.matrix.loc[1, 8] == 1


# ---- trend and tables ------------------------------------------------------------------------


def test_daily_trend_has_every_day_and_filters_only_content_lines(
    store: SqliteEventStore,
) -> None:
    trend = daily_trend(store, WEEK)
    assert trend["day"].tolist() == WEEK.dates()
    assert trend["page_view"].tolist() == [2, 0, 2, 0, 0, 0, 1]
    assert trend["content_view"].tolist() == [1, 2, 2, 2, 1, 2, 0]
    assert trend["search"].tolist() == [0, 1, 2, 0, 0, 0, 0]
    assert trend["like"].tolist() == [0, 1, 0, 1, 0, 0, 0]  # net: two likes, one unlike
    finance = daily_trend(store, WEEK, Filters(category=FINANCE))
    assert finance["content_view"].tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert finance["page_view"].tolist() == trend["page_view"].tolist()


def test_top_content_with_titles_and_likes_per_view(
    store: SqliteEventStore, catalog: Catalog
) -> None:
    table = top_content(store, catalog, WEEK)
    assert table["content_id"].tolist() == ["c3", "c1", "c2", DELETED_ITEMS]  # all deleted
    assert table["title"].tolist()[:3] == ["RAG 데모", "금융 데모", "챗봇 데모"]
    assert table["title"].isna().tolist() == [False, False, False, True]  # deleted since
    assert table["views"].tolist() == [4, 3, 2, 1]
    assert table["likes"].tolist() == [1, 1, 0, 0]
    assert table["downloads"].tolist() == [1, 0, 0, 0]
    assert table["likes_per_view"].tolist()[:3] == pytest.approx([0.25, 1 / 3, 0.0])
    assert top_content(store, catalog, WEEK, limit=2)["content_id"].tolist() == ["c3", "c1"]
    genai = top_content(store, catalog, WEEK, Filters(category=GENAI))
    assert genai["content_id"].tolist() == ["c3", "c2"]


def test_authors_items_views_averages_and_top_titles(
    store: SqliteEventStore, catalog: Catalog
) -> None:
    table = authors(store, catalog, WEEK).set_index("author_id")
    assert table.index.tolist() == ["a1", "a2", "a3"]
    assert table.loc["a1", "author"] == "김민수"
    assert table["items"].tolist() == [2, 1, 1]  # published only: the draft c5 is not counted
    assert table["views"].tolist() == [5, 4, 1]
    assert table["likes"].tolist() == [1, 1, 0]
    assert table["downloads"].tolist() == [0, 1, 0]
    assert table["views_per_item"].tolist() == pytest.approx([2.5, 4.0, 1.0])
    assert table.loc["a1", "top_titles"] == "금융 데모 · 챗봇 데모"
    assert table.loc["a3", "top_titles"] == ""  # its only viewed item was deleted
    genai = authors(store, catalog, WEEK, Filters(category=GENAI)).set_index("author_id")
    assert genai["views"].to_dict() == {"a2": 4, "a1": 2}
    assert genai["items"].to_dict() == {"a2": 1, "a1": 1}
    only = authors(store, catalog, WEEK, Filters(author_id="a2"))
    assert only["author_id"].tolist() == ["a2"]


def test_categories_views_items_and_share(store: SqliteEventStore, catalog: Catalog) -> None:
    table = categories(store, catalog, WEEK).set_index("category")
    assert len(table) == len(Category)  # every category, even without views
    assert table.index[:3].tolist() == [GENAI, FINANCE, ETC]
    assert table.loc[GENAI, ["items", "views", "likes"]].tolist() == [2, 6, 1]
    assert table.loc[ETC, ["items", "views"]].tolist() == [1, 1]
    assert table.loc[GENAI, "share"] == pytest.approx(0.6)
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.loc[Category.MANUFACTURING.value, "views"] == 0
    mine = categories(store, catalog, WEEK, Filters(author_id="a1")).set_index("category")
    assert mine.loc[FINANCE, "views"] == 3
    assert mine.loc[GENAI, ["items", "views"]].tolist() == [1, 2]
    assert mine.loc[GENAI, "share"] == pytest.approx(0.4)


def test_time_of_day_matrix_and_peak_hour(store: SqliteEventStore) -> None:
    hours = time_of_day(store, WEEK)
    assert hours.matrix.shape == (7, 24)
    assert hours.total == 5
    assert hours.matrix.loc[2, 9] == 2  # Wednesday 4 March, 09:00 and 09:05
    assert hours.matrix.loc[4, 14] == 2  # Friday 6 March
    assert hours.matrix.loc[1, 20] == 1  # Tuesday 10 March
    assert (hours.peak_hour, hours.peak_weekday) == (9, 2)  # ties go to the earliest
    content = time_of_day(store, WEEK, EventType.CONTENT_VIEW)
    assert (content.peak_hour, content.total) == (12, 10)


def test_empty_time_of_day_has_no_peak(store: SqliteEventStore) -> None:
    empty = time_of_day(store, Period(date(2025, 1, 1), date(2025, 1, 31)))
    assert (empty.total, empty.peak_hour, empty.peak_weekday) == (0, None, None)


def test_purposes_distribution_and_skip_rate(store: SqliteEventStore) -> None:
    found = purposes(store, WEEK)
    assert (found.answered, found.skipped, found.total) == (3, 1, 4)
    assert found.skip_rate == 0.25
    table = found.table
    assert table["purpose"].tolist()[:2] == ["customer-demo", "research"]
    assert table["purpose"].tolist()[-1] == "skipped"
    assert table.set_index("purpose")["count"].sum() == 4
    by_purpose = table.set_index("purpose")
    assert by_purpose.loc["customer-demo", "share"] == 0.5  # of all 4 prompts
    assert by_purpose.loc["customer-demo", "share_of_answers"] == pytest.approx(2 / 3)
    assert by_purpose.loc["skipped", "share"] == 0.25
    assert pd.isna(by_purpose.loc["skipped", "share_of_answers"])


def test_search_terms_and_zero_result_terms(store: SqliteEventStore) -> None:
    found = search_terms(store, WEEK)
    assert (found.total, found.zero_total) == (3, 1)
    assert found.zero_rate == pytest.approx(1 / 3)
    assert found.top.values.tolist() == [["bedrock", 2, 0], ["양자컴퓨팅", 1, 1]]
    assert found.zero_results.values.tolist() == [["양자컴퓨팅", 1]]


def test_an_empty_period_gives_zeros_not_errors(store: SqliteEventStore,
                                                catalog: Catalog) -> None:
    empty = Period(date(2025, 1, 1), date(2025, 1, 7))
    found = by_key(kpis(store, empty))
    assert found["page_views"].value == 0 and found["page_views"].change is None
    assert found["top_category"].value is None
    assert found["purpose_skip_rate"].value is None
    assert top_content(store, catalog, empty).empty
    assert purposes(store, empty).skip_rate is None
    assert search_terms(store, empty).top.empty


# ---- everything at once ----------------------------------------------------------------------


class CountingStore:
    """Counts the calls a dashboard makes; raw events are never to be read."""

    def __init__(self, inner: SqliteEventStore) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def rollups(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("rollups")
        return self.inner.rollups(*args, **kwargs)

    def rollup_totals(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("rollup_totals")
        return self.inner.rollup_totals(*args, **kwargs)

    def visitors(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("visitors")
        return self.inner.visitors(*args, **kwargs)

    def raw_events(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("dashboards must not read raw events")

    def append(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("dashboards do not write")


@pytest.mark.parametrize("filters", [Filters(), Filters(category=GENAI, author_id="a1")])
def test_dashboard_is_every_query_at_once_from_a_few_reads(
    store: SqliteEventStore, repo: SqliteContentRepository, catalog: Catalog, filters: Filters
) -> None:
    counting = CountingStore(store)
    board = dashboard(counting, repo, WEEK, filters)  # type: ignore[arg-type]
    assert isinstance(board, Dashboard)
    # Per period its totals and the trend's day rows, the hourly rows, two visitor sketches.
    assert sorted(counting.calls) == ["rollup_totals", "rollup_totals", "rollups", "rollups",
                                      "rollups", "visitors", "visitors"]
    assert board.kpis == kpis(store, WEEK, filters, catalog)
    assert board.trend.equals(daily_trend(store, WEEK, filters, catalog))
    assert board.top_content.equals(top_content(store, catalog, WEEK, filters))
    assert board.authors.equals(authors(store, catalog, WEEK, filters))
    assert board.categories.equals(categories(store, catalog, WEEK, filters))
    assert board.time_of_day.matrix.equals(time_of_day(store, WEEK).matrix)
    assert board.purposes.table.equals(purposes(store, WEEK).table)
    assert board.search.top.equals(search_terms(store, WEEK).top)
    assert not board.is_empty
    assert dashboard(store, repo, Period(date(2025, 1, 1), date(2025, 1, 7))).is_empty


def test_catalogue_reads_every_published_item_in_pages(repo: SqliteContentRepository) -> None:
    small_pages = load_catalog(repo, page_size=2)
    assert sorted(i.id for i in small_pages) == ["c1", "c2", "c3", "c4"]
    assert small_pages.ids(Filters(category=GENAI)) == {"c2", "c3"}
    assert not small_pages.matches("c5", Filters())  # drafts are not in the catalogue


def test_ratios_are_missing_not_zero_when_nothing_to_divide(
    store: SqliteEventStore, catalog: Catalog
) -> None:
    later = Period(TODAY + timedelta(days=1), TODAY + timedelta(days=1))
    table = authors(store, catalog, later)
    assert table["views"].sum() == 0
    assert table["views_per_item"].tolist() == [0.0, 0.0, 0.0]  # items, but no views
    shares = categories(store, catalog, later)["share"].tolist()
    assert all(share is None or math.isnan(share) for share in shares)
