"""FollowStore on SQLite (local mode): follows, digest frequencies and kept digests.

A digest window is claimed by inserting its (user, window) row with INSERT OR IGNORE inside a
write transaction: exactly one claim of a pair sees a changed row, so two runs (or threads)
never both send it. The row's content is filled in afterwards (``keep``); a row without content
is a claim whose run stopped before sending (at most once: it is not sent again).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.adapters.sqlite.db import Migration, SqliteDatabase
from services.domain.follows import Digest, Follow, FollowScope, Frequency

_FOLLOWS: tuple[Migration, ...] = (
    (
        """CREATE TABLE follows (
            user_id TEXT NOT NULL,
            metric TEXT NOT NULL,
            scope TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (user_id, metric, scope, value)
        ) WITHOUT ROWID""",
        """CREATE TABLE digest_users (
            user_id TEXT PRIMARY KEY,
            frequency TEXT NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE digests (
            user_id TEXT NOT NULL,
            window TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            subject TEXT,
            body TEXT,
            sent INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, window)
        ) WITHOUT ROWID""",
    ),
)

SCHEMA: dict[str, Sequence[Migration]] = {"follows": _FOLLOWS}


class SqliteFollowStore:
    """Implements ``services.ports.FollowStore``; brings its own tables (idempotent)."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        db.migrate(extra=SCHEMA)

    def follow(self, follow: Follow) -> bool:
        with self._db.transaction() as conn:
            added = conn.execute("INSERT OR IGNORE INTO follows VALUES (?, ?, ?, ?)",
                                 (follow.user_id, follow.metric, follow.scope.value,
                                  follow.value))
            return added.rowcount == 1

    def unfollow(self, user_id: str, key: str) -> None:
        metric, scope, value = key.split("|", 2)
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM follows WHERE user_id = ? AND metric = ? AND scope = ?"
                         " AND value = ?", (user_id, metric, scope, value))

    def follows(self, user_id: str) -> list[Follow]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT metric, scope, value FROM follows WHERE user_id = ?"
                                " ORDER BY metric, scope, value", (user_id,)).fetchall()
        return [Follow(user_id, r["metric"], FollowScope(r["scope"]), r["value"]) for r in rows]

    def set_frequency(self, user_id: str, frequency: Frequency) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO digest_users VALUES (?, ?) ON CONFLICT (user_id)"
                         " DO UPDATE SET frequency = excluded.frequency",
                         (user_id, frequency.value))

    def frequency(self, user_id: str) -> Frequency:
        with self._db.read() as conn:
            row = conn.execute("SELECT frequency FROM digest_users WHERE user_id = ?",
                               (user_id,)).fetchone()
        return Frequency(row["frequency"]) if row else Frequency.NONE

    def due_users(self, frequency: Frequency) -> list[str]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT user_id FROM digest_users WHERE frequency = ?"
                                " ORDER BY user_id", (frequency.value,)).fetchall()
        return [r["user_id"] for r in rows]

    def claim(self, user_id: str, window: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO digests (user_id, window, claimed_at) VALUES (?, ?, ?)",
                (user_id, window, datetime.now().astimezone().isoformat()))
            return cursor.rowcount == 1

    def keep(self, digest: Digest) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE digests SET claimed_at = ?, subject = ?, body = ?, sent = ?"
                         " WHERE user_id = ? AND window = ?",
                         (digest.created_at.isoformat(), digest.subject, digest.body,
                          int(digest.sent), digest.user_id, digest.window))

    def forget_user(self, user_id: str) -> None:
        with self._db.transaction() as conn:
            for table in ("follows", "digest_users", "digests"):
                conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))  # noqa: S608

    def digests(self, user_id: str, limit: int = 5) -> list[Digest]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT * FROM digests WHERE user_id = ? AND body IS NOT NULL"
                                " ORDER BY claimed_at DESC LIMIT ?", (user_id, limit)).fetchall()
        return [Digest(user_id, r["window"], datetime.fromisoformat(r["claimed_at"]),
                       r["subject"], r["body"], bool(r["sent"])) for r in rows]
