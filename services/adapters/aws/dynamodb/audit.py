"""AuditLog on DynamoDB (aws mode): one partition per UTC day, newest read first, no Scan.

Key: ``day`` ("YYYY-MM-DD", UTC) and ``sk`` = "<ts as fixed-width UTC ISO>#<ULID>". The ULID
keeps entries of the same instant apart and, being made monotonic within this process, orders
them last-recorded-first, as the SQLite adapter does (across containers, same-instant order is
arbitrary). An entry that waited in a spool brings its own id (``AuditEntry.entry_id``), so
writing it again replaces the same item rather than adding a second.

So that ``entries`` reads only days that have entries (and can honour "no ``since``" as "the
whole history", like the SQLite adapter), one more partition, ``day = "#days"``, lists the days
in use: its ``sk`` is the day. A container writes each day's marker once (then remembers it).
``entries`` Queries that list from ``until`` back to ``since``, newest first, then each listed
day's partition newest first, filtering actor/action on the server, and stops as soon as it has
``limit`` entries: the cost is proportional to the entries read plus the days they span.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ulid import ULID

from services.adapters.aws.common import aws_errors, from_iso, from_item, to_iso, to_item
from services.domain.models import AuditEntry

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

DAY_LIST = "#days"  # the partition listing the days that have entries
_AFTER_ANY_ULID = "#~"  # "~" sorts after every Crockford base32 character


class DynamoAuditLog:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table
        self._lock = threading.Lock()
        self._last_ulid = ULID.from_int(0)
        self._marked_days: set[str] = set()

    def record(self, entry: AuditEntry) -> None:
        ts = to_iso(entry.ts)
        day = ts[:10]  # the UTC date of a fixed-width UTC ISO string
        record = {
            "day": day,
            "sk": f"{ts}#{entry.entry_id or self._next_ulid()}",
            "ts": ts,
            "actor": entry.actor,
            "action": entry.action,
            "target": entry.target,
            "outcome": entry.outcome,
            "detail": dict(entry.detail),
        }
        # Marker first: a marker without entries costs an empty Query; the reverse would hide
        # the entry.
        self._mark_day(day)
        with aws_errors():
            self._client.put_item(TableName=self._table, Item=to_item(record))

    def entries(
        self,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Newest first; ``since`` and ``until`` are both inclusive and optional; a limit below
        1 returns nothing."""
        if limit < 1:
            return []
        # ValidationError for naive datetimes, before any request.
        low = to_iso(since) if since is not None else None
        high = to_iso(until) if until is not None else None
        if low is not None and high is not None and low > high:
            return []  # DynamoDB rejects a BETWEEN whose bounds are reversed
        found: list[AuditEntry] = []
        days = self._query(DAY_LIST, low and low[:10], high and high[:10])
        for marker in days:
            entries_high = high + _AFTER_ANY_ULID if high else None
            for record in self._query(marker["sk"], low, entries_high, actor, action):
                found.append(_entry(record))
                if len(found) >= limit:
                    return found
        return found

    def _query(
        self,
        partition: str,
        low: str | None,
        high: str | None,
        actor: str | None = None,
        action: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Records of one partition with ``low <= sk <= high`` (either bound optional), newest
        first, read lazily: the caller stops reading (and requesting) once it has enough."""
        names = {"#day": "day"}
        values: dict[str, Any] = {":day": partition}
        condition = "#day = :day"
        if low is not None or high is not None:
            names["#sk"] = "sk"
            condition += _range_condition(low, high, values)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
        }
        filters = []
        for attribute, wanted in (("actor", actor), ("action", action)):
            if wanted is not None:
                filters.append(f"#{attribute} = :{attribute}")
                names[f"#{attribute}"] = attribute
                values[f":{attribute}"] = wanted
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        request["ExpressionAttributeNames"] = names
        request["ExpressionAttributeValues"] = to_item(values)
        with aws_errors():
            for page in self._client.get_paginator("query").paginate(**request):
                yield from (from_item(raw) for raw in page["Items"])

    def _mark_day(self, day: str) -> None:
        with self._lock:
            if day in self._marked_days:
                return
        with aws_errors():
            # Idempotent: every container may write the same marker.
            self._client.put_item(
                TableName=self._table, Item=to_item({"day": DAY_LIST, "sk": day})
            )
        with self._lock:
            self._marked_days.add(day)

    def _next_ulid(self) -> ULID:
        """A ULID greater than any this instance made before, even within one millisecond."""
        with self._lock:
            candidate = ULID()
            if int(candidate) <= int(self._last_ulid):
                candidate = ULID.from_int(int(self._last_ulid) + 1)
            self._last_ulid = candidate
            return candidate


def _range_condition(low: str | None, high: str | None, values: dict[str, Any]) -> str:
    if low is not None:
        values[":low"] = low
    if high is not None:
        values[":high"] = high
    if low is not None and high is not None:
        return " AND #sk BETWEEN :low AND :high"
    return " AND #sk >= :low" if low is not None else " AND #sk <= :high"


def _entry(record: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        ts=from_iso(record["ts"]),
        actor=record["actor"],
        action=record["action"],
        target=record["target"],
        outcome=record["outcome"],
        detail={str(k): str(v) for k, v in record.get("detail", {}).items()},
    )
