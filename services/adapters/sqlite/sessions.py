"""SessionStore on SQLite (local sign-in, and tests of the Cognito sign-in service)."""

from __future__ import annotations

from services.adapters.sqlite.db import Migration, SqliteDatabase, from_db_time, to_db_time
from services.domain.identity import SessionRecord
from services.domain.models import utcnow
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
        (
            "ALTER TABLE sessions ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0",
            """CREATE TABLE session_epochs (
                username TEXT PRIMARY KEY,
                epoch INTEGER NOT NULL
            )""",
        ),
    ),
}


class SqliteSessionStore:
    """Implements ``services.ports.SessionStore``; migrates its own tables. SQLite has no TTL:
    each ``put`` first drops the records that have expired (indexed on ``expires_at``)."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        db.migrate(extra=SCHEMA)

    def put(self, key: str, record: SessionRecord) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (to_db_time(utcnow()),))
            conn.execute(
                "INSERT OR REPLACE INTO sessions"
                " (key, username, token, created_at, expires_at, epoch)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, record.username, record.encrypted_refresh_token,
                 to_db_time(record.created_at), to_db_time(record.expires_at), record.epoch),
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
            epoch=int(row["epoch"]),
        )

    def delete(self, key: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE key = ?", (key,))

    def user_epoch(self, username: str) -> int:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT epoch FROM session_epochs WHERE username = ?", (username,)
            ).fetchone()
        return int(row["epoch"]) if row else 0

    def bump_user_epoch(self, username: str) -> int:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO session_epochs (username, epoch) VALUES (?, 1)"
                " ON CONFLICT(username) DO UPDATE SET epoch = epoch + 1",
                (username,),
            )
            # The user's records can no longer be used; drop them now rather than at expiry.
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))
            row = conn.execute(
                "SELECT epoch FROM session_epochs WHERE username = ?", (username,)
            ).fetchone()
        return int(row["epoch"])
