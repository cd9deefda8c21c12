"""Items deleted (or unpublished) since their events: still counted, listed once.

Twenty items that no longer exist must not fill the top-content table with twenty untitled
rows; their events stay in every total, and the per-item table shows them as one row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.dashboards import Period, dashboard
from services.analytics.tables import DELETED_ITEMS, Catalog, CatalogItem, Filters
from services.domain.analytics import Event, EventType
from services.i18n import translate
from services.reports.context import authors_section, productivity_section

SEOUL = ZoneInfo("Asia/Seoul")
DAY = date(2026, 3, 10)
PERIOD = Period(DAY - timedelta(days=6), DAY)
CATALOG = Catalog([CatalogItem("kept", "남은 데모", "Finance", "a1", "김민수")])


def view(n: int, content_id: str, category: str = "Finance", type_: EventType =
         EventType.CONTENT_VIEW) -> Event:
    return Event(id=f"e{n:05d}", ts=datetime(2026, 3, 9, 3, tzinfo=UTC) + timedelta(minutes=n),
                 type=type_, session_id=f"s{n}", content_id=content_id, category=category,
                 author_id="a1" if content_id == "kept" else "a9")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteEventStore]:
    db = SqliteDatabase(tmp_path / "db.sqlite3")
    db.migrate()
    events = SqliteEventStore(db, SEOUL, 36500)
    gone = [view(i, f"gone-{i}", "Generative AI") for i in range(20)]  # one view each
    likes = [view(100 + i, f"gone-{i}", "Generative AI", EventType.LIKE) for i in range(3)]
    kept = [view(200 + i, "kept") for i in range(5)]
    events.append([*gone, *likes, *kept])
    yield events
    db.close()


def test_deleted_items_show_once_and_stay_in_the_totals(store: SqliteEventStore) -> None:
    board = dashboard(store, None, PERIOD, catalog=CATALOG)  # type: ignore[arg-type]
    top = board.top_content
    assert top["content_id"].tolist() == [DELETED_ITEMS, "kept"]
    gone = top.iloc[0]
    assert pd.isna(gone["title"]) and pd.isna(gone["category"])
    assert (gone["views"], gone["likes"]) == (20, 3)
    kpis = {kpi.key: kpi for kpi in board.kpis}
    assert kpis["content_views"].value == 25  # the deleted items' views still count
    assert kpis["likes"].value == 3
    categories = board.categories.set_index("category")["views"]
    assert categories["Generative AI"] == 20 and categories["Finance"] == 5


def test_authors_with_nothing_published_any_more_show_once(store: SqliteEventStore) -> None:
    extra = [view(300 + i, f"other-{i}") for i in range(2)]
    store.append([replace(e, author_id=f"gone-author-{i}") for i, e in enumerate(extra)])
    authors = dashboard(store, None, PERIOD, catalog=CATALOG).authors  # type: ignore[arg-type]
    assert authors["author_id"].tolist() == [DELETED_ITEMS, "a1"]
    assert pd.isna(authors["author"].iloc[0]) and authors["author"].iloc[1] == "김민수"
    assert authors["views"].tolist() == [22, 5]  # "a9" and both gone authors, summed
    assert authors["items"].tolist() == [0, 1]


def test_the_deleted_items_row_ranks_among_the_others_and_within_the_limit(
    store: SqliteEventStore,
) -> None:
    board = dashboard(store, None, PERIOD, catalog=CATALOG, limit=1)  # type: ignore[arg-type]
    assert board.top_content["content_id"].tolist() == [DELETED_ITEMS]


def test_with_a_filter_deleted_items_are_left_out(store: SqliteEventStore) -> None:
    board = dashboard(store, None, PERIOD, Filters(category="Finance"),  # type: ignore[arg-type]
                      catalog=CATALOG)
    assert board.top_content["content_id"].tolist() == ["kept"]


def test_the_row_has_a_name_in_both_languages() -> None:
    names = {lang: translate(lang, "analytics.deleted_items") for lang in ("ko", "en")}
    assert names["en"].lower().startswith("deleted")
    assert "삭제" in names["ko"] and names["ko"] != names["en"]


def test_reports_rank_named_authors_and_keep_every_view_in_the_shares(
    store: SqliteEventStore,
) -> None:
    board = dashboard(store, None, PERIOD, catalog=CATALOG)  # type: ignore[arg-type]
    before = dashboard(store, None, PERIOD.previous(), catalog=CATALOG)  # type: ignore[arg-type]
    ranked = authors_section(board, before, limit=10)
    assert [row["author"] for row in ranked] == ["김민수"]
    assert ranked[0]["share"] == pytest.approx(5 / 25)  # of all views, deleted items' too
    assert productivity_section(board)["active_authors"] == 1
