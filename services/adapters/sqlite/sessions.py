"""SessionStore on SQLite (for local runs and tests of the Cognito sign-in service)."""

from __future__ import annotations

from services.adapters.sqlite.db import Migration, SqliteDatabase, from_db_time, to_db_time
from services.domain.identity import SessionRecord
from services.errors import NotFound

SCHEMA: dict[str, tuple[Migration, ...]] = {
    "sessions": (
        (
            """CREATE TABLE sessions (
                key TEXT PRIMARY KEY,
                username TEXT NOT NULL,
                token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )""",
            "CREATE INDEX sessions_expires ON sessions(expires_at)",
        ),
    ),
}


class SqliteSessionStore:
    """Implements ``services.ports.SessionStore``; migrates its own table."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        db.migrate(extra=SCHEMA)

    def put(self, key: str, record: SessionRecord) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sessions (key, username, token, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, record.username, record.encrypted_refresh_token,
                 to_db_time(record.created_at), to_db_time(record.expires_at)),
            )

    def get(self, key: str) -> SessionRecord:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise NotFound("errors.not_found")
        return SessionRecord(
            username=row["username"],
            encrypted_refresh_token=row["token"],
            created_at=from_db_time(row["created_at"]),
            expires_at=from_db_time(row["expires_at"]),
        )

    def delete(self, key: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE key = ?", (key,))
