"""Appending usage events to DynamoDB (``DynamoEventStore.append``): each new event with the
rollup counters it adds, and the days' visitor sketches. The tables' layout is in ``events.py``.

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
here re-send only what DynamoDB answered but left undone (cancelled transactions, a lost
optimistic lock), which botocore does not see, waiting ``common.resend_delay``.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    condition_failed,
    resend_delay,
    translate_client_error,
    version_condition,
)
from services.adapters.aws.dynamodb.account_removal import author_day_keys
from services.adapters.aws.dynamodb.event_items import event_item, rollup_sk
from services.adapters.aws.dynamodb.sample_events import (
    SAMPLE_PREFIX,
    SAMPLE_SKETCH_SK,
    SKETCH_SK,
    sample_day_key,
)
from services.adapters.event_common import first_of_each_id
from services.domain.analytics import Event, local_day_hour
from services.domain.hll import HyperLogLog
from services.domain.rollups import rollup_keys
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

RollupItemKey = tuple[str, str]  # (local day, sk)


class EventAppender:
    """Writes events for ``DynamoEventStore``, exactly once each (see the module docstring)."""

    def __init__(
        self,
        client: DynamoDBClient,
        events_table: str,
        rollups_table: str,
        tz: tzinfo,
        retention_s: int,
        shards: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._events = events_table
        self._rollups = rollups_table
        self._tz = tz
        self._retention_s = retention_s
        self._shards = shards
        self._sleep = sleep

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
                    **version_condition(version),
                )
                return
            except AWS_ERRORS as exc:
                if not condition_failed(exc):
                    raise translate_client_error(exc) from exc
            self._backoff(attempt)
        raise ConflictError("errors.conflict", operation="merge visitor sketch", day=day)

    def _backoff(self, attempt: int) -> None:
        self._sleep(resend_delay(attempt))


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
