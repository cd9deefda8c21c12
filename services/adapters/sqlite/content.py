"""ContentRepository on SQLite: content, assets and likes tables plus an FTS5 trigram index.

Search: each whitespace-separated term must match (AND) as a substring of the title, summary,
body, tags or author name, case-insensitively. Terms of three or more characters use the FTS5
trigram index (which is what makes Korean substrings such as ``생성형`` inside ``생성형AI를``
work without a morphological analyser). The trigram tokenizer cannot match fewer than three
characters, so 1-2 character terms use a second index of character pairs (``grams.py``), which
matches them as literal substrings too (``%`` or ``_`` are plain characters there). The pair
index folds ASCII case only, as the title sort does (COLLATE NOCASE); the trigram index folds
letter case in every script.

Relevance (``Sort.RELEVANCE``) is FTS5's ``bm25()`` with the column weights of
``services.domain.relevance`` (title > tags > summary > body), computed in the one pass over the
index that also finds and counts the matches; only the rows that reach the requested page are
read from ``content``. Without a word of three or more characters there is nothing to score, and
relevance is newest first.

Newest and oldest first go by ``ContentItem.listed_at`` (first publication, else creation),
along an index on that expression. Sort ties are broken by id in the direction of the sort
(newest/most viewed/most liked/relevance: id descending; oldest/title: id ascending), so pages
are stable.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from services.adapters.sqlite import grams
from services.adapters.sqlite.db import LISTED_AT, SqliteDatabase, from_db_time, to_db_time
from services.domain import relevance
from services.domain.models import (
    Asset,
    AssetKind,
    Category,
    ContentItem,
    Page,
    SearchQuery,
    Sort,
    Status,
)
from services.errors import ConflictError, NotFound, ValidationError

_MIN_TRIGRAM_CHARS = relevance.MIN_INDEXED_CHARS

# LISTED_AT as the index spells it, unqualified: in every query here only the content table
# has these columns.
_NEWEST = f"{LISTED_AT} DESC, c.id DESC"
_ORDER_BY: dict[Sort, str] = {
    Sort.NEWEST: _NEWEST,
    Sort.OLDEST: f"{LISTED_AT} ASC, c.id ASC",
    Sort.TITLE: "c.title COLLATE NOCASE ASC, c.id ASC",
    Sort.MOST_VIEWED: "c.views DESC, c.id DESC",
    Sort.MOST_LIKED: "c.likes DESC, c.id DESC",
    Sort.RELEVANCE: _NEWEST,  # no scored word: newest first
}
_BM25 = f"bm25(content_fts, {', '.join(str(w) for w in relevance.WEIGHTS)})"

_IN_GRAMS = "c.pk IN (SELECT rowid FROM content_grams WHERE content_grams MATCH ?)"

_CONTENT_COLUMNS = (
    "id, title, summary, body, category, tags, author_id, author_name, status,"
    " created_at, updated_at, published_at, version, views, likes, is_sample"
)
# S608 below and in search(): the SQL is assembled only from the constants in this module;
# every value, search text included, is a bound parameter.
_INSERT_CONTENT = (
    f"INSERT INTO content ({_CONTENT_COLUMNS})"  # noqa: S608
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_ONE = f"SELECT {_CONTENT_COLUMNS} FROM content WHERE id = ?"  # noqa: S608
_SELECT_C = ", ".join(f"c.{name.strip()}" for name in _CONTENT_COLUMNS.split(","))


class SqliteContentRepository:
    """Implements ``services.ports.ContentRepository``; ``db`` must be migrated."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    # --- items -----------------------------------------------------------------------------

    def add(self, item: ContentItem) -> None:
        _check_assets(item)
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    _INSERT_CONTENT,
                    (
                        *_text_columns(item),
                        item.version,
                        item.views,
                        item.likes,
                        int(item.is_sample),
                    ),
                )
                _insert_assets(conn, item.assets)
        except sqlite3.IntegrityError as exc:
            # The id (or one of its asset ids) is taken.
            raise ConflictError("errors.conflict", content_id=item.id) from exc

    def get(self, content_id: str) -> ContentItem:
        with self._db.read() as conn:
            return _load_one(conn, content_id)

    def update(self, item: ContentItem, expected_version: int) -> ContentItem:
        _check_assets(item)
        try:
            with self._db.transaction() as conn:
                changed = conn.execute(
                    "UPDATE content SET title = ?, summary = ?, body = ?, category = ?, tags = ?,"
                    " author_id = ?, author_name = ?, status = ?, created_at = ?,"
                    " updated_at = ?, published_at = ?, is_sample = ?, version = version + 1"
                    " WHERE id = ? AND version = ? RETURNING id",
                    (*_text_columns(item)[1:], int(item.is_sample), item.id, expected_version),
                ).fetchall()
                if not changed:
                    _raise_missing_or_conflict(conn, item.id)
                conn.execute("DELETE FROM assets WHERE content_id = ?", (item.id,))
                _insert_assets(conn, item.assets)
                return _load_one(conn, item.id)
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
        page = max(1, query.page)
        size = max(1, query.page_size)
        terms = relevance.indexed_terms(query.text)
        if query.sort is Sort.RELEVANCE and terms:
            return self._ranked(query, terms, page, size)
        where, params = _where(query)
        with self._db.read() as conn:
            count_sql = f"SELECT COUNT(*) FROM content c {where}"  # noqa: S608
            total = int(conn.execute(count_sql, params).fetchone()[0])
            rows = conn.execute(
                f"SELECT {_SELECT_C} FROM content c {where}"  # noqa: S608
                f" ORDER BY {_ORDER_BY[query.sort]} LIMIT ? OFFSET ?",
                (*params, size, (page - 1) * size),
            ).fetchall()
            items = _with_assets(conn, rows)
        return Page(items=items, total=total, page=page, page_size=size)

    def _ranked(
        self, query: SearchQuery, terms: list[str], page: int, size: int
    ) -> Page[ContentItem]:
        """Best match first, in one statement. One MATCH pass scores every hit (FTS5 allows
        bm25() only in the query on the index itself; MATERIALIZED keeps it there and keeps the
        planner from probing the index once per content row). The filters are one indexed
        lookup for the whole set, not one per hit. Only the rows that can reach the page (a
        score at or above the page's last one, so ties are complete) are read from
        ``content`` and tie-broken by age; the count rides along with the page."""
        allowed, params = _allowed(query)
        sql = (
            "WITH hits AS MATERIALIZED ("  # noqa: S608
            f" SELECT rowid AS pk, {_BM25} AS score FROM content_fts WHERE content_fts MATCH ?),"
            f" found AS MATERIALIZED (SELECT pk, score FROM hits {allowed}),"
            " cut AS (SELECT MAX(score) AS worst"
            "  FROM (SELECT score FROM found ORDER BY score LIMIT ?))"
            f" SELECT {_SELECT_C}, (SELECT COUNT(*) FROM found) AS total"
            " FROM found f CROSS JOIN content c ON c.pk = f.pk"
            " WHERE f.score <= (SELECT worst FROM cut)"
            f" ORDER BY f.score, {_NEWEST} LIMIT ? OFFSET ?"
        )
        offset = (page - 1) * size
        with self._db.read() as conn:
            rows = conn.execute(
                sql, (fts_phrases(terms), *params, offset + size, size, offset)
            ).fetchall()
            # A page past the end has no row to carry the count: count on its own.
            total = int(rows[0]["total"]) if rows else self._count_matches(conn, query)
            items = _with_assets(conn, rows)
        return Page(items=items, total=total, page=page, page_size=size)

    @staticmethod
    def _count_matches(conn: sqlite3.Connection, query: SearchQuery) -> int:
        where, params = _where(query)
        count_sql = f"SELECT COUNT(*) FROM content c {where}"  # noqa: S608
        return int(conn.execute(count_sql, params).fetchone()[0])

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


