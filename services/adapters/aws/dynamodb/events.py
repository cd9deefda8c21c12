"""EventStore on DynamoDB (aws mode): raw events with a TTL, rollup counters, visitor sketches.

Events table: ``pk`` = "<UTC day>#<shard>", ``sk`` = "<ts, fixed-width UTC ISO>#<id>". The
shard (crc32 of the id, ``shards`` of them) spreads one day's writes over several partitions
instead of one hot one; a time range is read as (days x shards) Queries merged by ``sk``.
Each raw event carries ``expires_at`` (epoch seconds) for the table's TTL.

Rollups table: ``day`` = local day, ``sk`` = "d#<type>#<dim>#<value>" for day rows,
"h#<type>#<hour>" for hourly totals and "v" for the day's visitor sketch. One paginated Query per
day (``begins_with`` "d#" or "h#", narrower when one type is asked for) returns that day's rows,
so every read costs calls in proportion to days, never to events, and nothing Scans. A read of
one item's or one segment's rows (``values`` / ``prefix``) with at most three (type, dim) pairs
Queries each pair apart, ``begins_with`` "d#<type>#<dim>#<value prefix>", so it reads those
rows only, not every value's of the day.

Writes (exactly once per event, sample events, the author's day index) are in
``event_append.py``.

Retries: botocore retries throttled and failed calls (``common.make_client``); the bounded loop
here re-sends only the keys DynamoDB answered but left unprocessed, which botocore does not see,
waiting ``common.resend_delay``.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import aws_errors, to_iso
from services.adapters.aws.dynamodb.account_removal import DeletedAccount
from services.adapters.aws.dynamodb.batch import batch_get
from services.adapters.aws.dynamodb.event_append import EventAppender
from services.adapters.aws.dynamodb.event_items import (
    event_of,
    rollup_row,
    sk_prefixes,
    value_prefix,
)
from services.adapters.aws.dynamodb.sample_events import (
    SAMPLE_SKETCH_SK,
    SKETCH_SK,
    SampleEventsRemoval,
)
from services.adapters.aws.dynamodb.sample_pages import SamplePageRename
from services.adapters.event_common import days_between, merge_registers, value_selected
from services.domain.analytics import (
    RETIRED_SAMPLE_PAGES,
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
    RollupRow,
)
from services.domain.hll import HyperLogLog
from services.domain.rollups import day_totals, fold_item_segments, period_totals
from services.errors import DemoFactoryError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

log = logging.getLogger(__name__)

_MAX_ATTEMPTS = 8
_BATCH_GET_DAYS = 50  # two sketches a day, 100 keys a BatchGetItem


class DynamoEventStore:
    """Implements ``services.ports.EventStore``. See the module docstring for the layout."""

    def __init__(
        self,
        client: DynamoDBClient,
        events_table: str,
        rollups_table: str,
        tz: tzinfo,
        retention_days: int,
        shards: int = 16,
        sleep: Callable[[float], None] = time.sleep,
        read_threads: int = 8,
    ) -> None:
        self._client = client
        self._events = events_table
        self._rollups = rollups_table
        self._tz = tz
        self._shards = shards
        self._sleep = sleep
        self._appender = EventAppender(client, events_table, rollups_table, tz,
                                       retention_days * 86_400, shards, sleep)
        # Reads are one call per day: run days side by side (boto3 clients are thread-safe).
        self._pool = ThreadPoolExecutor(read_threads, thread_name_prefix="dynamodb-events")
        for old, new in RETIRED_SAMPLE_PAGES:  # data recorded before: once, then two reads
            self._rename_at_open(old, new)

    # ---- writing ---------------------------------------------------------------------------

    def append(self, events: Sequence[Event]) -> list[Event]:
        return self._appender.append(events)

    def remove_samples(self) -> int:
        """Subtract every sample event's counts, drop their sketches and raw events; returns
        how many sample events the rollups held. Safe to re-run after a failure."""
        return SampleEventsRemoval(self._client, self._events, self._rollups, self._shards,
                                   self._tz, self._sleep, self._pool.map).run()

    def rename_sample_page(self, old: str, new: str) -> int:
        """Sample page views of ``old`` become ``new``, day by day (``sample_pages.py``)."""
        return SamplePageRename(self._client, self._events, self._rollups, self._shards,
                                self._tz, self._sleep, self._pool.map).run(old, new)

    def _rename_at_open(self, old: str, new: str) -> None:
        """A table that cannot be read now does not stop the app: the next start renames."""
        try:
            self.rename_sample_page(old, new)
        except DemoFactoryError as exc:
            log.warning("renaming sample page views of %r failed: %s", old, exc)

    # ---- reading ---------------------------------------------------------------------------

    def rollups(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        hourly: bool = False,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
        fold: Collection[Dim] = (),
        hour: int | None = None,
    ) -> list[RollupRow]:
        folded = set() if hourly else set(fold)
        plain = set(Dim if dims is None else dims) - folded
        wanted_types = set(EventType if types is None else types)
        wanted_dims = plain | folded
        if hourly:
            wanted_dims &= {Dim.ALL}
        if not wanted_types or not wanted_dims or start > end:
            return []
        if values is not None and not values:
            return []
        at = hour if hourly else None
        prefixes = sk_prefixes(hourly, wanted_types, wanted_dims, value_prefix(values, prefix),
                               at)

        def one_day(day: date) -> list[RollupRow]:
            rows = (rollup_row(day, item) for sk in prefixes
                    for item in self._query_day(day.isoformat(), sk))
            # A counter at zero is one that only sample events had counted (removed since).
            return [r for r in rows if r.count > 0 and (at is None or r.key.hour == at)
                    and r.key.type in wanted_types and r.key.dim in wanted_dims
                    and value_selected(r.key.value, values, prefix)]

        found = [row for rows in self._pool.map(one_day, days_between(start, end))
                 for row in rows]
        if not folded:
            return found
        # The same Queries as the rows of ``dims``; the items are summed here.
        return [*(r for r in found if r.key.dim in plain),
                *fold_item_segments(r for r in found if r.key.dim in folded)]

    def rollup_totals(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> PeriodTotals:
        # Correctness first: the same per-day Queries as ``rollups``, summed here.
        return period_totals(self.rollups(start, end, types, dims, values=values, prefix=prefix))

    def rollup_day_totals(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> DayTotals:
        return day_totals(self.rollups(start, end, types, dims, values=values, prefix=prefix))

    @contextmanager
    def one_moment(self) -> Iterator[bool]:
        """No snapshot across Queries (a Query is not isolated from a transaction's writes
        either): each read sees its own moment. ``services.analytics.snapshot`` makes the
        numbers a reader compares agree from the rows read."""
        yield False

    def _query_day(self, day: str, prefix: str) -> Iterator[dict[str, Any]]:
        with aws_errors():
            pages = self._client.get_paginator("query").paginate(
                TableName=self._rollups,
                KeyConditionExpression="#day = :day AND begins_with(sk, :prefix)",
                ProjectionExpression="sk, #count",
                ExpressionAttributeNames={"#day": "day", "#count": "count"},
                ExpressionAttributeValues={":day": {"S": day}, ":prefix": {"S": prefix}},
            )
            for page in pages:
                yield from page["Items"]

    def visitors(self, start: date, end: date) -> HyperLogLog:
        days = [day.isoformat() for day in days_between(start, end)]
        chunks = [days[i : i + _BATCH_GET_DAYS] for i in range(0, len(days), _BATCH_GET_DAYS)]
        blobs = [blob for found in self._pool.map(self._sketches, chunks) for blob in found]
        return merge_registers(blobs)

    def _sketches(self, days: list[str]) -> list[bytes]:
        """BatchGetItem of the days' sketches, retrying what DynamoDB leaves unprocessed."""
        keys = [{"day": {"S": day}, "sk": {"S": sk}}
                for day in days for sk in (SKETCH_SK, SAMPLE_SKETCH_SK)]
        items = batch_get(self._client, self._rollups, keys, self._sleep, projection="registers")
        return [item["registers"]["B"] for item in items]

    def raw_events(self, since: datetime, until: datetime) -> Iterator[Event]:
        low, high = to_iso(since), to_iso(until)
        if low >= high:
            return
        # "<ts>#<id>" sort keys: BETWEEN low AND high keeps since <= ts < until exactly.
        first = since.astimezone(UTC).date()
        last = (until.astimezone(UTC) - timedelta(microseconds=1)).date()
        for day in days_between(first, last):
            shards = [self._query_events(f"{day.isoformat()}#{s:02d}", low, high)
                      for s in range(self._shards)]
            for _, item in heapq.merge(*shards, key=lambda entry: entry[0]):
                yield event_of(item)

    def forget_user(self, user_id: str, since: datetime, until: datetime) -> int:
        """The events stay (rollups and sketches hold no user ids); only the id goes."""
        return self._deleted().forget_user(user_id, since, until)

    def rekey_author(self, old: str, new: str, since: datetime, until: datetime) -> int:
        """Move ``old``'s author counters onto ``new``, day by day (``account_removal.py``)."""
        return self._deleted().rekey_author(old, new, since, until)

    def _deleted(self) -> DeletedAccount:
        return DeletedAccount(self._client, self._events, self._rollups, self._shards, self._tz,
                              self._sleep, self._pool.map)

    def _query_events(self, pk: str, low: str, high: str) -> Iterator[tuple[str, dict[str, Any]]]:
        with aws_errors():
            pages = self._client.get_paginator("query").paginate(
                TableName=self._events,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                ExpressionAttributeValues={
                    ":pk": {"S": pk}, ":low": {"S": low}, ":high": {"S": high}
                },
            )
            for page in pages:
                for item in page["Items"]:
                    yield item["sk"]["S"], item
