"""ContentRepository on SQLite: content, assets and likes tables plus an FTS5 trigram index.

This module holds the writes (items with their assets under optimistic locking, view counters,
likes) and the lists for the filters; the columns and their conversions are in
``content_rows.py``, the search (filters, sort orders, relevance) in ``content_search.py``.
"""

from __future__ import annotations

import sqlite3
from typing import NoReturn

from services.adapters.sqlite import content_search
from services.adapters.sqlite.content_rows import (
    INSERT_CONTENT,
    check_assets,
    insert_assets,
    load_one,
    text_columns,
)
from services.adapters.sqlite.db import SqliteDatabase
from services.domain.models import ContentItem, Page, SearchQuery, Status
from services.errors import ConflictError, NotFound


class SqliteContentRepository:
    """Implements ``services.ports.ContentRepository``; ``db`` must be migrated."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    # --- items -----------------------------------------------------------------------------

    def add(self, item: ContentItem) -> None:
        check_assets(item)
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    INSERT_CONTENT,
                    (
                        *text_columns(item),
                        item.version,
                        item.views,
                        item.likes,
                        int(item.is_sample),
                    ),
                )
                insert_assets(conn, item.assets)
        except sqlite3.IntegrityError as exc:
            # The id (or one of its asset ids) is taken.
            raise ConflictError("errors.conflict", content_id=item.id) from exc

    def get(self, content_id: str) -> ContentItem:
        with self._db.read() as conn:
            return load_one(conn, content_id)

    def update(self, item: ContentItem, expected_version: int) -> ContentItem:
        check_assets(item)
        try:
            with self._db.transaction() as conn:
                changed = conn.execute(
                    "UPDATE content SET title = ?, summary = ?, body = ?, category = ?, tags = ?,"
                    " author_id = ?, author_name = ?, status = ?, created_at = ?,"
                    " updated_at = ?, published_at = ?, is_sample = ?, version = version + 1"
                    " WHERE id = ? AND version = ? RETURNING id",
                    (*text_columns(item)[1:], int(item.is_sample), item.id, expected_version),
                ).fetchall()
                if not changed:
                    _raise_missing_or_conflict(conn, item.id)
                conn.execute("DELETE FROM assets WHERE content_id = ?", (item.id,))
                insert_assets(conn, item.assets)
                return load_one(conn, item.id)
        except sqlite3.IntegrityError as exc:
            raise ConflictError("errors.conflict", content_id=item.id) from exc

    def delete(self, content_id: str, expected_version: int) -> None:
        # Assets and likes go with the row (ON DELETE CASCADE), the FTS row by trigger.
        with self._db.transaction() as conn:
            gone = conn.execute(
                "DELETE FROM content WHERE id = ? AND version = ? RETURNING id",
                (content_id, expected_version),
            ).fetchall()
            if not gone:
                _raise_missing_or_conflict(conn, content_id)

    # --- search ----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> Page[ContentItem]:
        """Pages are 1-based; a page below 1 is read as 1, a page size below 1 as 1."""
        with self._db.read() as conn:
            return content_search.search(conn, query)

    # --- counters and likes ----------------------------------------------------------------

    def increment_views(self, content_id: str, by: int = 1) -> int:
        # One statement: the increment cannot interleave with another writer's.
        with self._db.transaction() as conn:
            # fetchall, not fetchone: the statement must finish before COMMIT.
            rows = conn.execute(
                "UPDATE content SET views = views + ? WHERE id = ? RETURNING views",
                (by, content_id),
            ).fetchall()
        if not rows:
            raise NotFound("errors.not_found", content_id=content_id)
        return int(rows[0][0])

    def add_like(self, content_id: str, user_id: str) -> bool:
        """NotFound if the item does not exist."""
        with self._db.transaction() as conn:
            _require_exists(conn, content_id)
            added = (
                conn.execute(
                    "INSERT OR IGNORE INTO likes(content_id, user_id) VALUES (?, ?)",
                    (content_id, user_id),
                ).rowcount
                == 1
            )
            if added:
                conn.execute("UPDATE content SET likes = likes + 1 WHERE id = ?", (content_id,))
        return added

    def remove_like(self, content_id: str, user_id: str) -> bool:
        """False when there was no like to remove, including when the item does not exist."""
        with self._db.transaction() as conn:
            removed = (
                conn.execute(
                    "DELETE FROM likes WHERE content_id = ? AND user_id = ?", (content_id, user_id)
                ).rowcount
                == 1
            )
            if removed:
                conn.execute("UPDATE content SET likes = likes - 1 WHERE id = ?", (content_id,))
        return removed

    def liked_by(self, user_id: str) -> list[str]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT content_id FROM likes WHERE user_id = ? ORDER BY content_id",
                (user_id,),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def has_liked(self, content_id: str, user_id: str) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM likes WHERE content_id = ? AND user_id = ?", (content_id, user_id)
            ).fetchone()
        return row is not None

    # --- lists for filters -----------------------------------------------------------------

    def authors(self) -> list[tuple[str, str]]:
        """One entry per author, with the name on their latest published item, sorted by name."""
        with self._db.read() as conn:
            # SQLite takes bare columns from the row that holds MAX(): the latest name.
            rows = conn.execute(
                "SELECT author_id, author_name, MAX(created_at) FROM content"
                " WHERE status = ? GROUP BY author_id"
                " ORDER BY author_name COLLATE NOCASE, author_id",
                (Status.PUBLISHED.value,),
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def tags(self) -> list[str]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT t.value FROM content c, json_each(c.tags) t"
                " WHERE c.status = ? ORDER BY t.value",
                (Status.PUBLISHED.value,),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def sample_ids(self) -> list[str]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT id FROM content WHERE is_sample = 1 ORDER BY id").fetchall()
        return [str(r[0]) for r in rows]

    def count(self) -> int:
        with self._db.read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM content").fetchone()[0])


def _require_exists(conn: sqlite3.Connection, content_id: str) -> None:
    if conn.execute("SELECT 1 FROM content WHERE id = ?", (content_id,)).fetchone() is None:
        raise NotFound("errors.not_found", content_id=content_id)


def _raise_missing_or_conflict(conn: sqlite3.Connection, content_id: str) -> NoReturn:
    _require_exists(conn, content_id)
    raise ConflictError("errors.conflict", content_id=content_id)

