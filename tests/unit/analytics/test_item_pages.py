"""An item's and an author's own pages: what content views carry, who may read the pages, and
that the numbers are the ones the recorded events make."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.dashboards import Period
from services.analytics.item_trail import ItemTrail
from services.analytics.service import AnalyticsService
from services.domain.analytics import ITEM_VISIT_PROP, SEARCH_TERM_PROP, Dim, Event, EventType
from services.domain.models import Category, ContentItem, Status
from services.domain.permissions import Actor, Role
from services.domain.rollups import rollup_keys
from services.errors import NotFound, PermissionDenied
from tests.doubles.clock import Clock

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 10:00 on 10 March in Seoul
TODAY = date(2026, 3, 10)
WEEK = Period(TODAY - timedelta(days=6), TODAY)

VIEWER = Actor("vera", roles=frozenset({Role.VIEWER}))
AUTHOR = Actor("alice", roles=frozenset({Role.AUTHOR}))
OTHER_AUTHOR = Actor("bob", roles=frozenset({Role.AUTHOR}))
ANALYST = Actor("ann", roles=frozenset({Role.ANALYST}))


def item(content_id: str, author: str, status: Status = Status.PUBLISHED) -> ContentItem:
    return ContentItem(
        id=content_id, title=f"{content_id} 제목", summary="", body="",
        category=Category.FINANCE, tags=(), author_id=author, author_name=author.title(),
        status=status, created_at=NOW, updated_at=NOW,
    )


ALICE_ITEM = item("c-alice", "alice")
ALICE_DRAFT = item("c-alice-draft", "alice", Status.DRAFT)
BOB_ITEM = item("c-bob", "bob")


class ListTracker:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def track(self, event: Event) -> None:
        self.events.append(event)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "db.sqlite3")
    database.migrate()
    yield database
    database.close()


@pytest.fixture
def store(db: SqliteDatabase) -> SqliteEventStore:
    return SqliteEventStore(db, SEOUL, 36500)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def tracker() -> ListTracker:
    return ListTracker()


@pytest.fixture
def service(db: SqliteDatabase, store: SqliteEventStore, tracker: ListTracker,
            clock: Clock) -> AnalyticsService:
    repo = SqliteContentRepository(db)
    for one in (ALICE_ITEM, ALICE_DRAFT, BOB_ITEM):
        repo.add(one)
    return AnalyticsService(store, repo, tracker, SEOUL, clock=clock)


# ---- what a content view carries --------------------------------------------------------------


def test_a_view_after_a_search_carries_the_visits_last_term() -> None:
    trail = ItemTrail()
    assert trail.viewed("s1", "c1", TODAY) == {ITEM_VISIT_PROP: True}
    trail.searched("s1", "  Bedrock   AGENT ")
    trail.searched("s2", "other visit")
    assert trail.viewed("s1", "c2", TODAY) == {SEARCH_TERM_PROP: "bedrock agent",
                                               ITEM_VISIT_PROP: True}
    # The same item again that day: no second visit; the next day: a new one.
    assert trail.viewed("s1", "c2", TODAY) == {SEARCH_TERM_PROP: "bedrock agent"}
    assert trail.viewed("s1", "c2", TODAY + timedelta(days=1))[ITEM_VISIT_PROP] is True


def test_the_trail_forgets_the_oldest_visit_first() -> None:
    trail = ItemTrail(max_visits=1)
    trail.searched("s1", "rag")
    trail.searched("s2", "q")
    assert SEARCH_TERM_PROP not in trail.viewed("s1", "c1", TODAY)


def test_per_item_dimensions_count_content_views_only() -> None:
    view = Event("e1", NOW, EventType.CONTENT_VIEW, "s1", content_id="c1", properties={
        ITEM_VISIT_PROP: True, SEARCH_TERM_PROP: " RAG  Demo", "vp": "customer-demo",
        "src": "google"})
    keys = {(k.dim, k.value) for k in rollup_keys(view, SEOUL)}
    assert {(Dim.CONTENT_VISIT, "c1"), (Dim.CONTENT_SEARCH, "c1|rag demo"),
            (Dim.CONTENT_PURPOSE, "c1|customer-demo"), (Dim.CONTENT_SOURCE, "c1|google")} <= keys
    like = Event("e2", NOW, EventType.LIKE, "s1", content_id="c1", properties=view.properties)
    assert not {k.dim for k in rollup_keys(like, SEOUL)} & {
        Dim.CONTENT_VISIT, Dim.CONTENT_SEARCH, Dim.CONTENT_PURPOSE, Dim.CONTENT_SOURCE}


# ---- the numbers ------------------------------------------------------------------------------


def test_item_page_counts_visits_once_per_session_and_day(
    service: AnalyticsService, tracker: ListTracker, store: SqliteEventStore, clock: Clock,
) -> None:
    service.search("s1", VIEWER, "Bedrock", 3)
    service.content_view("s1", VIEWER, ALICE_ITEM)
    service.content_view("s1", VIEWER, ALICE_ITEM)  # a second view, same visit and day
    service.content_view("s2", VIEWER, ALICE_ITEM)
    service.like("s2", VIEWER, ALICE_ITEM)
    clock.now = NOW - timedelta(days=7)  # the previous period
    service.content_view("s3", VIEWER, ALICE_ITEM)
    store.append(tracker.events)

    page = service.item_page(AUTHOR, ALICE_ITEM.id, WEEK)

    assert page.totals.views == 3 and page.totals.visitors == 2 and page.totals.likes == 1
    assert page.previous.views == 1 and page.previous.visitors == 1
    assert page.daily["views"].tolist() == [0] * 6 + [3]
    assert page.daily["prev_day"].tolist()[-1] == TODAY - timedelta(days=7)
    assert page.search_terms.to_dict("records") == [{"value": "bedrock", "views": 2}]
    assert page.item == ALICE_ITEM


def test_author_page_sums_the_authors_items(
    service: AnalyticsService, tracker: ListTracker, store: SqliteEventStore,
) -> None:
    service.content_view("s1", VIEWER, ALICE_ITEM)
    service.content_view("s2", VIEWER, ALICE_DRAFT)
    service.content_view("s2", VIEWER, BOB_ITEM)
    store.append(tracker.events)

    page = service.author_page(AUTHOR, "alice", WEEK)

    assert page.totals.views == 2 and page.totals.visitors == 2
    assert sorted(page.items["content_id"]) == [ALICE_ITEM.id, ALICE_DRAFT.id]
    assert page.items["views"].tolist() == [1, 1] and page.name == "Alice"


# ---- who may read them ------------------------------------------------------------------------


def test_an_author_sees_the_pages_of_own_items_only(service: AnalyticsService) -> None:
    assert service.item_page(AUTHOR, ALICE_DRAFT.id, WEEK).totals.views == 0
    assert service.author_page(AUTHOR, "alice", WEEK).items.shape[0] == 2
    with pytest.raises(PermissionDenied):
        service.item_page(AUTHOR, BOB_ITEM.id, WEEK)
    with pytest.raises(PermissionDenied):
        service.author_page(OTHER_AUTHOR, "alice", WEEK)
    assert not service.may_see_author(OTHER_AUTHOR, "alice")


def test_viewers_see_no_page_and_analysts_see_every_page(service: AnalyticsService) -> None:
    with pytest.raises(PermissionDenied):
        service.item_page(VIEWER, ALICE_ITEM.id, WEEK)
    with pytest.raises(PermissionDenied):
        service.item_page(VIEWER, "no-such-item", WEEK)  # refused before any lookup
    with pytest.raises(PermissionDenied):
        service.author_page(VIEWER, "alice", WEEK)
    assert service.item_page(ANALYST, BOB_ITEM.id, WEEK).item == BOB_ITEM
    assert service.author_page(ANALYST, "bob", WEEK).name == "Bob"


def test_a_deleted_item_keeps_its_numbers_for_analysts_only(
    service: AnalyticsService, tracker: ListTracker, store: SqliteEventStore,
) -> None:
    service.content_view("s1", VIEWER, item("c-gone", "alice"))
    store.append(tracker.events)

    page = service.item_page(ANALYST, "c-gone", WEEK)

    assert page.item is None and page.totals.views == 1
    with pytest.raises(NotFound):
        service.item_page(AUTHOR, "c-gone", WEEK)
