"""What deleting an account changes in the DynamoDB event store (layout: ``events.py``).

``forget_user``: the account's raw events lose its ``user_id`` (Queries per UTC day and shard
of the window, then a conditional update per event of the user); rollups and sketches hold no
user ids. ``rekey_author``: an author's user name goes out of the analytics, onto the heir or
"former author".

Where an author's user name sits: the raw events' ``author_id`` and, in the rollups table, the
day counters ``sk`` = "d#<type>#author#<name>" (plus the sample copy "s#d#...") of every local
day that had a content event of theirs. Rollups are kept for ever, so the days are found without
a Scan from a small index written at ingest, in the same transaction as the counters:
``day`` = "#author#<name>", ``sk`` = <local day>, ``count`` ADDed per event (only its existence
matters). Counters written before that index existed are found through the raw events still
retained (their local days); older ones than that keep the old name.

One ``rekey_author`` run, safe to re-run after a crash at any point:
1. read the author's raw events in the window (Queries per UTC day and shard) and the index:
   the days to visit;
2. per day, one BatchGetItem of the exact counter keys (the event types that carry an author,
   each plain and "s#"), then ONE TransactWriteItems: ADD each count to the heir's counter,
   Delete the old counter on condition that its count is still the one read (a concurrent
   append makes it fail: the day is read again), and ADD to the heir's index item for the day.
   A day moves whole or not at all, and a moved day has nothing left to move again;
3. re-key the raw events (conditional update per event: ``author_id`` still the old name);
4. only then delete the old author's index items, so a run that stops early leaves the days
   listed for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    condition_failed,
    from_iso,
    resend_delay,
    to_iso,
    translate_client_error,
)
from services.adapters.aws.dynamodb.batch import batch_get
from services.adapters.aws.dynamodb.sample_events import SAMPLE_PREFIX
from services.adapters.event_common import days_between
from services.domain.analytics import Dim, Event, EventType, RollupKey, local_day_hour
from services.domain.rollups import rollup_keys
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

AUTHOR_DAYS_PREFIX = "#author#"
_MAX_ATTEMPTS = 8


def author_day_keys(keys: list[RollupKey]) -> list[tuple[str, str]]:
    """The index items (day, sk) an event's rollup keys add to: one per author counter."""
    return [(AUTHOR_DAYS_PREFIX + k.value, k.day.isoformat()) for k in keys
            if k.dim == Dim.AUTHOR]


def _author_types() -> list[EventType]:
    """The event types whose counters carry an author (from ``rollup_keys``, the one
    definition of what an event counts for)."""
    probe = datetime(2026, 1, 1, tzinfo=UTC)
    return [t for t in EventType if any(
        k.dim == Dim.AUTHOR for k in rollup_keys(
            Event(id="probe", ts=probe, type=t, session_id="s", author_id="a"), UTC))]


_AUTHOR_TYPES = _author_types()


def _counter_sk(type_: EventType, author: str, sample: bool) -> str:
    sk = f"d#{type_.value}#{Dim.AUTHOR.value}#{author}"
    return SAMPLE_PREFIX + sk if sample else sk


