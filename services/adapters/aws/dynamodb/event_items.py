"""How the DynamoDB event store lays out its items (the layout is described in ``events.py``):
a raw event as an events-table item and back, a rollup counter's sort key and its row, and the
sort-key prefixes of one day's rollup Queries. Pure functions: no client."""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection
from datetime import date
from typing import Any

from services.adapters.aws.common import from_iso, to_iso, to_item
from services.domain.analytics import WHOLE_DAY, Dim, Event, EventType, RollupKey, RollupRow

# A read narrowed to some values Queries each (type, dim) apart up to this many per day; more
# would cost more calls than the one wider Query (filtered in code) they replace.
NARROW_QUERIES = 3


def event_item(event: Event, shards: int, retention_s: int) -> dict[str, Any]:
    """The events-table item of ``event``: pk "<UTC day>#<shard>", sk "<ts>#<id>", and the
    TTL attribute ``expires_at``."""
    ts = to_iso(event.ts)
    shard = zlib.crc32(event.id.encode()) % shards
    return to_item(
        {
            "pk": f"{ts[:10]}#{shard:02d}",
            "sk": f"{ts}#{event.id}",
            "id": event.id,
            "ts": ts,
            "type": event.type.value,
            "session_id": event.session_id,
            "user_id": event.user_id,
            "page": event.page,
            "content_id": event.content_id,
            "category": event.category,
            "author_id": event.author_id,
            # JSON text: DynamoDB numbers cannot hold floats, properties may.
            "props": json.dumps(event.properties, ensure_ascii=False, sort_keys=True),
            "expires_at": int(event.ts.timestamp()) + retention_s,
            "sample": True if event.sample else None,
        }
    )


def event_of(item: dict[str, Any]) -> Event:
    """The event an events-table item holds."""
    def text(name: str) -> str | None:
        value = item.get(name)
        return None if value is None else str(value["S"])

    return Event(
        id=str(text("id")),
        ts=from_iso(str(text("ts"))),
        type=EventType(str(text("type"))),
        session_id=str(text("session_id")),
        user_id=text("user_id"),
        page=text("page"),
        content_id=text("content_id"),
        category=text("category"),
        author_id=text("author_id"),
        properties=dict(json.loads(text("props") or "{}")),
        sample=bool(item.get("sample", {}).get("BOOL", False)),
    )


def rollup_sk(key: RollupKey) -> str:
    if key.hour >= 0:
        return f"h#{key.type.value}#{key.hour:02d}"
    return f"d#{key.type.value}#{key.dim.value}#{key.value}"


def rollup_row(day: date, item: dict[str, Any]) -> RollupRow:
    """The row of a rollups-table counter item of ``day``."""
    sk = item["sk"]["S"]
    count = int(item["count"]["N"])
    if sk.startswith("h#"):
        _, type_, hour = sk.split("#")
        return RollupRow(RollupKey(day, int(hour), EventType(type_), Dim.ALL, ""), count)
    _, type_, dim, value = sk.split("#", 3)  # the value may itself contain "#"
    return RollupRow(RollupKey(day, WHOLE_DAY, EventType(type_), Dim(dim), value), count)


def value_prefix(values: Collection[str] | None, prefix: str | None) -> str | None:
    """What every asked-for value starts with, for the key condition (None: anything)."""
    if values is not None and len(values) == 1:
        (value,) = values
        if prefix is None or value.startswith(prefix):
            return value
    return prefix


def sk_prefixes(hourly: bool, types: set[EventType], dims: set[Dim],
                value_start: str | None, hour: int | None = None) -> list[str]:
    """The sort-key prefixes of one day's Queries: one per (type, dim) when the read is
    narrowed to a value prefix (or, hourly, per type to one ``hour``) and that takes at most
    ``NARROW_QUERIES`` Queries (one item's or one segment's rows, instead of every value's),
    else the one narrowest prefix."""
    if hourly and hour is not None and len(types) <= NARROW_QUERIES:
        return [f"h#{type_.value}#{hour:02d}" for type_ in sorted(types)]
    if value_start and not hourly and len(types) * len(dims) <= NARROW_QUERIES:
        return [f"d#{type_.value}#{dim.value}#{value_start}"
                for type_ in sorted(types) for dim in sorted(dims)]
    return [narrowest_prefix(hourly, types, dims)]


def narrowest_prefix(hourly: bool, types: set[EventType], dims: set[Dim]) -> str:
    """The narrowest sort-key prefix that still covers what was asked for."""
    prefix = "h#" if hourly else "d#"
    if len(types) == 1:
        prefix += f"{next(iter(types)).value}#"
        if not hourly and len(dims) == 1:
            prefix += f"{next(iter(dims)).value}#"
    return prefix