# --- writing -------------------------------------------------------------------------------


def _check_assets(item: ContentItem) -> None:
    """An asset row belongs to exactly one item; a mismatched content_id is a caller bug."""
    for asset in item.assets:
        if asset.content_id != item.id:
            raise ValidationError(
                "errors.invalid_input", reason="asset of another item", asset_id=asset.id
            )


def _text_columns(item: ContentItem) -> tuple[Any, ...]:
    """id .. published_at, in ``_CONTENT_COLUMNS`` order."""
    return (
        item.id,
        item.title,
        item.summary,
        item.body,
        item.category.value,
        json.dumps(list(item.tags), ensure_ascii=False),
        item.author_id,
        item.author_name,
        item.status.value,
        to_db_time(item.created_at),
        to_db_time(item.updated_at),
        None if item.published_at is None else to_db_time(item.published_at),
    )


def _insert_assets(conn: sqlite3.Connection, assets: Sequence[Asset]) -> None:
    conn.executemany(
        "INSERT INTO assets (id, content_id, position, kind, filename, media_type, size,"
        " storage_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                a.id,
                a.content_id,
                position,
                a.kind.value,
                a.filename,
                a.media_type,
                a.size,
                a.storage_key,
                to_db_time(a.created_at),
            )
            for position, a in enumerate(assets)
        ],
    )


def _require_exists(conn: sqlite3.Connection, content_id: str) -> None:
    if conn.execute("SELECT 1 FROM content WHERE id = ?", (content_id,)).fetchone() is None:
        raise NotFound("errors.not_found", content_id=content_id)


