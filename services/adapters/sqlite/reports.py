"""ReportStore on SQLite (local mode): one row per report, the report itself as JSON beside its
summary (what a list reads), and one row per user and local day with the model tokens spent
(the daily budget). A row saved before summaries were kept gets its summary the first time a
list reads it."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from services.adapters.report_codec import (
    from_json,
    summary_from_json,
    summary_to_json,
    to_json,
    tokens_of,
    turn_from_json,
    turn_to_json,
    utc_text,
)
from services.adapters.sqlite.db import Migration, SqliteDatabase
from services.domain.reports import ChatHistory, ChatTurn, Report, ReportSummary, summary_of
from services.errors import ConflictError, NotFound, ValidationError

SCHEMA: dict[str, tuple[Migration, ...]] = {
    "reports": (
        (
            """CREATE TABLE reports (
                id TEXT PRIMARY KEY,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                tokens INTEGER NOT NULL,
                doc TEXT NOT NULL
            )""",
            "CREATE INDEX reports_created ON reports(created_at, id)",
            "CREATE INDEX reports_user_created ON reports(created_by, created_at, id)",
        ),
        # Each user's model tokens per local day: the daily budget, reserved and settled here.
        (
            """CREATE TABLE token_spend (
                user_id TEXT NOT NULL,
                day TEXT NOT NULL,
                tokens INTEGER NOT NULL,
                PRIMARY KEY (user_id, day)
            )""",
        ),
        # The summary a list reads (``report_codec``); NULL in rows saved before it was kept.
        ("ALTER TABLE reports ADD COLUMN summary TEXT",),
        # Each asker's follow-up chat on a report, a row per turn; deleted with the report.
        (
            """CREATE TABLE report_chat (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                report_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                doc TEXT NOT NULL
            )""",
            "CREATE INDEX report_chat_user ON report_chat(report_id, user_id, seq)",
        ),
    ),
}


class SqliteReportStore:
    """Implements ``services.ports.ReportStore``; migrates its own table."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        db.migrate(extra=SCHEMA)

    def add(self, report: Report) -> None:
        values = (report.id, report.created_by, _time(report.created_at), tokens_of(report),
                  to_json(report), summary_to_json(summary_of(report)))
        try:
            with self._db.transaction() as conn:
                conn.execute("INSERT INTO reports (id, created_by, created_at, tokens, doc,"
                             " summary) VALUES (?, ?, ?, ?, ?, ?)", values)
        except sqlite3.IntegrityError as exc:
            raise ConflictError("errors.conflict", id=report.id) from exc

    def get(self, report_id: str) -> Report:
        with self._db.read() as conn:
            row = conn.execute("SELECT doc FROM reports WHERE id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFound("errors.not_found", id=report_id)
        return from_json(row["doc"])

    def list(self, created_by: str | None = None, limit: int = 100) -> list[ReportSummary]:
        # The document only of a row without a summary (saved before summaries were kept).
        with self._db.read() as conn:
            if created_by is None:
                rows = conn.execute(
                    "SELECT id, summary, CASE WHEN summary IS NULL THEN doc END AS doc"
                    " FROM reports ORDER BY created_at DESC, id DESC LIMIT ?",
                    (limit,)).fetchall()
            else:
                rows = conn.execute(
                    "SELECT id, summary, CASE WHEN summary IS NULL THEN doc END AS doc"
                    " FROM reports WHERE created_by = ? ORDER BY created_at DESC, id DESC"
                    " LIMIT ?", (created_by, limit)).fetchall()
        return [summary_from_json(r["summary"]) if r["summary"] is not None
                else self._summarise(r["id"], r["doc"]) for r in rows]

    def _summarise(self, report_id: str, doc: str) -> ReportSummary:
        """The summary of a report saved before summaries were kept, kept now: the next list
        reads it instead of the whole document."""
        summary = summary_of(from_json(doc))
        with self._db.transaction() as conn:
            conn.execute("UPDATE reports SET summary = ? WHERE id = ?",
                         (summary_to_json(summary), report_id))
        return summary

    def delete(self, report_id: str) -> None:
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM reports WHERE id = ?", (report_id,)).rowcount
            conn.execute("DELETE FROM report_chat WHERE report_id = ?", (report_id,))
        if not deleted:
            raise NotFound("errors.not_found", id=report_id)

    def add_turn(self, report_id: str, user_id: str, turn: ChatTurn) -> None:
        _time(turn.at)  # a naive time is refused, as a report's
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is None:
                raise NotFound("errors.not_found", id=report_id)
            conn.execute("INSERT INTO report_chat (report_id, user_id, doc) VALUES (?, ?, ?)",
                         (report_id, user_id, turn_to_json(turn)))

    def turns(self, report_id: str, user_id: str) -> ChatHistory:
        with self._db.read() as conn:
            rows = conn.execute("SELECT doc FROM report_chat WHERE report_id = ? AND user_id = ?"
                                " ORDER BY seq", (report_id, user_id)).fetchall()
        return [turn_from_json(row["doc"]) for row in rows]

    def turn_count(self, report_id: str, user_id: str) -> int:
        with self._db.read() as conn:
            row = conn.execute("SELECT COUNT(*) AS n FROM report_chat WHERE report_id = ?"
                               " AND user_id = ?", (report_id, user_id)).fetchone()
        return int(row["n"])

    def spend_tokens(self, user_id: str, day: date, tokens: int, limit: int | None = None
                     ) -> bool:
        # One write transaction (BEGIN IMMEDIATE) around the conditional UPDATE: a second
        # writer waits for the first, then sees its tokens.
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO token_spend (user_id, day, tokens) VALUES (?, ?, 0)"
                         " ON CONFLICT DO NOTHING", (user_id, day.isoformat()))
            added = conn.execute(
                "UPDATE token_spend SET tokens = tokens + ? WHERE user_id = ? AND day = ?"
                " AND (? IS NULL OR tokens + ? <= ?)",
                (tokens, user_id, day.isoformat(), limit, tokens, limit)).rowcount
        return added == 1

    def tokens_spent(self, user_id: str, day: date) -> int:
        with self._db.read() as conn:
            row = conn.execute("SELECT tokens FROM token_spend WHERE user_id = ? AND day = ?",
                               (user_id, day.isoformat())).fetchone()
        return int(row[0]) if row else 0


def _time(moment: datetime) -> str:
    try:
        return utc_text(moment)
    except ValueError as exc:
        raise ValidationError("errors.invalid_input", reason="naive datetime") from exc
