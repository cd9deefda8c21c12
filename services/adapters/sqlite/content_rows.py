"""Content rows on SQLite: the ``content`` and ``assets`` columns, and the conversions between
their rows and ``ContentItem`` / ``Asset`` (written in one order, read a page at a time with the
page's assets in one query). Shared by the repository (``content.py``) and its search
(``content_search.py``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from services.adapters.sqlite.db import from_db_time, to_db_time
from services.domain.models import Asset, AssetKind, Category, ContentItem, Status
from services.errors import NotFound, ValidationError

CONTENT_COLUMNS = (
    "id, title, summary, body, category, tags, author_id, author_name, status,"
    " created_at, updated_at, published_at, version, views, likes, is_sample"
)
# S608 below and in content_search.py: the SQL is assembled only from constants; every value,
# search text included, is a bound parameter.
INSERT_CONTENT = (
    f"INSERT INTO content ({CONTENT_COLUMNS})"  # noqa: S608
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_ONE = f"SELECT {CONTENT_COLUMNS} FROM content WHERE id = ?"  # noqa: S608
SELECT_C = ", ".join(f"c.{name.strip()}" for name in CONTENT_COLUMNS.split(","))


def check_assets(item: ContentItem) -> None:
    """An asset row belongs to exactly one item; a mismatched content_id is a caller bug."""
    for asset in item.assets:
        if asset.content_id != item.id:
            raise ValidationError(
                "errors.invalid_input", reason="asset of another item", asset_id=asset.id
            )


def text_columns(item: ContentItem) -> tuple[Any, ...]:
    """id .. published_at, in ``CONTENT_COLUMNS`` order."""
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


def insert_assets(conn: sqlite3.Connection, assets: Sequence[Asset]) -> None:
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


def load_one(conn: sqlite3.Connection, content_id: str) -> ContentItem:
    rows = conn.execute(SELECT_ONE, (content_id,)).fetchall()
    if not rows:
        raise NotFound("errors.not_found", content_id=content_id)
    return with_assets(conn, rows)[0]


def with_assets(conn: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> list[ContentItem]:
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
