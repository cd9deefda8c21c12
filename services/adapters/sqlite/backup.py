"""A consistent copy of the local database while the app runs, and what the copy holds.

``sqlite3.Connection.backup`` (SQLite's online backup API) copies the pages of one read
snapshot: writers go on meanwhile (WAL), and the copy is the database as it was at one commit,
never half of a transaction. The copy is then made a single self-contained file (rollback
journal, no ``-wal`` beside it) so that its checksum is the whole story.

The counts are read from the copy, not from the live file, so the manifest describes exactly
what was saved.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from services.errors import ServiceUnavailable

# manifest name -> table; a table a component has not created yet counts 0
COUNTED_TABLES = {
    "items": "content",
    "assets": "assets",
    "users": "users",
    "events": "events",
    "audit_entries": "audit",
    "reports": "reports",
    "inquiries": "inquiries",
}


def snapshot(source: Path, dest: Path, pages_per_step: int = 256) -> None:
    """Copy the database at ``source`` to the new file ``dest`` (online, consistent)."""
    try:
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(dest)) as copy:
            # Small steps let the app's writers in between; the backup restarts by itself if
            # a writer changed pages it had copied, so the result is still one snapshot.
            live.backup(copy, pages=pages_per_step)
            copy.execute("PRAGMA journal_mode = DELETE").fetchall()
            problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise ServiceUnavailable("errors.service_unavailable", detail=str(exc)) from exc
    if problem != "ok":
        raise ServiceUnavailable("errors.service_unavailable", detail=str(problem))


def counts(path: Path) -> dict[str, int]:
    """Rows per kind of record in the database file at ``path``."""
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        return {
            name: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608
            if table in tables else 0
            for name, table in COUNTED_TABLES.items()
        }


def storage_keys(path: Path) -> set[str]:
    """The file key of every asset record in the database file at ``path``."""
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "assets" not in tables:
            return set()
        return {str(row[0]) for row in conn.execute("SELECT storage_key FROM assets")}
