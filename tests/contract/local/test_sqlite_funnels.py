"""SQLite funnel store specifics: visits past the raw-event retention are forgotten by the
housekeeping (through ``SinkedEventStore.prune``), and the counts they made stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.adapters.sqlite.funnels import SqliteFunnelStore
from services.analytics.ingest import SinkedEventStore
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_funnel_store import DAY, HOME_DOWNLOAD, NOON, known_visits

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
