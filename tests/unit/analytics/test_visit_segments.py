"""Segments at ingest: every event of a visit carries the visit's purpose once the visitor gave
it (``vp``), and each event counts in the segment rollups of its hour and visit properties."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.service import AnalyticsService
from services.domain.analytics import WHOLE_DAY, Dim, Event, EventType, Purpose, RollupKey
from services.domain.models import Category, ContentItem, Status
from services.domain.permissions import Actor, Role
from services.domain.rollups import rollup_keys
from services.domain.users import User

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 10:00 in Seoul
DAY = date(2026, 3, 10)
ITEM = ContentItem(id="c1", title="t", summary="", body="", category=Category.FINANCE,
                   tags=(), author_id="alice", author_name="Alice", status=Status.PUBLISHED,
                   created_at=NOW, updated_at=NOW)


class ListTracker:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def track(self, event: Event) -> None:
        self.events.append(event)


def analytics(tmp_path: Path, tracker: ListTracker, find_user: object = None) -> AnalyticsService:
    db = SqliteDatabase(tmp_path / "a.db")
    db.migrate()
    return AnalyticsService(SqliteEventStore(db, SEOUL, 36500), SqliteContentRepository(db),
                            tracker, SEOUL, clock=lambda: NOW,
                            find_user=find_user)  # type: ignore[arg-type]


def test_events_after_the_answer_carry_the_visits_purpose(tmp_path: Path) -> None:
    tracker = ListTracker()
    service = analytics(tmp_path, tracker)
    anonymous = Actor.anonymous()
    service.page_view("s1", anonymous, "home")  # before the answer: unknown
    service.visitor_purpose("s1", anonymous, Purpose.RESEARCH)
    service.content_view("s1", anonymous, ITEM)
    service.page_view("s2", anonymous, "home")  # another visit
    service.visitor_purpose("s3", anonymous, Purpose.SKIPPED)
    service.page_view("s3", anonymous, "home")  # a skip is not a purpose
    assert [e.properties.get("vp") for e in tracker.events] == [
        None, "research", "research", None, None, None]


def test_a_signed_up_purpose_is_the_visits_purpose_from_its_first_event(tmp_path: Path) -> None:
    kim = User(username="kim", name="Kim", email="kim@example.com",
               roles=frozenset({Role.VIEWER}), created_at=NOW, purpose="customer-demo",
               signed_up_at=NOW)
    tracker = ListTracker()
    service = analytics(tmp_path, tracker, find_user=lambda name: kim)
    service.page_view("s1", Actor("kim", roles=frozenset({Role.VIEWER})), "home")
    assert [(e.type, e.properties.get("vp")) for e in tracker.events] == [
        (EventType.VISITOR_PURPOSE, "customer-demo"), (EventType.PAGE_VIEW, "customer-demo")]


def segment_keys(event: Event) -> set[tuple[Dim, str]]:
    return {(k.dim, k.value) for k in rollup_keys(event, SEOUL)
            if k.dim.startswith("segment")}


def test_an_event_counts_in_its_hour_and_each_visit_property_it_carries() -> None:
    page = Event("e1", NOW, EventType.PAGE_VIEW, "s1", page="home",
                 properties={"vp": "research", "src": "google", "dev": "mobile"})
    # The hour's per-type totals are the hourly rows every event adds anyway.
    assert segment_keys(page) == {(Dim.SEGMENT, "purpose=research"),
                                  (Dim.SEGMENT, "source=google"), (Dim.SEGMENT, "device=mobile")}
    view = Event("e2", NOW, EventType.CONTENT_VIEW, "s1", content_id="c1", category="Finance",
                 author_id="alice", properties={"vp": "research"})
    # A content event counts per item only: the items' rows add up to the type's total.
    assert segment_keys(view) == {(Dim.SEGMENT_CONTENT_HOUR, "hour=10|c1"),
                                  (Dim.SEGMENT_CONTENT_PURPOSE, "purpose=research|c1")}
    assert all(k.hour == WHOLE_DAY for k in rollup_keys(view, SEOUL)
               if k.dim is Dim.SEGMENT)
    assert RollupKey(DAY, 10, EventType.CONTENT_VIEW, Dim.ALL, "") in rollup_keys(view, SEOUL)
