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

Exactly once per event: an event's item key follows from its id and ts (an event is immutable:
``make_event`` sets both once and a retry re-sends the same object). ``append`` writes events
in TransactWriteItems of at most 100 actions: a conditional Put (``attribute_not_exists``) per
event plus one ``ADD #count :n`` per rollup counter those events touch (aggregated first). If
an event is already stored, its Put's condition cancels the transaction; those events are
dropped and the rest retried, so only new events are counted. Events and the counters they
add commit together: a process that dies mid-batch leaves whole chunks applied and the others
untouched, and a retry of the batch applies exactly the missing chunks. Visitor sketches are
merged *before* the chunks, with every event of the batch: HyperLogLog adds are idempotent, so
a retried batch changes nothing, and a crash between sketch and events can only leave a
visitor in the sketch whose event is written by the retry (never a stored event uncounted).
A sketch is one 16 KiB Binary item per day with a ``version``: read, merge, write on condition
that the version did not move, retry on conflict.

Sample events (``Event.sample``, demo traffic for the sample content) add to the same counters
and, in the same transaction, to a copy under "s#<sk>" plus the count of the day's sample events
under ``day`` = "#samples", ``sk`` = <local day>; their visitors go to the day's "s#v" sketch
only (reads merge it). ``remove_samples`` (``sample_events.py``) subtracts those copies.

Content events also ADD to the author's day index, ``day`` = "#author#<author id>", ``sk`` = <local
day>: how a deleted author's counters are found without a Scan (``account_removal.py``).

Retries: botocore retries throttled and failed calls (``common.make_client``); the bounded loops
here re-send only what DynamoDB answered but left undone (cancelled transactions, unprocessed
keys, a lost optimistic lock), which botocore does not see, waiting ``common.resend_delay``.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    condition_failed,
    resend_delay,
    to_iso,
    translate_client_error,
)
from services.adapters.aws.dynamodb.account_removal import DeletedAccount, author_day_keys
from services.adapters.aws.dynamodb.event_items import (
    event_item,
    event_of,
    rollup_row,
    rollup_sk,
    sk_prefixes,
    value_prefix,
)
from services.adapters.aws.dynamodb.sample_events import (
    SAMPLE_PREFIX,
    SAMPLE_SKETCH_SK,
    SKETCH_SK,
    SampleEventsRemoval,
    sample_day_key,
)
from services.adapters.event_common import (
    day_totals,
    days_between,
    first_of_each_id,
    merge_registers,
    period_totals,
    value_selected,
)
from services.domain.analytics import (
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
    RollupRow,
    fold_item_segments,
    local_day_hour,
    rollup_keys,
)
from services.domain.hll import HyperLogLog
from services.errors import ConflictError, QuotaExceeded

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

MAX_TRANSACTION_ITEMS = 100
_RETRYABLE_REASONS = {
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
}
_MAX_ATTEMPTS = 8
_BATCH_GET_DAYS = 50  # two sketches a day, 100 keys a BatchGetItem

