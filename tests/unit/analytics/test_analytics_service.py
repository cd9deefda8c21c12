"""AnalyticsService: who may read what, and the events the tracking entry points record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.dashboards import Filters, Period, Preset
from services.analytics.service import AnalyticsService
from services.domain.analytics import Event, EventType, Purpose
from services.domain.models import (
    Asset,
    AssetKind,
    Category,
    ContentItem,
    Status,
)
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied, ValidationError

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 08:30 on 10 March in Seoul
TODAY = date(2026, 3, 10)
WEEK = Period.preset(Preset.DAYS_7, TODAY)

ANONYMOUS = Actor.anonymous()
VIEWER = Actor("vera", roles=frozenset({Role.VIEWER}))
AUTHOR = Actor("alice", roles=frozenset({Role.AUTHOR}))
OTHER_AUTHOR = Actor("bob", roles=frozenset({Role.AUTHOR}))
ANALYST = Actor("ann", roles=frozenset({Role.ANALYST}))
ADMIN = Actor("root", roles=frozenset({Role.ADMIN}))


class ListTracker:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def track(self, event: Event) -> None:
        self.events.append(event)


class BrokenTracker:
    def track(self, event: Event) -> None:
        raise RuntimeError("buffer on fire")


def item(content_id: str, author: str, status: Status = Status.PUBLISHED) -> ContentItem:
    return ContentItem(
        id=content_id, title=f"{content_id} 제목", summary="", body="",
        category=Category.FINANCE, tags=(), author_id=author, author_name=author.title(),
        status=status, created_at=NOW, updated_at=NOW,
    )


ALICE_ITEM = item("c-alice", "alice")
ALICE_DRAFT = item("c-alice-draft", "alice", Status.DRAFT)
BOB_ITEM = item("c-bob", "bob")


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
def tracker() -> ListTracker:
    return ListTracker()


@pytest.fixture
def service(db: SqliteDatabase, store: SqliteEventStore, tracker: ListTracker) -> AnalyticsService:
    repo = SqliteContentRepository(db)
    for one in (ALICE_ITEM, ALICE_DRAFT, BOB_ITEM):
        repo.add(one)
    return AnalyticsService(store, repo, tracker, SEOUL, clock=lambda: NOW)


# ---- authorization ---------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [ANONYMOUS, VIEWER, AUTHOR], ids=["anonymous", "viewer",
                                                                    "author"])
def test_only_analysts_and_admins_read_dashboards(service: AnalyticsService,
                                                  actor: Actor) -> None:
    with pytest.raises(PermissionDenied):
        service.dashboard(actor, WEEK, Filters())
    with pytest.raises(PermissionDenied):
        service.kpis(actor, WEEK, Filters())
    with pytest.raises(PermissionDenied):
        service.author_options(actor)


@pytest.mark.parametrize("actor", [ANALYST, ADMIN], ids=["analyst", "admin"])
def test_analysts_and_admins_read_dashboards(service: AnalyticsService, actor: Actor) -> None:
    assert service.dashboard(actor, WEEK, Filters()).period == WEEK
    assert len(service.kpis(actor, WEEK, Filters(category="Finance", author_id="bob"))) == 8
    assert service.author_options(actor) == [("alice", "Alice"), ("bob", "Bob")]


def test_an_author_reads_only_the_stats_of_own_items(service: AnalyticsService) -> None:
    assert service.item_stats(AUTHOR, ALICE_ITEM.id, WEEK).total("views") == 0
    with pytest.raises(PermissionDenied):
        service.item_stats(AUTHOR, BOB_ITEM.id, WEEK)
    with pytest.raises(PermissionDenied):
        service.item_stats(OTHER_AUTHOR, ALICE_DRAFT.id, WEEK)
    mine = service.my_stats(AUTHOR, WEEK)
    assert sorted(mine.items["content_id"]) == [ALICE_ITEM.id, ALICE_DRAFT.id]  # drafts too


def test_viewers_have_no_own_stats_and_dashboard_readers_see_any_item(
    service: AnalyticsService,
) -> None:
    with pytest.raises(PermissionDenied):
        service.my_stats(VIEWER, WEEK)
    with pytest.raises(PermissionDenied):
        service.item_stats(VIEWER, ALICE_ITEM.id, WEEK)
    with pytest.raises(PermissionDenied):
        service.my_stats(ANALYST, WEEK)  # analysts write nothing, so own nothing
    assert service.item_stats(ANALYST, BOB_ITEM.id, WEEK).items["content_id"].tolist() == [
        BOB_ITEM.id]
    assert service.may_see_stats(ADMIN, ALICE_ITEM)
    assert not service.may_see_stats(OTHER_AUTHOR, ALICE_ITEM)


# ---- recording -------------------------------------------------------------------------------


def test_entry_points_record_events_with_their_fields(service: AnalyticsService,
                                                      tracker: ListTracker) -> None:
    asset = Asset("a1", ALICE_ITEM.id, AssetKind.DOCUMENT, "guide.pdf", "application/pdf", 10,
                  "key", NOW)
    service.page_view("s1", ANONYMOUS, "home")
    service.content_view("s1", VIEWER, ALICE_ITEM)
    service.search("s1", VIEWER, "  Bedrock 에이전트 ", 0)
    service.search("s1", VIEWER, "   ", 3)  # nothing typed: nothing recorded
    service.download("s1", VIEWER, ALICE_ITEM, asset)
    service.like("s1", VIEWER, ALICE_ITEM)
    service.unlike("s1", VIEWER, ALICE_ITEM)
    service.login("s1", "vera")
    service.login_failed("s2")
    service.visitor_purpose("s3", ANONYMOUS, Purpose.SKIPPED)
    service.report_generated("s1", ANALYST, "weekly", language="ko")
    events = tracker.events
    assert [e.type for e in events] == [
        EventType.PAGE_VIEW, EventType.CONTENT_VIEW, EventType.SEARCH, EventType.DOWNLOAD,
        EventType.LIKE, EventType.UNLIKE, EventType.LOGIN, EventType.LOGIN_FAILED,
        EventType.VISITOR_PURPOSE, EventType.REPORT_GENERATED,
    ]
    assert len({e.id for e in events}) == len(events)
    assert all(e.ts == NOW for e in events)
    page, view, search, download = events[:4]
    assert (page.page, page.user_id, page.session_id) == ("home", None, "s1")
    assert (view.content_id, view.category, view.author_id, view.user_id) == (
        ALICE_ITEM.id, "Finance", "alice", "vera")
    assert search.properties == {"query": "Bedrock 에이전트", "results": 0}
    assert download.properties == {"asset_id": "a1", "kind": "document"}
    assert (events[6].user_id, events[7].user_id, events[7].properties) == ("vera", None, {})
    assert events[8].properties == {"purpose": "skipped"}
    assert events[9].properties == {"report_type": "weekly", "language": "ko"}


def test_a_look_at_a_draft_records_no_download(service: AnalyticsService,
                                               tracker: ListTracker) -> None:
    """As with views: its author or an admin previewing a draft is not a reader."""
    asset = Asset("a1", ALICE_DRAFT.id, AssetKind.DOCUMENT, "guide.pdf", "application/pdf", 10,
                  "key", NOW)

    service.download("s1", AUTHOR, ALICE_DRAFT, asset)
    service.download("s1", ADMIN, ALICE_DRAFT, asset)

    assert tracker.events == []


def test_recorded_events_show_on_the_dashboard(service: AnalyticsService, tracker: ListTracker,
                                               store: SqliteEventStore) -> None:
    service.page_view("s1", ANONYMOUS, "home")
    service.content_view("s1", ANONYMOUS, ALICE_ITEM)
    service.visitor_purpose("s1", ANONYMOUS, Purpose.CUSTOMER_DEMO)
    service.visitor_purpose("s2", ANONYMOUS, Purpose.SKIPPED)
    store.append(tracker.events)
    today = service.period(Preset.TODAY)
    tiles = {k.key: k.value for k in service.kpis(ANALYST, today, Filters())}
    assert (tiles["page_views"], tiles["content_views"], tiles["visitors"]) == (1, 1, 2)
    assert tiles["purpose_skip_rate"] == 0.5
    assert service.item_stats(AUTHOR, ALICE_ITEM.id, today).total("views") == 1


def test_a_failing_tracker_never_breaks_the_page(db: SqliteDatabase,
                                                 store: SqliteEventStore) -> None:
    service = AnalyticsService(store, SqliteContentRepository(db), BrokenTracker(), SEOUL)
    service.page_view("s1", ANONYMOUS, "home")  # logged, not raised
    service.like("s1", VIEWER, ALICE_ITEM)


def test_periods_end_today_in_the_local_zone(service: AnalyticsService) -> None:
    assert service.today() == TODAY  # 23:30 UTC is already the next day in Seoul
    assert service.period(Preset.DAYS_30) == Period(date(2026, 2, 9), TODAY)
    custom = service.period(Preset.CUSTOM, date(2026, 1, 1), date(2026, 1, 31))
    assert custom.days == 31
    with pytest.raises(ValidationError):
        service.period(Preset.CUSTOM, date(2026, 2, 1), date(2026, 1, 1))
