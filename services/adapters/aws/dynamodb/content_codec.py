"""ContentItem <-> DynamoDB record, and the UpdateItem request that replaces an item.

Records hold plain values; ``aws_common.to_item`` adds the DynamoDB types.

Besides the item's own fields a record carries the index keys: ``category_status``
("<category>#<status>") and, on sample items only, ``sample_flag`` (sparse ``sample-index``).
Datetimes are fixed-width UTC ISO-8601 strings, so string order is time order. ``published_at``
is absent on drafts never published; a published record without it was written before the
moment was kept and reads as published when created (``ContentItem``).
"""

from __future__ import annotations

from typing import Any

from services.adapters.aws.common import from_iso, to_iso, to_item
from services.domain.models import Asset, AssetKind, Category, ContentItem, Status
from services.errors import ValidationError

# Attributes an update never writes: the key, the lock and the atomically changed counters.
_NOT_REPLACED = frozenset({"id", "version", "views", "likes"})


def item_to_record(item: ContentItem) -> dict[str, Any]:
    """The stored attributes of ``item``; None means "absent" (left out, or REMOVEd)."""
    return {
        "id": item.id,
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "category": item.category.value,
        "tags": list(item.tags),
        # Index keys may not be empty strings: an item without author stays out of that index.
        "author_id": item.author_id or None,
        "author_name": item.author_name,
        "status": item.status.value,
        "category_status": f"{item.category.value}#{item.status.value}",
        "created_at": to_iso(item.created_at),
        "updated_at": to_iso(item.updated_at),
        "published_at": None if item.published_at is None else to_iso(item.published_at),
        "version": item.version,
        "views": item.views,
        "likes": item.likes,
        "assets": [_asset_to_record(asset) for asset in item.assets],
        "sample_flag": "1" if item.is_sample else None,  # sparse sample-index
    }


def item_from_record(record: dict[str, Any]) -> ContentItem:
    return ContentItem(
        id=record["id"],
        title=record.get("title", ""),
        summary=record.get("summary", ""),
        body=record.get("body", ""),
        category=Category(record["category"]),
        tags=tuple(record.get("tags", ())),
        author_id=record.get("author_id", ""),
        author_name=record.get("author_name", ""),
        status=Status(record["status"]),
        created_at=from_iso(record["created_at"]),
        updated_at=from_iso(record["updated_at"]),
        published_at=from_iso(record["published_at"]) if "published_at" in record else None,
        version=record.get("version", 1),
        views=record.get("views", 0),
        likes=record.get("likes", 0),
        assets=tuple(_asset_from_record(raw) for raw in record.get("assets", ())),
        is_sample="sample_flag" in record,
    )


def _asset_to_record(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "content_id": asset.content_id,
        "kind": asset.kind.value,
        "filename": asset.filename,
        "media_type": asset.media_type,
        "size": asset.size,
        "storage_key": asset.storage_key,
        "created_at": to_iso(asset.created_at),
    }


def _asset_from_record(record: dict[str, Any]) -> Asset:
    return Asset(
        id=record["id"],
        content_id=record["content_id"],
        kind=AssetKind(record["kind"]),
        filename=record["filename"],
        media_type=record["media_type"],
        size=record["size"],
        storage_key=record["storage_key"],
        created_at=from_iso(record["created_at"]),
    )


def check_assets(item: ContentItem) -> None:
    """An asset belongs to exactly one item; a mismatched content_id is a caller bug."""
    for asset in item.assets:
        if asset.content_id != item.id:
            raise ValidationError(
                "errors.invalid_input", reason="asset of another item", asset_id=asset.id
            )


def replace_request(item: ContentItem, expected_version: int) -> dict[str, Any]:
    """UpdateItem arguments that replace every attribute but the key and the counters."""
    names = {"#id": "id", "#version": "version"}
    values: dict[str, Any] = {":expected": expected_version, ":next": expected_version + 1}
    sets, removes = ["#version = :next"], []
    for position, (attribute, value) in enumerate(item_to_record(item).items()):
        if attribute in _NOT_REPLACED:
            continue
        names[f"#a{position}"] = attribute
        if value is None:  # e.g. sample_flag on a non-sample item: the sparse index drops it
            removes.append(f"#a{position}")
        else:
            values[f":a{position}"] = value
            sets.append(f"#a{position} = :a{position}")
    expression = "SET " + ", ".join(sets)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    return {
        "UpdateExpression": expression,
        "ConditionExpression": "attribute_exists(#id) AND #version = :expected",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }
