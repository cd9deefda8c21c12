"""AccountTokenStore on SQLite: one row per mailed link, used by one conditional UPDATE."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.adapters.sqlite.db import Migration, SqliteDatabase, from_db_time, to_db_time
from services.domain.tokens import AccountToken, TokenPurpose

SCHEMA: dict[str, tuple[Migration, ...]] = {
    "account_tokens": (
        (
            """CREATE TABLE account_tokens (
                key TEXT PRIMARY KEY,
                purpose TEXT NOT NULL,
                username TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_at TEXT
            )""",
            "CREATE INDEX account_tokens_expires ON account_tokens(expires_at)",
        ),
        ("ALTER TABLE account_tokens ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0",),
        ("ALTER TABLE account_tokens ADD COLUMN email TEXT NOT NULL DEFAULT ''",),
    ),
}


class SqliteAccountTokens:
    """Implements ``services.ports.AccountTokenStore``; migrates its own table. SQLite has no
    TTL: each ``put`` first drops the tokens that have expired."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        db.migrate(extra=SCHEMA)

    def put(self, token: AccountToken) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM account_tokens WHERE expires_at < ?",
                         (to_db_time(token.created_at),))
            conn.execute(
                "INSERT OR REPLACE INTO account_tokens"
                " (key, purpose, username, created_at, expires_at, epoch, email, used_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (token.key, token.purpose.value, token.username,
                 to_db_time(token.created_at), to_db_time(token.expires_at), token.epoch,
                 token.email),
            )

    def use(self, key: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "UPDATE account_tokens SET used_at = ?"
                " WHERE key = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?"
                " RETURNING key, purpose, username, created_at, expires_at, epoch, email",
                (to_db_time(now), key, purpose.value, to_db_time(now)),
            ).fetchone()
        return None if row is None else _token(row)

    def find(self, key: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT key, purpose, username, created_at, expires_at, epoch, email"
                " FROM account_tokens"
                " WHERE key = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
                (key, purpose.value, to_db_time(now)),
            ).fetchone()
        return None if row is None else _token(row)


def _token(row: Mapping[str, Any]) -> AccountToken:
    return AccountToken(
        key=row["key"], purpose=TokenPurpose(row["purpose"]), username=row["username"],
        created_at=from_db_time(row["created_at"]), expires_at=from_db_time(row["expires_at"]),
        epoch=int(row["epoch"]), email=row["email"],
    )
