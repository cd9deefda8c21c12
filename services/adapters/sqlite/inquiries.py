"""InquiryStore on SQLite (local mode).

Rate-limit counters (``take_slot``) live in ``inquiry_rate``, one row per key and window; the
check and the increment run in one ``BEGIN IMMEDIATE`` transaction, so concurrent submissions
queue for the write lock and cannot all see the same count. Rows of past windows are deleted
in the same transaction.

Submission tokens (``add_once``) live in ``inquiry_tokens``; the token's row and the inquiry
are written in one transaction, and the token is the primary key, so a repeated token files
nothing and finds the inquiry the first one filed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from services.adapters.sqlite.db import Migration, SqliteDatabase, from_db_time, to_db_time
from services.domain.inquiries import Inquiry, InquiryStatus, InquiryType, RateLimit
from services.errors import ConflictError, NotFound

SCHEMA: dict[str, tuple[Migration, ...]] = {
    "inquiries": (
        (
            """CREATE TABLE inquiries (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                name TEXT NOT NULL,
                email TEXT NOT NULL,
                company TEXT NOT NULL,
                type TEXT NOT NULL,
                subject TEXT NOT NULL,
                message TEXT NOT NULL,
                status TEXT NOT NULL,
                submitted_by TEXT,
                handled_by TEXT,
                handled_at TEXT
            )""",
            "CREATE INDEX inquiries_status_created ON inquiries(status, created_at, id)",
        ),
        (
            """CREATE TABLE inquiry_rate (
                key TEXT NOT NULL,
                bucket INTEGER NOT NULL,
                taken INTEGER NOT NULL,
                expires INTEGER NOT NULL,
                PRIMARY KEY (key, bucket)
            ) WITHOUT ROWID""",
            "CREATE INDEX inquiry_rate_expires ON inquiry_rate(expires)",
        ),
        (
            """CREATE TABLE inquiry_tokens (
                token TEXT PRIMARY KEY,
                inquiry_id TEXT NOT NULL REFERENCES inquiries(id) ON DELETE CASCADE
            ) WITHOUT ROWID""",
        ),
    ),
}
_COLUMNS = ("id", "created_at", "name", "email", "company", "type", "subject", "message",
            "status", "submitted_by", "handled_by", "handled_at")


class SqliteInquiryStore:
    """Implements ``services.ports.InquiryStore``; migrates its own table."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        db.migrate(extra=SCHEMA)

    def add(self, inquiry: Inquiry) -> None:
        values = _values(inquiry)
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    f"INSERT INTO inquiries ({', '.join(_COLUMNS)})"  # noqa: S608
                    f" VALUES ({', '.join('?' for _ in _COLUMNS)})",
                    values,
                )
        except sqlite3.IntegrityError as exc:
            raise ConflictError("errors.conflict", id=inquiry.id) from exc

    def add_once(self, inquiry: Inquiry, token: str) -> Inquiry:
        with self._db.transaction() as conn:  # BEGIN IMMEDIATE: the check and the insert
            row = conn.execute(
                "SELECT i.* FROM inquiry_tokens t JOIN inquiries i ON i.id = t.inquiry_id"
                " WHERE t.token = ?", (token,),
            ).fetchone()
            if row is not None:
                return _inquiry(row)
            try:
                conn.execute(
                    f"INSERT INTO inquiries ({', '.join(_COLUMNS)})"  # noqa: S608
                    f" VALUES ({', '.join('?' for _ in _COLUMNS)})",
                    _values(inquiry),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("errors.conflict", id=inquiry.id) from exc
            conn.execute("INSERT INTO inquiry_tokens (token, inquiry_id) VALUES (?, ?)",
                         (token, inquiry.id))
        return inquiry

    def find_by_token(self, token: str) -> Inquiry | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT i.* FROM inquiry_tokens t JOIN inquiries i ON i.id = t.inquiry_id"
                " WHERE t.token = ?", (token,),
            ).fetchone()
        return _inquiry(row) if row is not None else None

    def get(self, inquiry_id: str) -> Inquiry:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM inquiries WHERE id = ?", (inquiry_id,)).fetchone()
        if row is None:
            raise NotFound("errors.not_found", id=inquiry_id)
        return _inquiry(row)

    def list(self, status: InquiryStatus, limit: int = 200) -> list[Inquiry]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM inquiries WHERE status = ? ORDER BY created_at DESC, id DESC"
                " LIMIT ?",
                (status.value, limit),
            ).fetchall()
        return [_inquiry(r) for r in rows]

    def set_status(
        self, inquiry_id: str, status: InquiryStatus, handled_by: str | None,
        handled_at: datetime | None,
    ) -> Inquiry:
        with self._db.transaction() as conn:
            row = conn.execute(
                "UPDATE inquiries SET status = ?, handled_by = ?, handled_at = ? WHERE id = ?"
                " RETURNING *",
                (status.value, handled_by, _time_or_none(handled_at), inquiry_id),
            ).fetchone()
        if row is None:
            raise NotFound("errors.not_found", id=inquiry_id)
        return _inquiry(row)


    def take_slot(self, limits: Sequence[RateLimit], now: datetime) -> str | None:
        with self._db.transaction() as conn:  # BEGIN IMMEDIATE: one writer at a time
            conn.execute("DELETE FROM inquiry_rate WHERE expires <= ?", (int(now.timestamp()),))
            for limit in limits:
                row = conn.execute(
                    "SELECT taken FROM inquiry_rate WHERE key = ? AND bucket = ?",
                    (limit.key, limit.window(now)),
                ).fetchone()
                if row is not None and row[0] >= limit.limit:
                    return limit.key
            conn.executemany(
                "INSERT INTO inquiry_rate (key, bucket, taken, expires) VALUES (?, ?, 1, ?)"
                " ON CONFLICT (key, bucket) DO UPDATE SET taken = taken + 1",
                [(limit.key, limit.window(now), int(limit.window_end(now).timestamp()))
                 for limit in limits],
            )
        return None


def _values(inquiry: Inquiry) -> tuple[object, ...]:
    return (
        inquiry.id, to_db_time(inquiry.created_at), inquiry.name, inquiry.email,
        inquiry.company, inquiry.type.value, inquiry.subject, inquiry.message,
        inquiry.status.value, inquiry.submitted_by, inquiry.handled_by,
        _time_or_none(inquiry.handled_at),
    )


def _time_or_none(value: datetime | None) -> str | None:
    return to_db_time(value) if value is not None else None


def _inquiry(row: sqlite3.Row) -> Inquiry:
    return Inquiry(
        id=row["id"],
        created_at=from_db_time(row["created_at"]),
        name=row["name"],
        email=row["email"],
        company=row["company"],
        type=InquiryType(row["type"]),
        subject=row["subject"],
        message=row["message"],
        status=InquiryStatus(row["status"]),
        submitted_by=row["submitted_by"],
        handled_by=row["handled_by"],
        handled_at=from_db_time(row["handled_at"]) if row["handled_at"] else None,
    )
