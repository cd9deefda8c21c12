"""SqliteDatabase: pragmas, migrations, transactions, threads, error translation."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from services.adapters.sqlite.db import SqliteDatabase, from_db_time, to_db_time
from services.errors import ServiceUnavailable, ValidationError


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "nested" / "dir" / "app.sqlite3")
    database.migrate()
    yield database
    database.close()


def tables(db: SqliteDatabase) -> set[str]:
    rows = db.connection().execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in rows}


def test_parent_folder_is_created(db: SqliteDatabase) -> None:
    assert db.path.is_file()


def test_connection_pragmas(db: SqliteDatabase) -> None:
    conn = db.connection()

    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migrate_creates_every_table_and_is_idempotent(db: SqliteDatabase) -> None:
    before = tables(db)

    versions = db.migrate()

    # users 2: password_temporary, 3: sign-up fields, 4: email verified and sign-up language,
    # 5: the profile's language and role request; content 2: the pair index for short words,
    # 3: the likes' index by user, 4: the publication moment
    assert versions == {"content": 4, "users": 5, "audit": 2}
    assert tables(db) == before
    assert {
        "content",
        "assets",
        "likes",
        "content_fts",
        "content_grams",
        "users",
        "login_failures",
        "audit",
        "schema_version",
    } <= before


def test_migrate_keeps_data(db: SqliteDatabase) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO audit (ts, actor, action, target, outcome, detail)"
            " VALUES ('t', 'a', 'b', 'c', 'ok', '{}')"
        )

    db.migrate()

    assert db.connection().execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 1


def test_extra_components_migrate_step_by_step(db: SqliteDatabase) -> None:
    step1 = ("CREATE TABLE events (id INTEGER PRIMARY KEY)",)
    step2 = ("ALTER TABLE events ADD COLUMN kind TEXT",)

    assert db.migrate({"events": [step1]})["events"] == 1
    # Step 1 is not run again (it would fail: the table exists).
    assert db.migrate({"events": [step1, step2]})["events"] == 2
    columns = [r[1] for r in db.connection().execute("PRAGMA table_info(events)")]
    assert columns == ["id", "kind"]


def test_a_failing_migration_leaves_nothing_behind(db: SqliteDatabase) -> None:
    broken = ("CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL")

    with pytest.raises(ServiceUnavailable, match="syntax error"):
        db.migrate({"broken": [broken]})

    assert "half_done" not in tables(db)
    recorded = db.connection().execute("SELECT component FROM schema_version").fetchall()
    assert "broken" not in {row[0] for row in recorded}


def test_transaction_rolls_back_on_error(db: SqliteDatabase) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute(
            "INSERT INTO audit (ts, actor, action, target, outcome, detail)"
            " VALUES ('t', 'a', 'b', 'c', 'ok', '{}')"
        )
        raise RuntimeError("boom")

    assert db.connection().execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0
    assert not db.connection().in_transaction


def test_nested_transaction_joins_the_outer_one(db: SqliteDatabase) -> None:
    with pytest.raises(RuntimeError), db.transaction() as outer:
        with db.transaction() as inner:
            assert inner is outer
            inner.execute(
                "INSERT INTO audit (ts, actor, action, target, outcome, detail)"
                " VALUES ('t', 'a', 'b', 'c', 'ok', '{}')"
            )
        raise RuntimeError("the outer block fails after the inner one finished")

    assert db.connection().execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0


def test_each_thread_has_its_own_connection(db: SqliteDatabase) -> None:
    seen: list[sqlite3.Connection] = []
    worker = threading.Thread(target=lambda: seen.append(db.connection()))
    worker.start()
    worker.join()

    assert seen[0] is not db.connection()
    assert db.connection() is db.connection()


def test_database_failures_become_service_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db.sqlite3"
    path.write_bytes(b"this is not a sqlite file" * 100)
    db = SqliteDatabase(path)

    with pytest.raises(ServiceUnavailable):
        db.migrate()


def test_a_locked_database_becomes_service_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    holder, waiter = SqliteDatabase(path), SqliteDatabase(path, busy_timeout_ms=50)
    holder.migrate()

    with holder.transaction(), pytest.raises(ServiceUnavailable), waiter.transaction():
        pass
    holder.close()
    waiter.close()


def test_times_are_stored_as_sortable_utc_text() -> None:
    kst = datetime(2025, 1, 1, 9, 0, 0, 5, tzinfo=timezone(timedelta(hours=9)))

    text = to_db_time(kst)

    assert text == "2025-01-01T00:00:00.000005+00:00"
    assert from_db_time(text) == kst and from_db_time(text).tzinfo == UTC
    assert to_db_time(datetime(2025, 1, 1, 10, tzinfo=UTC)) > text


def test_naive_times_are_rejected() -> None:
    with pytest.raises(ValidationError):
        to_db_time(datetime(2025, 1, 1))
