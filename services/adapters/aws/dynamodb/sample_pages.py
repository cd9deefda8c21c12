"""Renaming the page of sample page views in the DynamoDB event store (layout: ``events.py``;
the sample copies and the "#samples" list of days: ``sample_events.py``).

A sample page view adds to its day's counter "d#page_view#page#<page>" and to that counter's
sample copy "s#d#page_view#page#<page>", which holds exactly what sample events added. The days
to rename are those whose copy of ``old`` exists: one Query of the "#samples" days and one
BatchGetItem per 100 of them, all a store with nothing left to rename pays. Per such day:

1. the day's raw sample page views of ``old`` get ``new`` (a Query per UTC day and shard, then
   a conditional update per event: its page still ``old``);
2. then ONE TransactWriteItems moves the copy's count: ADD -n to the ``old`` counter, +n to the
   ``new`` counter and to its copy, and Delete the ``old`` copy on condition that it still
   holds n. Another instance renaming at the same moment fails that condition and reads the
   day again, so nothing moves twice; the copy goes last, so a run that stops early leaves
   the day for the next one. A counter left at zero stays; reads skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    condition_failed,
    resend_delay,
    translate_client_error,
)
from services.adapters.aws.dynamodb.batch import batch_get
from services.adapters.aws.dynamodb.sample_events import (
    SAMPLE_DAYS,
    SAMPLE_PREFIX,
    day_partitions,
)
from services.domain.analytics import Dim, EventType
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_PAGE_SK = f"d#{EventType.PAGE_VIEW.value}#{Dim.PAGE.value}#"
_MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class SamplePageRename:
    """One rename run (see the module docstring)."""

    client: DynamoDBClient
    events_table: str
    rollups_table: str
    shards: int
    tz: tzinfo
    sleep: Callable[[float], None]
    map: Callable[..., Iterator[Any]] = map

    def run(self, old: str, new: str) -> int:
        if old == new:
            return 0
        return sum(
            self._rename_day(day, count, old, new)
            for day, count in sorted(self._copies(old).items())
        )

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        with aws_errors():
            for page in self.client.get_paginator("query").paginate(**kwargs):
                yield from page["Items"]

    def _copies(self, page: str) -> dict[str, int]:
        """day -> count of the sample copies of ``page``'s counter that exist."""
        days = [
            item["sk"]["S"]
            for item in self._query(
                TableName=self.rollups_table,
                KeyConditionExpression="#day = :day",
                ProjectionExpression="sk",
                ExpressionAttributeNames={"#day": "day"},
                ExpressionAttributeValues={":day": {"S": SAMPLE_DAYS}},
            )
        ]
        return self._counts(days, page)

    def _counts(self, days: list[str], page: str) -> dict[str, int]:
        """day -> count of ``page``'s sample copy on each of ``days`` where it exists."""
        items = batch_get(self.client, self.rollups_table,
                          [_key(day, SAMPLE_PREFIX + _PAGE_SK + page) for day in days],
                          self.sleep, consistent=True, projection="#day, #count",
                          names={"#day": "day", "#count": "count"})
        return {item["day"]["S"]: int(item.get("count", {"N": "0"})["N"]) for item in items}

    def _rename_day(self, day: str, count: int, old: str, new: str) -> int:
        """Step 1, then step 2 until it holds; the page views the day's copy held."""
        self._rename_raw(date.fromisoformat(day), old, new)
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            if count <= 0:
                return 0
            try:
                self.client.transact_write_items(TransactItems=self._move(day, count, old, new))
                return count
            except AWS_ERRORS as exc:
                if "ConditionalCheckFailed" not in cancellation_codes(exc):
                    raise translate_client_error(exc) from exc
            self.sleep(resend_delay(attempt))  # the copy moved meanwhile: read it again
            count = self._counts([day], old).get(day, 0)
        raise ConflictError("errors.conflict", operation="rename sample page", day=day)

    def _move(self, day: str, count: int, old: str, new: str) -> list[TransactWriteItemTypeDef]:
        copy = SAMPLE_PREFIX + _PAGE_SK + old
        return [
            _add(self.rollups_table, day, _PAGE_SK + old, -count),
            _add(self.rollups_table, day, _PAGE_SK + new, count),
            _add(self.rollups_table, day, SAMPLE_PREFIX + _PAGE_SK + new, count),
            {
                "Delete": {
                    "TableName": self.rollups_table,
                    "Key": _key(day, copy),
                    "ConditionExpression": "#count = :n",
                    "ExpressionAttributeNames": {"#count": "count"},
                    "ExpressionAttributeValues": {":n": {"N": str(count)}},
                }
            },
        ]

    def _rename_raw(self, day: date, old: str, new: str) -> None:
        low, high, partitions = day_partitions(day, self.tz, self.shards)

        def one(pk: str) -> None:
            found = self._query(
                TableName=self.events_table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                FilterExpression="#sample = :yes AND #type = :type AND #page = :old",
                ProjectionExpression="sk",
                ExpressionAttributeNames={"#sample": "sample", "#type": "type", "#page": "page"},
                ExpressionAttributeValues={
                    ":pk": {"S": pk},
                    ":low": {"S": low},
                    ":high": {"S": high},
                    ":yes": {"BOOL": True},
                    ":type": {"S": EventType.PAGE_VIEW.value},
                    ":old": {"S": old},
                },
            )
            for item in list(found):
                self._rename_event(pk, item["sk"]["S"], old, new)

        list(self.map(one, partitions))  # list(): raises the first failure here

    def _rename_event(self, pk: str, sk: str, old: str, new: str) -> None:
        try:
            self.client.update_item(
                TableName=self.events_table,
                Key={"pk": {"S": pk}, "sk": {"S": sk}},
                UpdateExpression="SET #page = :new",
                ConditionExpression="#page = :old",
                ExpressionAttributeNames={"#page": "page"},
                ExpressionAttributeValues={":old": {"S": old}, ":new": {"S": new}},
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):  # another run renamed it first
                raise translate_client_error(exc) from exc


def _key(day: str, sk: str) -> dict[str, Any]:
    return {"day": {"S": day}, "sk": {"S": sk}}


def _add(table: str, day: str, sk: str, count: int) -> TransactWriteItemTypeDef:
    return {
        "Update": {
            "TableName": table,
            "Key": _key(day, sk),
            "UpdateExpression": "ADD #count :n",
            "ExpressionAttributeNames": {"#count": "count"},
            "ExpressionAttributeValues": {":n": {"N": str(count)}},
        }
    }