def _raise_missing_or_conflict(conn: sqlite3.Connection, content_id: str) -> NoReturn:
    _require_exists(conn, content_id)
    raise ConflictError("errors.conflict", content_id=content_id)


# --- reading -------------------------------------------------------------------------------


def _load_one(conn: sqlite3.Connection, content_id: str) -> ContentItem:
    rows = conn.execute(_SELECT_ONE, (content_id,)).fetchall()
    if not rows:
        raise NotFound("errors.not_found", content_id=content_id)
    return _with_assets(conn, rows)[0]


def _with_assets(conn: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> list[ContentItem]:
    """Items for ``rows`` with their assets, fetched in one query for the whole page."""
    ids = [str(r["id"]) for r in rows]
    assets: dict[str, list[Asset]] = {content_id: [] for content_id in ids}
    # json_each keeps this one bound parameter however large the page is.
    for a in conn.execute(
        "SELECT * FROM assets WHERE content_id IN (SELECT value FROM json_each(?))"
        " ORDER BY content_id, position",
        (json.dumps(ids),),
    ).fetchall():
        assets[str(a["content_id"])].append(_asset(a))
    return [_item(r, assets[str(r["id"])]) for r in rows]


def _asset(row: sqlite3.Row) -> Asset:
    return Asset(
        id=row["id"],
        content_id=row["content_id"],
        kind=AssetKind(row["kind"]),
        filename=row["filename"],
        media_type=row["media_type"],
        size=int(row["size"]),
        storage_key=row["storage_key"],
        created_at=from_db_time(row["created_at"]),
    )


def _item(row: sqlite3.Row, assets: Iterable[Asset]) -> ContentItem:
    return ContentItem(
        id=row["id"],
        title=row["title"],
        summary=row["summary"],
        body=row["body"],
        category=Category(row["category"]),
        tags=tuple(json.loads(row["tags"])),
        author_id=row["author_id"],
        author_name=row["author_name"],
        status=Status(row["status"]),
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        published_at=None if row["published_at"] is None else from_db_time(row["published_at"]),
        version=int(row["version"]),
        views=int(row["views"]),
        likes=int(row["likes"]),
        assets=tuple(assets),
        is_sample=bool(row["is_sample"]),
    )


# --- query building ------------------------------------------------------------------------


def _allowed(query: SearchQuery) -> tuple[str, list[Any]]:
    """The ranked query's filter on its hits (``pk``), as set lookups rather than one lookup
    per hit. The status is tested by exclusion: the other status is the rare one (drafts),
    so that set is small, where the set of published rows is nearly the whole table."""
    conditions: list[str] = []
    params: list[Any] = []
    if query.status is not None:
        conditions.append("pk NOT IN (SELECT pk FROM content WHERE status <> ?)")
        params.append(query.status.value)
    short_terms = [t for t in query.text.split() if len(t) < _MIN_TRIGRAM_CHARS]
    if short_terms:
        conditions.append(_IN_GRAMS.replace("c.pk", "pk"))
        params.append(grams.match(short_terms))
    where, rest = _where(dataclasses.replace(query, status=None, text=""))
    if where:
        conditions.append(f"pk IN (SELECT c.pk FROM content c {where})")  # noqa: S608
        params.extend(rest)
    return ("WHERE " + " AND ".join(conditions) if conditions else ""), params


def _where(query: SearchQuery, with_index: bool = True) -> tuple[str, list[Any]]:
    """The WHERE clause (or "") and its parameters for everything but sort and paging;
    without the index condition for words of three or more characters if not ``with_index``
    (the ranked query matches those itself)."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.status is not None:
        clauses.append("c.status = ?")
        params.append(query.status.value)
    if query.category is not None:
        clauses.append("c.category = ?")
        params.append(query.category.value)
    if query.author_id is not None:
        clauses.append("c.author_id = ?")
        params.append(query.author_id)
    for tag in dict.fromkeys(query.tags):  # every given tag must be present
        clauses.append("EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = ?)")
        params.append(tag)
    _add_text_terms(query.text, clauses, params, with_index)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _add_text_terms(
    text: str, clauses: list[str], params: list[Any], with_index: bool = True
) -> None:
    terms = text.split()
    long_terms = [t for t in terms if len(t) >= _MIN_TRIGRAM_CHARS]
    if long_terms and with_index:
        clauses.append("c.pk IN (SELECT rowid FROM content_fts WHERE content_fts MATCH ?)")
        params.append(fts_phrases(long_terms))
    short_terms = [t for t in terms if len(t) < _MIN_TRIGRAM_CHARS]
    if short_terms:
        clauses.append(_IN_GRAMS)
        params.append(grams.match(short_terms))


def fts_phrases(terms: Sequence[str]) -> str:
    """Each term as a quoted FTS5 phrase (so ``AND``, ``*`` or ``"`` are plain text), ANDed."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)

