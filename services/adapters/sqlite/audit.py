"""AuditLog on SQLite: one append-only table, ``detail`` stored as JSON text. An entry that
waited in the spool brings its id (``AuditEntry.entry_id``): written twice, it is kept once."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from services.adapters.sqlite.db import SqliteDatabase, from_db_time, to_db_time
from services.domain.models import AuditEntry


class SqliteAuditLog:
    """Implements ``services.ports.AuditLog``; ``db`` must be migrated."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def record(self, entry: AuditEntry) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO audit (ts, actor, action, target, outcome, detail, entry_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (entry_id) WHERE entry_id IS NOT NULL DO NOTHING",
                (
                    to_db_time(entry.ts),
                    entry.actor,
                    entry.action,
                    entry.target,
                    entry.outcome,
                    json.dumps(entry.detail, ensure_ascii=False, sort_keys=True),
                    entry.entry_id,
                ),
            )

    def entries(
        self,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Newest first (entries with the same ts: last recorded first).

        ``since`` and ``until`` are both inclusive; a limit below 1 returns nothing.
        """
        if limit < 1:
            # SQLite reads a negative LIMIT as "no limit"; the caller asked for none.
            return []
        clauses: list[str] = []
        params: list[Any] = []
        for clause, value in (
            ("actor = ?", actor),
            ("action = ?", action),
            ("ts >= ?", to_db_time(since) if since else None),
            ("ts <= ?", to_db_time(until) if until else None),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        where = "WHERE " + " AND ".join(clauses) if clauses else ""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT * FROM audit {where} ORDER BY ts DESC, id DESC LIMIT ?",  # noqa: S608
                (*params, limit),
            ).fetchall()
        return [_entry(r) for r in rows]


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        ts=from_db_time(row["ts"]),
        actor=row["actor"],
        action=row["action"],
        target=row["target"],
        outcome=row["outcome"],
        detail=dict(json.loads(row["detail"])),
    )
