"""SqliteAuditLog specifics: the stored JSON and limits SQLite would misread."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.adapters.sqlite.audit import SqliteAuditLog
from services.adapters.sqlite.db import SqliteDatabase
from services.domain.models import AuditEntry

T0 = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "app.sqlite3")
    database.migrate()
    yield database
    database.close()


def entry(**detail: str) -> AuditEntry:
    return AuditEntry(
        ts=T0, actor="admin", action="user.create", target="kim", outcome="ok", detail=detail
    )


def test_detail_is_stored_as_readable_json(db: SqliteDatabase) -> None:
    SqliteAuditLog(db).record(entry(reason="권한 변경"))

    stored = db.connection().execute("SELECT detail FROM audit").fetchone()[0]

    assert json.loads(stored) == {"reason": "권한 변경"}
    assert "권한" in stored  # not \\uXXXX escapes: readable with the sqlite3 shell


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_returns_nothing(db: SqliteDatabase, limit: int) -> None:
    # SQLite reads LIMIT -1 as "no limit".
    log = SqliteAuditLog(db)
    log.record(entry())

    assert log.entries(limit=limit) == []


def test_entries_with_the_same_time_come_last_recorded_first(db: SqliteDatabase) -> None:
    log = SqliteAuditLog(db)
    for target in ("first", "second", "third"):
        log.record(AuditEntry(ts=T0, actor="a", action="x", target=target, outcome="ok"))

    assert [e.target for e in log.entries()] == ["third", "second", "first"]