RollupItemKey = tuple[str, str]  # (local day, sk)


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
        self._retention_s = retention_days * 86_400
        self._shards = shards
        self._sleep = sleep
        # Reads are one call per day: run days side by side (boto3 clients are thread-safe).
        self._pool = ThreadPoolExecutor(read_threads, thread_name_prefix="dynamodb-events")

    # ---- writing ---------------------------------------------------------------------------

    def append(self, events: Sequence[Event]) -> list[Event]:
        unique = list(first_of_each_id(events).values())
        if not unique:
            return []
        self._merge_visitors(unique)
        stored: list[Event] = []
        for chunk in _chunks([(event, self._counter_keys(event)) for event in unique]):
            stored += self._commit(chunk)
        return stored

    def _counter_keys(self, event: Event) -> list[RollupItemKey]:
        counted = rollup_keys(event, self._tz)
        keys = [(key.day.isoformat(), rollup_sk(key)) for key in counted]
        if event.sample:
            day = local_day_hour(event.ts, self._tz)[0].isoformat()
            keys += [(d, SAMPLE_PREFIX + sk) for d, sk in keys] + [sample_day_key(day)]
        return keys + author_day_keys(counted)  # the days a deleted author's counters are on

    def remove_samples(self) -> int:
        """Subtract every sample event's counts, drop their sketches and raw events; returns
        how many sample events the rollups held. Safe to re-run after a failure."""
        return SampleEventsRemoval(self._client, self._events, self._rollups, self._shards,
                                   self._tz, self._sleep, self._pool.map).run()

    def _commit(self, chunk: list[tuple[Event, list[RollupItemKey]]]) -> list[Event]:
        """Write one chunk's new events and their counters in one transaction; returns the
        events that were new."""
        pending = chunk
        conflicts = 0
        while pending:
            try:
                self._client.transact_write_items(TransactItems=self._actions(pending))
                return [event for event, _ in pending]
            except AWS_ERRORS as exc:
                reasons = cancellation_codes(exc)
                stored = {i for i, code in enumerate(reasons[: len(pending)])
                          if code == "ConditionalCheckFailed"}
                if stored:  # already written (a retry, or another writer): drop, retry the rest
                    pending = [entry for i, entry in enumerate(pending) if i not in stored]
                    continue
                if not _RETRYABLE_REASONS.intersection(reasons):
                    raise translate_client_error(exc) from exc
                conflicts += 1
                if conflicts >= _MAX_ATTEMPTS:
                    raise QuotaExceeded("aws.throttled", operation="TransactWriteItems") from exc
                self._backoff(conflicts)
        return []

    def _actions(
        self, chunk: list[tuple[Event, list[RollupItemKey]]]
    ) -> list[TransactWriteItemTypeDef]:
        actions: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self._events,
                    "Item": event_item(event, self._shards, self._retention_s),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for event, _ in chunk
        ]
        counts = Counter(key for _, keys in chunk for key in keys)
        for (day, sk), n in sorted(counts.items()):
            actions.append(
                {
                    "Update": {
                        "TableName": self._rollups,
                        "Key": {"day": {"S": day}, "sk": {"S": sk}},
                        "UpdateExpression": "ADD #count :n",
                        "ExpressionAttributeNames": {"#count": "count"},
                        "ExpressionAttributeValues": {":n": {"N": str(n)}},
                    }
                }
            )
        return actions

    def _merge_visitors(self, events: Iterable[Event]) -> None:
        by_day: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        for event in events:
            sk = SAMPLE_SKETCH_SK if event.sample else SKETCH_SK
            by_day[local_day_hour(event.ts, self._tz)[0].isoformat(), sk].add(event.visitor_id)
        for (day, sk), visitors in sorted(by_day.items()):
            self._merge_sketch(day, sk, visitors)

    def _merge_sketch(self, day: str, sk: str, visitors: set[str]) -> None:
        """Optimistic locking: read, merge, write only if nobody wrote in between."""
        key = {"day": {"S": day}, "sk": {"S": sk}}
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            with aws_errors():
                found = self._client.get_item(
                    TableName=self._rollups, Key=key, ConsistentRead=True
                ).get("Item")
            version = int(found["version"]["N"]) if found else 0
            before = found["registers"]["B"] if found else None
            sketch = HyperLogLog(before).update(visitors)
            if before is not None and sketch.to_bytes() == before:
                return  # nothing new (returning visitors, a retried batch): no write
            try:
                self._client.put_item(
                    TableName=self._rollups,
                    Item={**key, "registers": {"B": sketch.to_bytes()},
                          "version": {"N": str(version + 1)}},
                    **_version_condition(version),
                )
                return
            except AWS_ERRORS as exc:
                if not condition_failed(exc):
                    raise translate_client_error(exc) from exc
            self._backoff(attempt)
        raise ConflictError("errors.conflict", operation="merge visitor sketch", day=day)

    def _backoff(self, attempt: int) -> None:
        self._sleep(resend_delay(attempt))

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
        request: dict[str, Any] = {
            self._rollups: {
                "Keys": [{"day": {"S": day}, "sk": {"S": sk}}
                         for day in days for sk in (SKETCH_SK, SAMPLE_SKETCH_SK)],
                "ProjectionExpression": "registers",
            }
        }
        blobs: list[bytes] = []
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            with aws_errors():
                answer = self._client.batch_get_item(RequestItems=request)
            blobs.extend(item["registers"]["B"] for item in answer["Responses"][self._rollups])
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                return blobs
            self._backoff(attempt)
        raise QuotaExceeded("aws.throttled", operation="BatchGetItem")

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


def _chunks(
    entries: list[tuple[Event, list[RollupItemKey]]],
) -> Iterator[list[tuple[Event, list[RollupItemKey]]]]:
    """Greedy runs of events whose Puts plus distinct counters fit one transaction."""
    chunk: list[tuple[Event, list[RollupItemKey]]] = []
    counters: set[RollupItemKey] = set()
    for event, keys in entries:
        merged = counters.union(keys)
        if chunk and len(chunk) + 1 + len(merged) > MAX_TRANSACTION_ITEMS:
            yield chunk
            chunk, merged = [], set(keys)
        chunk.append((event, keys))
        counters = merged
    if chunk:
        yield chunk


def _version_condition(version: int) -> dict[str, Any]:
    if version == 0:
        return {"ConditionExpression": "attribute_not_exists(sk)"}
    return {
        "ConditionExpression": "#version = :version",
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": {":version": {"N": str(version)}},
    }
