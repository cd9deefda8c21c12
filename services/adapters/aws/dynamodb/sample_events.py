"""Taking the sample events out of the DynamoDB event store (layout: ``events.py``).

A sample event adds to the ordinary counters and, in the same transaction, to a copy of each
under "s#<sk>" and to the count of its local day's sample events (``day`` = "#samples",
``sk`` = <local day>); its visitor goes to the day's "s#v" sketch only. Removal walks the days
listed under "#samples": per day it subtracts each copy from its counter and deletes the copy
in one transaction, on condition that the copy still holds the count read (so neither a
re-run nor a second remover subtracts twice, and a sample event added meanwhile is read again),
deletes the "s#v" sketch and the day's raw sample events, and only then the day's "#samples"
entry, on condition that it still counts the events read: a day that gained sample events
meanwhile (a seed run) is removed again. A run that stops half-way is finished by the next
one. Counters left at zero stay as items; reads skip them (deleting each would cost one more
call per counter for nothing a reader sees).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
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
from services.adapters.aws.dynamodb.batch import batch_delete
from services.adapters.event_common import days_between
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

SKETCH_SK = "v"
SAMPLE_PREFIX = "s#"
SAMPLE_SKETCH_SK = SAMPLE_PREFIX + SKETCH_SK
SAMPLE_DAYS = "#samples"
_PAIRS_PER_TRANSACTION = 50  # an Update and a Delete each: 100 actions
_MAX_ATTEMPTS = 8


def sample_day_key(day: str) -> tuple[str, str]:
    """The (day, sk) of the counter of one local day's sample events."""
    return SAMPLE_DAYS, day


@dataclass(frozen=True)
class SampleEventsRemoval:
    """One removal run (see the module docstring)."""

    client: DynamoDBClient
    events_table: str
    rollups_table: str
    shards: int
    tz: tzinfo
    sleep: Callable[[float], None] = lambda seconds: None
    # The store's thread pool: a day's raw events sit in (UTC days x shards) partitions, each
    # its own Query and deletes, and one after another they take long for a page to wait on.
    map: Callable[..., Iterator[Any]] = map

    def run(self) -> int:
        return sum(self._remove_day(day, count) for day, count in self._days())

    def _remove_day(self, day: str, count: int) -> int:
        """The day's sample events, however many arrive while it is removed; how many."""
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            self._subtract(day)
            batch_delete(self.client, self.rollups_table, [_key(day, SAMPLE_SKETCH_SK)],
                         self.sleep)
            self._delete_raw(date.fromisoformat(day))
            if self._forget_day(day, count):
                return count
            found = self._day_count(day)  # sample events arrived meanwhile: once more
            if found is None:
                return 0  # another remover finished the day
            count = found
            self.sleep(resend_delay(attempt))
        raise ConflictError("errors.conflict", operation="remove sample events", day=day)

    def _forget_day(self, day: str, count: int) -> bool:
        try:
            self.client.delete_item(
                TableName=self.rollups_table, Key=_key(*sample_day_key(day)),
                ConditionExpression="#count = :n", ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={":n": {"N": str(count)}})
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            return False
        return True

    def _day_count(self, day: str) -> int | None:
        with aws_errors():
            item = self.client.get_item(TableName=self.rollups_table,
                                        Key=_key(*sample_day_key(day)),
                                        ConsistentRead=True).get("Item")
        return int(item["count"]["N"]) if item else None

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        with aws_errors():
            for page in self.client.get_paginator("query").paginate(**kwargs):
                yield from page["Items"]

    def _days(self) -> list[tuple[str, int]]:
        items = self._query(
            TableName=self.rollups_table, KeyConditionExpression="#day = :day",
            ExpressionAttributeNames={"#day": "day"},
            ExpressionAttributeValues={":day": {"S": SAMPLE_DAYS}},
        )
        return [(item["sk"]["S"], int(item["count"]["N"])) for item in items]

    def _subtract(self, day: str) -> None:
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            if self._subtract_copies(day):
                return
            self.sleep(resend_delay(attempt))  # a copy moved since it was read: read again
        raise ConflictError("errors.conflict", operation="remove sample events", day=day)

    def _subtract_copies(self, day: str) -> bool:
        """Subtract the day's copies as read; False if one moved (or went) meanwhile."""
        copies = [
            (item["sk"]["S"], int(item["count"]["N"]))
            for item in self._query(
                TableName=self.rollups_table,
                KeyConditionExpression="#day = :day AND begins_with(sk, :prefix)",
                ExpressionAttributeNames={"#day": "day"},
                ExpressionAttributeValues={":day": {"S": day}, ":prefix": {"S": SAMPLE_PREFIX}},
            )
            if "count" in item
        ]
        for i in range(0, len(copies), _PAIRS_PER_TRANSACTION):
            actions: list[TransactWriteItemTypeDef] = []
            for sk, count in copies[i : i + _PAIRS_PER_TRANSACTION]:
                actions.append({"Update": {
                    "TableName": self.rollups_table,
                    "Key": _key(day, sk.removeprefix(SAMPLE_PREFIX)),
                    "UpdateExpression": "ADD #count :n",
                    "ExpressionAttributeNames": {"#count": "count"},
                    "ExpressionAttributeValues": {":n": {"N": str(-count)}},
                }})
                # The condition makes a second remover (or a re-run) fail instead of
                # subtracting the same copy twice, and a copy grown meanwhile be read again.
                actions.append({"Delete": {
                    "TableName": self.rollups_table, "Key": _key(day, sk),
                    "ConditionExpression": "#count = :n",
                    "ExpressionAttributeNames": {"#count": "count"},
                    "ExpressionAttributeValues": {":n": {"N": str(count)}},
                }})
            try:
                self.client.transact_write_items(TransactItems=actions)
            except AWS_ERRORS as exc:
                if "ConditionalCheckFailed" in cancellation_codes(exc):
                    return False
                raise translate_client_error(exc) from exc
        return True

    def _delete_raw(self, day: date) -> None:
        """Delete the raw sample events of one local day (its UTC days, every shard)."""
        low, high, partitions = day_partitions(day, self.tz, self.shards)

        def one(pk: str) -> None:
            # "<ts>#<id>" sort keys: BETWEEN keeps low <= ts < high exactly.
            keys = [{"pk": item["pk"], "sk": item["sk"]} for item in self._query(
                TableName=self.events_table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                FilterExpression="#sample = :yes",
                ProjectionExpression="pk, sk",
                ExpressionAttributeNames={"#sample": "sample"},
                ExpressionAttributeValues={
                    ":pk": {"S": pk}, ":low": {"S": low}, ":high": {"S": high},
                    ":yes": {"BOOL": True},
                },
            )]
            batch_delete(self.client, self.events_table, keys, self.sleep)

        list(self.map(one, partitions))  # list(): raises the first failure here


def day_partitions(day: date, tz: tzinfo, shards: int) -> tuple[str, str, list[str]]:
    """The raw events of one local day: the sort-key bounds (``BETWEEN`` keeps low <= ts <
    high exactly, as sort keys are "<ts>#<id>") and the partitions (its UTC days, every
    shard)."""
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    last = (end - timedelta(microseconds=1)).date()
    partitions = [f"{utc_day.isoformat()}#{shard:02d}"
                  for utc_day in days_between(start.date(), last) for shard in range(shards)]
    return to_iso(start), to_iso(end), partitions


def _key(day: str, sk: str) -> dict[str, Any]:
    return {"day": {"S": day}, "sk": {"S": sk}}
