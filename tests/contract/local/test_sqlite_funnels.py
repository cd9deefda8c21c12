"""SQLite funnel store specifics: visits past the raw-event retention are forgotten by the
housekeeping (through ``SinkedEventStore.prune``), and the counts they made stay; a funnel
deleted while events are counted gets no rows back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.adapters.sqlite.funnels import SqliteFunnelStore
from services.analytics.ingest import SinkedEventStore
from services.domain.funnels import Funnel
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_funnel_store import DAY, HOME_DOWNLOAD, NOON, known_visits, saved_funnel

RETENTION_DAYS = 30


def _visit_rows(db: SqliteDatabase) -> int:
    with db.transaction() as conn:
        return int(conn.execute("SELECT count(*) FROM funnel_visits").fetchone()[0])


def test_housekeeping_forgets_old_visits_and_keeps_their_counts(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "f.db")
    funnels = SqliteFunnelStore(db, EVENT_TZ, RETENTION_DAYS)
    store = SinkedEventStore(SqliteEventStore(db, EVENT_TZ, RETENTION_DAYS), [funnels])
    store.append(known_visits().events)
    assert _visit_rows(db) > 0

    store.prune(NOON + timedelta(days=RETENTION_DAYS - 1))  # still inside: kept
    assert _visit_rows(db) > 0
    store.prune(NOON + timedelta(days=RETENTION_DAYS + 1))

    assert _visit_rows(db) == 0
    assert funnels.counts(HOME_DOWNLOAD.id, 3, DAY, DAY) == [8, 7, 5]


def _rows_of(db: SqliteDatabase, funnel_id: str) -> tuple[int, int]:
    with db.transaction() as conn:
        visits = conn.execute("SELECT count(*) FROM funnel_visits WHERE funnel_id = ?",
                              (funnel_id,)).fetchone()[0]
        counts = conn.execute("SELECT count(*) FROM funnel_counts WHERE funnel_id = ?",
                              (funnel_id,)).fetchone()[0]
    return int(visits), int(counts)


def test_a_funnel_deleted_while_events_are_counted_gets_no_rows_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ingest read the definitions, then the funnel was deleted (its rows with it), then
    the ingest wrote: rows of a funnel nobody can see or delete again."""
    db = SqliteDatabase(tmp_path / "f.db")
    funnels = SqliteFunnelStore(db, EVENT_TZ, RETENTION_DAYS)
    funnel = saved_funnel()
    funnels.save(funnel)
    listed = funnels.list

    def listed_then_deleted(owner: str | None = None) -> list[Funnel]:
        found = listed(owner)
        funnels.delete(funnel.id)
        return found

    monkeypatch.setattr(funnels, "list", listed_then_deleted)
    funnels.ingest(known_visits().events)

    assert _rows_of(db, funnel.id) == (0, 0)
    assert funnels.counts(HOME_DOWNLOAD.id, 3, DAY, DAY) == [8, 7, 5]  # the rest is counted