@dataclass(frozen=True)
class DeletedAccount:
    """The event store's part of deleting an account (see the module docstring)."""

    client: DynamoDBClient
    events_table: str
    rollups_table: str
    shards: int
    tz: tzinfo
    sleep: Callable[[float], None]
    map: Callable[..., Iterator[Any]] = map

    def forget_user(self, user_id: str, since: datetime, until: datetime) -> int:
        found = self._raw_events("user_id", user_id, since, until)
        return sum(self._update_event(pk, sk, "REMOVE user_id", "user_id", user_id)
                   for pk, sk, _ in found)

    def rekey_author(self, old: str, new: str, since: datetime, until: datetime) -> int:
        if old == new:
            return 0
        raw = self._raw_events("author_id", old, since, until)
        indexed = self._indexed_days(old)
        days = sorted(indexed | {local_day_hour(from_iso(ts), self.tz)[0].isoformat()
                                 for _, _, ts in raw})
        moved = sum(self.map(lambda day: self._move_day(day, old, new), days))
        for pk, sk, _ in raw:
            self._update_event(pk, sk, "SET author_id = :new", "author_id", old, new)
        self._delete_index(old, sorted(indexed))
        return int(moved)

    # ---- finding -----------------------------------------------------------------------

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        with aws_errors():
            for page in self.client.get_paginator("query").paginate(**kwargs):
                yield from page["Items"]

    def _indexed_days(self, author: str) -> set[str]:
        return {item["sk"]["S"] for item in self._query(
            TableName=self.rollups_table, KeyConditionExpression="#day = :day",
            ProjectionExpression="sk", ExpressionAttributeNames={"#day": "day"},
            ExpressionAttributeValues={":day": {"S": AUTHOR_DAYS_PREFIX + author}},
        )}

    def _raw_events(self, name: str, value: str, since: datetime, until: datetime,
                    ) -> list[tuple[str, str, str]]:
        """(pk, sk, ts) of the raw events with since <= ts < until whose ``name`` is value."""
        low, high = to_iso(since), to_iso(until)
        if low >= high:
            return []
        first = since.astimezone(UTC).date()
        last = (until.astimezone(UTC) - timedelta(microseconds=1)).date()
        partitions = [f"{day.isoformat()}#{shard:02d}" for day in days_between(first, last)
                      for shard in range(self.shards)]

        def one(pk: str) -> list[tuple[str, str, str]]:
            # "<ts>#<id>" sort keys: BETWEEN keeps low <= ts < high exactly.
            return [(pk, item["sk"]["S"], item["ts"]["S"]) for item in self._query(
                TableName=self.events_table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                FilterExpression="#name = :value",
                ProjectionExpression="sk, ts",
                ExpressionAttributeNames={"#name": name},
                ExpressionAttributeValues={":pk": {"S": pk}, ":low": {"S": low},
                                           ":high": {"S": high}, ":value": {"S": value}},
            )]

        return [found for part in self.map(one, partitions) for found in part]

    def _counters(self, day: str, author: str) -> dict[str, int]:
        """The author's counters of one day that exist: sk -> count."""
        keys = [{"day": {"S": day}, "sk": {"S": _counter_sk(t, author, sample)}}
                for t in _AUTHOR_TYPES for sample in (False, True)]
        items = batch_get(self.client, self.rollups_table, keys, self.sleep, consistent=True,
                          projection="sk, #count", names={"#count": "count"})
        return {item["sk"]["S"]: int(item.get("count", {"N": "0"})["N"]) for item in items}

    # ---- moving ------------------------------------------------------------------------

    def _move_day(self, day: str, old: str, new: str) -> int:
        """Move one day's counters in one transaction; returns the events they held."""
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            counters = self._counters(day, old)
            if not counters:
                return 0
            try:
                self.client.transact_write_items(
                    TransactItems=self._actions(day, counters, old, new))
                return sum(n for sk, n in counters.items() if not sk.startswith(SAMPLE_PREFIX))
            except AWS_ERRORS as exc:
                if "ConditionalCheckFailed" not in cancellation_codes(exc):
                    raise translate_client_error(exc) from exc
            self.sleep(resend_delay(attempt))  # a counter moved meanwhile: read the day again
        raise ConflictError("errors.conflict", operation="re-key author", day=day)

    def _actions(self, day: str, counters: dict[str, int], old: str,
                 new: str) -> list[TransactWriteItemTypeDef]:
        actions: list[TransactWriteItemTypeDef] = []
        old_tail, new_tail = f"#{Dim.AUTHOR.value}#{old}", f"#{Dim.AUTHOR.value}#{new}"
        for sk, count in sorted(counters.items()):
            if count:
                actions.append(_add(self.rollups_table, day,
                                    sk.removesuffix(old_tail) + new_tail, count))
            actions.append({"Delete": {
                "TableName": self.rollups_table,
                "Key": {"day": {"S": day}, "sk": {"S": sk}},
                "ConditionExpression": "#count = :n",
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {":n": {"N": str(count)}},
            }})
        actions.append(_add(self.rollups_table, AUTHOR_DAYS_PREFIX + new, day, 0))
        return actions

    def _update_event(self, pk: str, sk: str, update: str, name: str, value: str,
                      new: str | None = None) -> int:
        """One conditional update (``name`` still ``value``); 0 when another call did it."""
        values = {":old": {"S": value}} | ({":new": {"S": new}} if new is not None else {})
        try:
            self.client.update_item(
                TableName=self.events_table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                UpdateExpression=update, ConditionExpression="#name = :old",
                ExpressionAttributeNames={"#name": name}, ExpressionAttributeValues=values,
            )
        except AWS_ERRORS as exc:
            if condition_failed(exc):
                return 0
            raise translate_client_error(exc) from exc
        return 1

    def _delete_index(self, author: str, days: list[str]) -> None:
        for day in days:
            with aws_errors():
                self.client.delete_item(
                    TableName=self.rollups_table,
                    Key={"day": {"S": AUTHOR_DAYS_PREFIX + author}, "sk": {"S": day}})


def _add(table: str, day: str, sk: str, count: int) -> TransactWriteItemTypeDef:
    return {"Update": {
        "TableName": table, "Key": {"day": {"S": day}, "sk": {"S": sk}},
        "UpdateExpression": "ADD #count :n", "ExpressionAttributeNames": {"#count": "count"},
        "ExpressionAttributeValues": {":n": {"N": str(count)}},
    }}
