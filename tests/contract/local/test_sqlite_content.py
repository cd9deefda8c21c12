"""SqliteContentRepository specifics: the short-query LIKE fallback, escaping, stored forms.

Behaviour every adapter shares is in tests/contract/test_content_repository.py.
"""

from __future__ import annotations

import dataclasses
import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.content_search import ORDER_BY, fts_phrases
from services.adapters.sqlite.db import CORE_SCHEMAS, SqliteDatabase
from services.domain import relevance
from services.domain.models import (
    Asset,
    AssetKind,
    Category,
    ContentItem,
    SearchQuery,
    Sort,
    Status,
)
from services.errors import ValidationError

T0 = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "app.sqlite3")
    database.migrate()
    yield database
    database.close()


@pytest.fixture
def repo(db: SqliteDatabase) -> SqliteContentRepository:
    return SqliteContentRepository(db)


def item(content_id: str, title: str, body: str = "", tags: tuple[str, ...] = ()) -> ContentItem:
    return ContentItem(
        id=content_id,
        title=title,
        summary="",
        body=body,
        category=Category.ETC,
        tags=tags,
        author_id="a",
        author_name="A",
        status=Status.PUBLISHED,
        created_at=T0,
        updated_at=T0,
    )


def found(repo: SqliteContentRepository, text: str) -> set[str]:
    return {i.id for i in repo.search(SearchQuery(text=text)).items}


def test_fts_phrases_quote_every_term() -> None:
    assert fts_phrases(["bed*", 'say "hi"', "AND"]) == '"bed*" AND "say ""hi""" AND "AND"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%", {"pct"}),  # not "everything"
        ("_", {"under"}),  # not "any one character"
        ("5%", {"pct"}),
        ("\\", {"slash"}),
        ("a_", {"under"}),
        ("ab", {"plain"}),  # case-insensitive for ASCII; "a_b" has no "ab"
    ],
)
def test_short_terms_are_literal(
    repo: SqliteContentRepository, text: str, expected: set[str]
) -> None:
    for row in [
        item("pct", "5% off"),
        item("under", "a_b"),
        item("slash", "c:\\dir"),
        item("plain", "AB test"),
    ]:
        repo.add(row)

    assert found(repo, text) == expected


def test_short_terms_search_tags_but_not_their_json(repo: SqliteContentRepository) -> None:
    repo.add(item("tagged", "title", tags=("ml", "ai")))

    assert found(repo, "ml") == {"tagged"}
    assert found(repo, '"') == set()  # the JSON quotes around stored tags are not text
    assert found(repo, ",") == set()


def test_long_terms_use_the_trigram_index(
    db: SqliteDatabase, repo: SqliteContentRepository
) -> None:
    repo.add(item("k", "제목", body="생성형AI를 활용한 데모"))

    plan = (
        db.connection()
        .execute(
            "EXPLAIN QUERY PLAN SELECT rowid FROM content_fts WHERE content_fts MATCH ?",
            (fts_phrases(["생성형"]),),
        )
        .fetchall()
    )

    assert any("VIRTUAL TABLE INDEX" in str(row[3]) for row in plan)
    assert found(repo, "생성형") == {"k"}


def test_counter_updates_do_not_touch_the_text_index(
    db: SqliteDatabase, repo: SqliteContentRepository
) -> None:
    repo.add(item("x", "Bedrock"))
    before = db.connection().execute("SELECT rowid, * FROM content_fts").fetchall()

    repo.increment_views("x")
    repo.add_like("x", "u")

    assert db.connection().execute("SELECT rowid, * FROM content_fts").fetchall() == before


def test_the_index_follows_updates_and_deletes(
    db: SqliteDatabase, repo: SqliteContentRepository
) -> None:
    repo.add(item("x", "Bedrock"))
    repo.update(dataclasses.replace(item("x", "Lambda")), expected_version=1)
    repo.add(item("y", "Other"))
    repo.delete("y", 1)

    rows = db.connection().execute("SELECT title FROM content_fts").fetchall()
    assert [r[0] for r in rows] == ["Lambda"]


def test_stored_forms(db: SqliteDatabase, repo: SqliteContentRepository) -> None:
    repo.add(item("x", "t", tags=("한글", "b")))

    row = db.connection().execute("SELECT tags, created_at, status FROM content").fetchone()

    assert json.loads(row["tags"]) == ["한글", "b"] and "한글" in row["tags"]  # readable text
    assert row["created_at"] == "2025-03-01T00:00:00.000000+00:00"
    assert row["status"] == "published"


def test_an_asset_of_another_item_is_rejected(repo: SqliteContentRepository) -> None:
    stray = Asset(
        id="as1",
        content_id="other",
        kind=AssetKind.IMAGE,
        filename="a.png",
        media_type="image/png",
        size=1,
        storage_key="k",
        created_at=T0,
    )

    with pytest.raises(ValidationError):
        repo.add(dataclasses.replace(item("x", "t"), assets=(stray,)))
    assert repo.count() == 0


def test_naive_datetimes_are_rejected_and_nothing_is_stored(
    repo: SqliteContentRepository,
) -> None:
    naive = dataclasses.replace(item("x", "t"), created_at=datetime(2025, 1, 1))

    with pytest.raises(ValidationError):
        repo.add(naive)
    assert repo.count() == 0


def test_a_page_below_one_reads_as_the_first(repo: SqliteContentRepository) -> None:
    repo.add(item("x", "t"))

    page = repo.search(SearchQuery(page=0, page_size=0))

    assert (page.page, page.page_size, [i.id for i in page.items]) == (1, 1, ["x"])


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    first = SqliteDatabase(path)
    first.migrate()
    SqliteContentRepository(first).add(item("x", "kept"))
    first.close()

    second = SqliteDatabase(path)
    second.migrate()
    assert SqliteContentRepository(second).get("x").title == "kept"
    second.close()


