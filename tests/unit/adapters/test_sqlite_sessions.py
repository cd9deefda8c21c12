"""SQLite has no TTL: the session store drops expired records itself, so sign-ins that
nobody signed out of do not pile up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.sessions import SqliteSessionStore
from services.domain.identity import SessionRecord
from services.domain.models import utcnow
from services.errors import NotFound


def test_a_put_drops_the_records_that_expired(tmp_path: Path) -> None:
    store = SqliteSessionStore(SqliteDatabase(tmp_path / "db.sqlite3"))
    now = utcnow()
    store.put("old", SessionRecord("kim", "", now - timedelta(days=8), now - timedelta(days=1)))
    store.put("live", SessionRecord("kim", "", now, now + timedelta(days=7)))
    store.put("new", SessionRecord("lee", "", now, now + timedelta(days=7)))

    with pytest.raises(NotFound):
        store.get("old")
    assert store.get("live").username == "kim"
