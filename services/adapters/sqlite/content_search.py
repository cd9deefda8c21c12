"""Search of the SQLite content repository: the filters, the sort orders and relevance.

Each whitespace-separated term must match (AND) as a substring of the title, summary, body,
tags or author name, case-insensitively. Terms of three or more characters use the FTS5
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
import sqlite3
from collections.abc import Sequence
from typing import Any

from services.adapters.sqlite import grams
from services.adapters.sqlite.content_rows import SELECT_C, with_assets
from services.adapters.sqlite.db import LISTED_AT
from services.domain import relevance
from services.domain.models import ContentItem, Page, SearchQuery, Sort

_MIN_TRIGRAM_CHARS = relevance.MIN_INDEXED_CHARS

# LISTED_AT as the index spells it, unqualified: in every query here only the content table
# has these columns.
_NEWEST = f"{LISTED_AT} DESC, c.id DESC"
ORDER_BY: dict[Sort, str] = {
    Sort.NEWEST: _NEWEST,
    Sort.OLDEST: f"{LISTED_AT} ASC, c.id ASC",
    Sort.TITLE: "c.title COLLATE NOCASE ASC, c.id ASC",
    Sort.MOST_VIEWED: "c.views DESC, c.id DESC",
    Sort.MOST_LIKED: "c.likes DESC, c.id DESC",
    Sort.RELEVANCE: _NEWEST,  # no scored word: newest first
}
_BM25 = f"bm25(content_fts, {', '.join(str(w) for w in relevance.WEIGHTS)})"

_IN_GRAMS = "c.pk IN (SELECT rowid FROM content_grams WHERE content_grams MATCH ?)"

# S608 below: the SQL is assembled only from the constants here and in content_rows.py; every
# value, search text included, is a bound parameter.


def search(conn: sqlite3.Connection, query: SearchQuery) -> Page[ContentItem]:
    """Pages are 1-based; a page below 1 is read as 1, a page size below 1 as 1."""
    page = max(1, query.page)
    size = max(1, query.page_size)
    terms = relevance.indexed_terms(query.text)
    if query.sort is Sort.RELEVANCE and terms:
        return _ranked(conn, query, terms, page, size)
    where, params = _where(query)
    count_sql = f"SELECT COUNT(*) FROM content c {where}"  # noqa: S608
    total = int(conn.execute(count_sql, params).fetchone()[0])
    rows = conn.execute(
        f"SELECT {SELECT_C} FROM content c {where}"  # noqa: S608
        f" ORDER BY {ORDER_BY[query.sort]} LIMIT ? OFFSET ?",
        (*params, size, (page - 1) * size),
    ).fetchall()
    items = with_assets(conn, rows)
    return Page(items=items, total=total, page=page, page_size=size)


def _ranked(
    conn: sqlite3.Connection, query: SearchQuery, terms: list[str], page: int, size: int
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
        f" SELECT {SELECT_C}, (SELECT COUNT(*) FROM found) AS total"
        " FROM found f CROSS JOIN content c ON c.pk = f.pk"
        " WHERE f.score <= (SELECT worst FROM cut)"
        f" ORDER BY f.score, {_NEWEST} LIMIT ? OFFSET ?"
    )
    offset = (page - 1) * size
    rows = conn.execute(
        sql, (fts_phrases(terms), *params, offset + size, size, offset)
    ).fetchall()
    # A page past the end has no row to carry the count: count on its own.
    total = int(rows[0]["total"]) if rows else _count_matches(conn, query)
    items = with_assets(conn, rows)
    return Page(items=items, total=total, page=page, page_size=size)


def _count_matches(conn: sqlite3.Connection, query: SearchQuery) -> int:
    where, params = _where(query)
    count_sql = f"SELECT COUNT(*) FROM content c {where}"  # noqa: S608
    return int(conn.execute(count_sql, params).fetchone()[0])


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