def test_the_shared_relevance_score_is_exactly_fts5_bm25(
    db: SqliteDatabase, repo: SqliteContentRepository
) -> None:
    """The DynamoDB adapter ranks with ``relevance.score``: it must be the number SQLite's
    bm25() gives for the same rows, to the last bit, or the two backends would order
    differently."""
    rng = random.Random(5)
    words = ["Bedrock", "bedrock", "agent", "생성형AI를", "생성형", "데모", "aaaa", "x"]
    rows = []
    for n in range(40):
        text = [" ".join(rng.choices(words, k=rng.randint(0, 12))) for _ in range(3)]
        one = dataclasses.replace(
            item(f"i{n}", text[0], body=text[2], tags=tuple(rng.sample(words, 2))),
            summary=text[1], author_name=rng.choice(["Kim", "bedrock fan"]),
        )
        repo.add(one)
        rows.append(one)
    for terms in (["bedrock"], ["생성형"], ["aaa"], ["bedrock", "agent"], ["생성형", "bedrock"]):
        corpus = relevance.Corpus.of([relevance.columns_of(r) for r in rows], terms)
        expected = {r.id: relevance.score(relevance.columns_of(r), terms, corpus) for r in rows}
        weights = ", ".join(str(w) for w in relevance.WEIGHTS)
        sql = (f"SELECT c.id, bm25(content_fts, {weights}) FROM content_fts"
               " JOIN content c ON c.pk = content_fts.rowid WHERE content_fts MATCH ?")
        got = dict(db.connection().execute(sql, (fts_phrases(terms),)).fetchall())
        assert got, terms
        assert got == {cid: expected[cid] for cid in got}, terms


def test_short_words_use_the_pair_index_and_an_older_database_gets_it(
    db: SqliteDatabase, repo: SqliteContentRepository
) -> None:
    repo.add(item("k", "보안 점검", body="AI 챗봇"))
    conn = db.connection()
    # a database from before the pair index: its rows must be indexed by the migration
    for statement in ("DROP TRIGGER content_grams_insert", "DROP TRIGGER content_grams_delete",
                      "DROP TRIGGER content_grams_update", "DROP TABLE content_grams",
                      "DROP VIEW content_grams_source", "DROP INDEX likes_user",
                      "DROP INDEX content_status_listed",
                      "ALTER TABLE content DROP COLUMN published_at",
                      "CREATE INDEX content_status_created ON content(status, created_at)",
                      "UPDATE schema_version SET version = 1 WHERE component = 'content'"):
        conn.execute(statement)
    db.migrate()

    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT rowid FROM content_grams WHERE content_grams MATCH ?",
        ('"x"',),
    ).fetchall()
    assert any("VIRTUAL TABLE INDEX" in str(row[3]) for row in plan)
    assert found(repo, "보안") == found(repo, "챗봇") == found(repo, "i") == {"k"}
    assert found(repo, "안점") == set()  # pairs never span white space
    repo.delete("k", 1)
    assert found(repo, "보안") == set()


def _old_row(conn: sqlite3.Connection, content_id: str, status: Status, at: str) -> None:
    """A content row as the schema before the publication moment wrote it."""
    conn.execute(
        "INSERT INTO content (id, title, summary, body, category, tags, author_id, author_name,"
        " status, created_at, updated_at, version) VALUES (?, ?, '', '', 'ETC', '[]', 'a', 'A',"
        " ?, ?, ?, 1)",
        (content_id, content_id, status.value, at, at),
    )


def test_an_older_database_reads_its_published_rows_as_published_when_created(
    tmp_path: Path,
) -> None:
    db = SqliteDatabase(tmp_path / "old.sqlite3")
    db.migrate(extra={"content": CORE_SCHEMAS["content"][:3]})  # before the publication moment
    with db.transaction() as conn:
        _old_row(conn, "old", Status.PUBLISHED, "2025-01-01T00:00:00.000000+00:00")
        _old_row(conn, "older-draft", Status.DRAFT, "2024-12-01T00:00:00.000000+00:00")
        _old_row(conn, "newer", Status.PUBLISHED, "2025-02-01T00:00:00.000000+00:00")

    db.migrate()
    repo = SqliteContentRepository(db)

    assert repo.get("old").published_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert repo.get("newer").published_at == datetime(2025, 2, 1, tzinfo=UTC)
    assert repo.get("older-draft").published_at is None
    stored = db.connection().execute(
        "SELECT id, published_at FROM content WHERE status = 'published' ORDER BY id"
    ).fetchall()
    assert [tuple(row) for row in stored] == [  # written down, not only read so
        ("newer", "2025-02-01T00:00:00.000000+00:00"),
        ("old", "2025-01-01T00:00:00.000000+00:00"),
    ]
    newest = repo.search(SearchQuery(status=None, sort=Sort.NEWEST)).items
    assert [i.id for i in newest] == ["newer", "old", "older-draft"]
    db.close()


@pytest.mark.parametrize("sort", [Sort.NEWEST, Sort.OLDEST])
def test_newest_and_oldest_first_are_read_along_an_index(
    db: SqliteDatabase, sort: Sort
) -> None:
    """Published items in order of publication come from the index, not from sorting every
    published row (only ties of the same moment are sorted, by id)."""
    sql = (f"EXPLAIN QUERY PLAN SELECT c.id FROM content c WHERE c.status = ?"
           f" ORDER BY {ORDER_BY[sort]} LIMIT 12")

    plan = " | ".join(str(row[3]) for row in db.connection().execute(sql, ("published",)))

    assert "USING INDEX content_status_listed" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan  # at most for the right part (ties)
