"""LiveWindow on DynamoDB (aws mode): the last minutes of real traffic, for the "now" panel.

No table of its own: items live in the **events table** beside the raw events, under their own
partition keys, and expire by its TTL:

* ``pk`` = "live#<UTC minute>" ("live#2026-03-04T09:15"; raw events' keys start with a day,
  so they never meet), ``sk`` = the event id;
* attributes ``ts`` (fixed-width UTC ISO), ``t`` (type), ``u`` (user id), ``s`` (session id),
  ``pg`` (page), ``it`` (content id), and ``expires_at`` = ts + ``KEEP_MINUTES`` (epoch s).

A capped recent-events store: an event is one Put keyed by its id, so a re-delivered batch
rewrites the same items and counts once (BatchWriteItem, re-sending what DynamoDB leaves
unprocessed). A snapshot is one Query per minute partition of the window (at most
``WINDOW_MINUTES + 1``, side by side), never a Scan; the numbers are then computed by
``domain.live.snapshot_of``, the same definition the SQLite store is tested against. TTL
deletes lazily, so reads drop items whose ``expires_at`` has passed themselves. Sample and
old events are never written (``domain.live.kept``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import aws_errors, from_iso, to_iso, to_item
from services.adapters.aws.dynamodb.batch import batch_write
from services.adapters.event_common import first_of_each_id
from services.domain.analytics import Event, EventType
from services.domain.live import (
    KEEP_MINUTES,
    LiveSnapshot,
    kept,
    minute_key,
    minute_of,
    snapshot_of,
    window_start,
)
from services.domain.models import utcnow

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

PK_PREFIX = "live#"
_PROJECTION = "sk, ts, t, u, s, pg, it"


class DynamoLiveWindow:
    """Implements ``services.ports.LiveWindow``. See the module docstring for the layout."""

    def __init__(self, client: DynamoDBClient, events_table: str,
                 clock: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], None] = time.sleep, read_threads: int = 8) -> None:
        self._client = client
        self._table = events_table
        self._clock = clock
        self._sleep = sleep
        self._pool = ThreadPoolExecutor(read_threads, thread_name_prefix="dynamodb-live")

    def ingest(self, events: Sequence[Event]) -> None:
        now = self._clock()
        items = [_item(e) for e in kept(first_of_each_id(events).values(), now)]
        batch_write(self._client, self._table, [{"PutRequest": {"Item": item}} for item in items],
                    self._sleep)

    def remove_samples(self) -> None:
        """Nothing to remove: sample events are never written (``domain.live.kept``)."""

    def snapshot(self, now: datetime) -> LiveSnapshot:
        first, last = minute_of(window_start(now)), minute_of(now)
        minutes = [first + timedelta(minutes=i)
                   for i in range(int((last - first).total_seconds() // 60) + 1)]
        alive = str(int(now.timestamp()))
        events = [event for found in self._pool.map(lambda m: list(self._minute(m, alive)),
                                                     minutes)
                  for event in found]
        return snapshot_of(events, now)

    def _minute(self, minute: datetime, alive: str) -> Iterator[Event]:
        with aws_errors():
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                FilterExpression="expires_at > :alive",
                ProjectionExpression=_PROJECTION,
                ExpressionAttributeValues={
                    ":pk": {"S": PK_PREFIX + minute_key(minute)}, ":alive": {"N": alive},
                },
            )
            for page in pages:
                yield from map(_event, page["Items"])


def _item(event: Event) -> dict[str, Any]:
    expires = event.ts + timedelta(minutes=KEEP_MINUTES)
    return to_item({
        "pk": PK_PREFIX + minute_key(event.ts), "sk": event.id, "ts": to_iso(event.ts),
        "t": str(event.type), "u": event.user_id, "s": event.session_id, "pg": event.page,
        "it": event.content_id, "expires_at": int(expires.timestamp()),
    })


def _event(item: dict[str, Any]) -> Event:
    def text(name: str) -> str | None:
        value = item.get(name)
        return value["S"] if value else None

    return Event(id=item["sk"]["S"], ts=from_iso(item["ts"]["S"]), type=EventType(item["t"]["S"]),
                 session_id=text("s") or "", user_id=text("u"), page=text("pg"),
                 content_id=text("it"))
