"""The "now" panel's use case: who may see it, and what it shows (through the real ingest path:
the event store feeding the live window, as the tracker does)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.adapters.sqlite.live import SqliteLiveWindow
from services.analytics.ingest import SinkedEventStore
from services.analytics.service import AnalyticsService
from services.analytics.tables import DELETED_ITEMS
from services.domain.analytics import Event, EventType
from services.domain.models import Category, ContentItem, Status
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 9, 23, 30, 10, tzinfo=UTC)
ANALYST = Actor("ann", roles=frozenset({Role.ANALYST}))


class Tracker:
    def track(self, event: Event) -> None: ...


def item(content_id: str, title: str) -> ContentItem:
    return ContentItem(id=content_id, title=title, summary="", body="",
                       category=Category.FINANCE, tags=(), author_id="alice",
                       author_name="Alice", status=Status.PUBLISHED, created_at=NOW,
                       updated_at=NOW)


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[AnalyticsService, SinkedEventStore]]:
    db = SqliteDatabase(tmp_path / "db.sqlite3")
    db.migrate()
    repo = SqliteContentRepository(db)
    repo.add(item("c-1", "금융 리스크 데모"))
    live = SqliteLiveWindow(db, clock=lambda: NOW)
    store = SinkedEventStore(SqliteEventStore(db, SEOUL, 30), sinks=(live,))
    yield AnalyticsService(store, repo, Tracker(), SEOUL, clock=lambda: NOW, live=live), store
    db.close()


def view(minutes_ago: float, session: str, content_id: str) -> Event:
    return Event(id=f"{session}-{content_id}-{minutes_ago}",
                 ts=NOW - timedelta(minutes=minutes_ago), type=EventType.CONTENT_VIEW,
                 session_id=session, content_id=content_id)


@pytest.mark.parametrize("actor", [
    Actor.anonymous(),
    Actor("vera", roles=frozenset({Role.VIEWER})),
    Actor("alice", roles=frozenset({Role.AUTHOR})),
])
def test_only_dashboard_viewers_see_who_is_on_the_site(
    parts: tuple[AnalyticsService, SinkedEventStore], actor: Actor,
) -> None:
    with pytest.raises(PermissionDenied):
        parts[0].live_now(actor)


def test_visitors_on_items_with_titles_and_deleted_items_as_one_row(
    parts: tuple[AnalyticsService, SinkedEventStore],
) -> None:
    analytics, store = parts
    store.append([view(1, "a", "c-1"), view(2, "b", "c-1"), view(3, "c", "gone-1"),
                  view(12, "d", "gone-2"), view(40, "e", "c-1")])
    now = analytics.live_now(ANALYST)
    assert (now.snapshot.active_5, now.snapshot.active_30) == (3, 4)
    rows = now.items.astype(object).where(now.items.notna(), None).to_dict("records")
    assert rows == [
        {"content_id": "c-1", "title": "금융 리스크 데모", "visitors": 2},
        {"content_id": DELETED_ITEMS, "title": None, "visitors": 2},  # always the last row
    ]
    assert now.per_minute["events"].sum() == 4  # the 40-minute-old view is off the chart
    # Shown in the dashboards' zone, oldest minute first.
    assert now.per_minute["minute"].iloc[-1] == datetime(2026, 3, 10, 8, 30, tzinfo=SEOUL)


def test_nobody_there_is_an_empty_panel(
    parts: tuple[AnalyticsService, SinkedEventStore],
) -> None:
    now = parts[0].live_now(ANALYST)
    assert now.is_empty and now.items.empty and now.pages.empty
    assert len(now.per_minute) == 30
