"""The SQLite live window stays bounded: what left the kept window is deleted on the next write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.live import SqliteLiveWindow
from services.domain.analytics import Event, EventType

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_old_rows_are_pruned_on_the_next_write(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "db.sqlite3")
    db.migrate()
    moments = iter([NOW, NOW + timedelta(minutes=36)])
    live = SqliteLiveWindow(db, clock=lambda: next(moments))
    live.ingest([Event(id=f"e{i}", ts=NOW - timedelta(minutes=i), type=EventType.PAGE_VIEW,
                       session_id=f"s{i}", page="home") for i in range(3)])
    tables = ("live_events", "live_minutes", "live_visitors")

    def rows() -> list[int]:
        conn = db.connection()
        return [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in tables]

    assert rows() == [3, 3, 3]
    live.ingest([])  # 36 minutes later: everything is older than the kept 35 minutes
    assert rows() == [0, 0, 0]
    db.close()
