"""An item page's own funnels (view -> download, view -> like): the item's visits only, this
period and the previous one, and only for those who may read the item's page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.adapters.sqlite.funnels import SqliteFunnelStore
from services.analytics.service import AnalyticsService
from services.domain.analytics import Event, EventType
from services.errors import PermissionDenied
from tests.unit.analytics.test_item_pages import (
    ALICE_ITEM,
    ANALYST,
    AUTHOR,
    BOB_ITEM,
    NOW,
    OTHER_AUTHOR,
    SEOUL,
    WEEK,
    ListTracker,
)


class Stores:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        self.events = SqliteEventStore(db, SEOUL, 36500)
        self.funnels = SqliteFunnelStore(db, SEOUL)
        self.n = 0

    def visit(self, session: str, item: str, *steps: EventType, start: datetime = NOW) -> None:
        """One visit's events on ``item``, a minute apart, into both stores (as ingest does)."""
        made = []
        for minutes, kind in enumerate(steps):
            self.n += 1
            made.append(Event(f"e{self.n}", start + timedelta(minutes=minutes), kind, session,
                              content_id=item))
        self.events.append(made)
        self.funnels.ingest(made)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[Stores]:
    db = SqliteDatabase(tmp_path / "db.sqlite3")
    db.migrate()
    yield Stores(db)
    db.close()


def service_of(stores: Stores, with_funnels: bool = True) -> AnalyticsService:
    repo = SqliteContentRepository(stores.db)
    for one in (ALICE_ITEM, BOB_ITEM):
        repo.add(one)
    return AnalyticsService(stores.events, repo, ListTracker(), SEOUL, clock=lambda: NOW,
                            funnels=stores.funnels if with_funnels else None)


VIEW, LIKE, DOWNLOAD = EventType.CONTENT_VIEW, EventType.LIKE, EventType.DOWNLOAD


def test_the_item_page_shows_its_own_funnels_against_the_previous_period(
        stores: Stores) -> None:
    for n in range(4):  # 4 visits view Alice's item, 3 download it, 1 likes it
        stores.visit(f"s{n}", ALICE_ITEM.id, VIEW, *([DOWNLOAD] if n < 3 else [LIKE]))
    stores.visit("bob", BOB_ITEM.id, VIEW, DOWNLOAD, LIKE)  # another item: not in hers
    stores.visit("old", ALICE_ITEM.id, VIEW, DOWNLOAD, start=NOW - timedelta(days=7))

    download, like = service_of(stores).item_page(AUTHOR, ALICE_ITEM.id, WEEK).funnels

    assert [r.visits for r in download.rows] == [4, 3]
    assert [r.previous_visits for r in download.rows] == [1, 1]
    assert download.rows[1].conversion == 0.75 and download.rows[1].drop_off == 0.25
    assert [r.visits for r in like.rows] == [4, 1]
    assert download.funnel.name == "itempage.funnel.download"
    assert all(s.content_id == ALICE_ITEM.id for s in download.funnel.steps)


def test_only_who_may_read_the_item_page_reads_its_funnels(stores: Stores) -> None:
    stores.visit("s1", BOB_ITEM.id, VIEW, DOWNLOAD)
    service = service_of(stores)

    with pytest.raises(PermissionDenied):
        service.item_page(AUTHOR, BOB_ITEM.id, WEEK)
    with pytest.raises(PermissionDenied):
        service.item_page(OTHER_AUTHOR, ALICE_ITEM.id, WEEK)
    assert [r.visits for r in service.item_page(ANALYST, BOB_ITEM.id, WEEK).funnels[0].rows] \
        == [1, 1]
    assert service.item_page(AUTHOR, ALICE_ITEM.id, WEEK).funnels[0].entered == 0


def test_without_a_funnel_store_the_page_has_no_funnels(stores: Stores) -> None:
    stores.visit("s1", ALICE_ITEM.id, VIEW, DOWNLOAD)

    page = service_of(stores, with_funnels=False).item_page(AUTHOR, ALICE_ITEM.id, WEEK)

    assert page.funnels == () and page.totals.downloads == 1
