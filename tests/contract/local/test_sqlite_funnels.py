"""SQLite funnel store specifics: visits past the raw-event retention are forgotten by the
housekeeping (through ``SinkedEventStore.prune``), and the counts they made stay; a funnel
deleted while events are counted gets no rows back; a funnel saved before back-fills were marked
reads as back-filled."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.adapters.sqlite.funnels import SCHEMA, SqliteFunnelStore
from services.analytics.ingest import SinkedEventStore
from services.domain.funnels import Funnel
from services.errors import ConflictError
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_funnel_store import (
    CLAIM_AT,
    DAY,
    HOME_DOWNLOAD,
    NOON,
    known_visits,
    saved_funnel,
)

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


def test_a_funnel_saved_before_back_fills_were_marked_reads_as_back_filled(
        tmp_path: Path) -> None:
    """The old code back-filled a funnel in the same call that saved it."""
    db = SqliteDatabase(tmp_path / "f.db")
    db.migrate(extra={"funnels": SCHEMA["funnels"][:1]})  # the first version of the tables
    funnel = saved_funnel()
    with db.transaction() as conn:
        conn.execute("INSERT INTO funnels (id, owner, name, steps, window_minutes, created_at,"
                     " counted_from) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (funnel.id, funnel.owner, funnel.name,
                      '[{"kind": "event", "value": "content_view", "category": "Finance"},'
                      ' {"kind": "event", "value": "download", "category": "Finance"}]',
                      funnel.window_minutes, "2026-03-03T00:00:00.000000+00:00", "2026-01-01"))

    funnels = SqliteFunnelStore(db, EVENT_TZ, RETENTION_DAYS)

    assert funnels.get(funnel.id) == funnel
    assert not funnels.claim_backfill(funnel.id, CLAIM_AT, CLAIM_AT + timedelta(minutes=10))


def test_funnels_saved_before_names_were_kept_apart_keep_their_names_and_hold_them(
        tmp_path: Path) -> None:
    """Two of one owner's funnels of one name from before both stay; the name is then held."""
    db = SqliteDatabase(tmp_path / "f.db")
    db.migrate(extra={"funnels": SCHEMA["funnels"][:2]})  # the tables before name keys
    old = saved_funnel()
    with db.transaction() as conn:
        for funnel_id, name in (("old-1", "관리자 퍼널"), ("old-2", "관리자퍼널")):
            conn.execute("INSERT INTO funnels (id, owner, name, steps, window_minutes,"
                         " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         (funnel_id, old.owner, name, '[{"kind": "page", "value": "home"}]',
                          30, "2026-03-03T00:00:00.000000+00:00"))

    funnels = SqliteFunnelStore(db, EVENT_TZ, RETENTION_DAYS)

    assert [f.id for f in funnels.list()] == ["old-1", "old-2"]
    with pytest.raises(ConflictError):
        funnels.save(replace(old, id="new", name="관리자 퍼널"))
