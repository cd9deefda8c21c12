"""ReportStore on DynamoDB: one item per report, the report itself as a JSON string (``doc``)
beside its summary (``summary``, what a list reads).

Lists Query two GSIs sorted by ``created_id`` (creation time, then id): one keyed by
``created_by`` (a user's reports), one keyed by the constant ``kind`` (every report, newest
first). Never a Scan. They ask for the summaries only (a projection: the indexes project every
attribute, so DynamoDB still reads, and counts, whole items, but neither sends nor has the app
parse their documents). An item saved before summaries were kept gets its summary the first
time a list reads it. The indexes stay ALL although ``summary`` alone (INCLUDE) would do: an
existing index's projection cannot change in place, and replacing it in every deployed stack
costs more than the copies of a few reports do (README, "Reports").

The daily token budget is one item per user and local day, ``id`` = "spend#<user>#<day>", with
a ``tokens`` count. It has neither ``kind`` nor ``created_by``, so neither index sees it. A
reservation is one UpdateItem that ADDs on condition that the total stays within the budget:
DynamoDB checks and adds in one step, so two tabs cannot both spend the last of a day.

Each asker's follow-up chat on a report is an item per turn, ``id`` =
"chat#<report>#<user>#<n>" (the turn as JSON in ``turn``), numbered by a counter item
"chat#<report>#<user>" (``turns``), so the chat is read by one GetItem and one BatchGetItem per
100 turns, never a Scan, and has no length limit. The report's item names who has a chat on it
(``chatters``, a string set), so deleting the report deletes those items too. A turn is one
transaction of three writes: the asker added to ``chatters`` on condition that the report
exists, the counter moved from the count just read to the next number on condition that it is
still that count, and the turn put under that number on condition that it is new. A report
deleted meanwhile refuses the whole turn (no chat item is left that nothing reads or deletes),
and a failure leaves neither a counted number without its turn nor a turn without its count.
Two writers on one chat (two tabs of one person) cannot take the same number: the one whose
count moved reads it again and tries again. Chat items have neither ``kind`` nor
``created_by``: no index sees them.

A report is far below DynamoDB's 400 KB item limit (its context is a few dozen KB); a larger
one is refused as ``aws.item_too_large``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    from_item,
    resend_delay,
    to_iso,
    to_item,
    translate_client_error,
)
from services.adapters.aws.dynamodb.batch import batch_delete, batch_get
from services.adapters.aws.dynamodb.schema import REPORTS_ALL_INDEX, REPORTS_USER_INDEX
from services.adapters.report_codec import (
    from_json,
    summary_from_json,
    summary_to_json,
    to_json,
    tokens_of,
    turn_from_json,
    turn_to_json,
)
from services.domain.reports import ChatHistory, ChatTurn, Report, ReportSummary, summary_of
from services.errors import ConflictError, NotFound

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

KIND = "report"
# Tries of a turn whose number another writer took meanwhile (two tabs ending answers on
# one chat at once): each lost try means another turn was kept, so a few suffice.
_TURN_ATTEMPTS = 5
_FAILED = "ConditionalCheckFailed"
_TRY_AGAIN = {_FAILED, "TransactionConflict"}
Items = list[dict[str, Any]]  # (``list`` is a method name inside the class)


class DynamoReportStore:
    """Implements ``services.ports.ReportStore``."""

    def __init__(self, client: DynamoDBClient, table: str,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._table = table
        self._sleep = sleep

    def add(self, report: Report) -> None:
        created = to_iso(report.created_at)
        item = {"id": report.id, "kind": KIND, "created_by": report.created_by,
                "created_id": f"{created}#{report.id}", "tokens": tokens_of(report),
                "doc": to_json(report), "summary": summary_to_json(summary_of(report))}
        with aws_errors(lambda _: ConflictError("errors.conflict", id=report.id)):
            self._client.put_item(TableName=self._table, Item=to_item(item),
                                  ConditionExpression="attribute_not_exists(id)")

    def get(self, report_id: str) -> Report:
        with aws_errors():
            response = self._client.get_item(TableName=self._table, Key=_key(report_id),
                                              ConsistentRead=True)
        if "doc" not in response.get("Item", {}):  # none, or a day's tokens: not a report
            raise NotFound("errors.not_found", id=report_id)
        return from_json(from_item(response["Item"])["doc"])

    def list(self, created_by: str | None = None, limit: int = 100) -> list[ReportSummary]:
        if created_by is None:
            query = _query(REPORTS_ALL_INDEX, "kind", KIND)
        else:
            query = _query(REPORTS_USER_INDEX, "created_by", created_by)
        items = self._pages({**query, "ProjectionExpression": "id, summary"}, limit)
        found = [summary_from_json(item["summary"]) if "summary" in item
                 else self._summarise(item["id"]) for item in items]
        return [summary for summary in found if summary is not None]

    def _summarise(self, report_id: str) -> ReportSummary | None:
        """The summary of a report saved before summaries were kept, kept now: the next list
        reads it instead of the whole document. None: deleted since the list was read."""
        try:
            summary = summary_of(self.get(report_id))
            with aws_errors(lambda _: NotFound("errors.not_found", id=report_id)):
                self._client.update_item(
                    TableName=self._table, Key=_key(report_id),
                    UpdateExpression="SET summary = :s", ConditionExpression="attribute_exists(id)",
                    ExpressionAttributeValues={":s": {"S": summary_to_json(summary)}})
        except NotFound:
            return None
        return summary

    def delete(self, report_id: str) -> None:
        with aws_errors(lambda _: NotFound("errors.not_found", id=report_id)):
            old = self._client.delete_item(TableName=self._table, Key=_key(report_id),
                                           ConditionExpression="attribute_exists(id)",
                                           ReturnValues="ALL_OLD")
        for user_id in old.get("Attributes", {}).get("chatters", {}).get("SS", []):
            chat = _chat_id(report_id, user_id)
            keys = [_key(chat)] + [_key(f"{chat}#{n}") for n in range(1, self._count(chat) + 1)]
            batch_delete(self._client, self._table, keys)

    def add_turn(self, report_id: str, user_id: str, turn: ChatTurn) -> None:
        chat = _chat_id(report_id, user_id)
        for attempt in range(1, _TURN_ATTEMPTS + 1):
            count = self._count(chat)
            try:
                self._client.transact_write_items(
                    TransactItems=self._turn_writes(report_id, user_id, count, turn),
                    # botocore's retry of a transaction that went through is then a no-op,
                    # not a second turn.
                    ClientRequestToken=str(uuid.uuid4()))
                return
            except AWS_ERRORS as exc:
                codes = cancellation_codes(exc)
                if codes[:1] == [_FAILED]:  # the report's condition: it is gone
                    raise NotFound("errors.not_found", id=report_id) from exc
                if not _TRY_AGAIN.intersection(codes):
                    raise translate_client_error(exc) from exc
            # Another writer took the number (or was writing the same items): read it again.
            self._sleep(resend_delay(attempt))
        raise ConflictError("errors.conflict", id=report_id, operation="add_turn")

    def _turn_writes(self, report_id: str, user_id: str, count: int, turn: ChatTurn
                     ) -> Sequence[TransactWriteItemTypeDef]:
        """The asker named on the report, the counter moved from ``count`` and the turn numbered
        after it: the order ``add_turn`` reads the cancellation reasons in."""
        chat = _chat_id(report_id, user_id)
        if count == 0:
            condition, values = "attribute_not_exists(turns)", {}
        else:
            condition, values = "turns = :n", {":n": {"N": str(count)}}
        return [
            {"Update": {"TableName": self._table, "Key": _key(report_id),
                        "UpdateExpression": "ADD chatters :u",
                        "ConditionExpression": "attribute_exists(doc)",
                        "ExpressionAttributeValues": {":u": {"SS": [user_id]}}}},
            {"Update": {"TableName": self._table, "Key": _key(chat),
                        "UpdateExpression": "SET turns = :next",
                        "ConditionExpression": condition,
                        "ExpressionAttributeValues": {":next": {"N": str(count + 1)}, **values}}},
            {"Put": {"TableName": self._table,
                     "Item": to_item({"id": f"{chat}#{count + 1}", "turn": turn_to_json(turn)}),
                     "ConditionExpression": "attribute_not_exists(id)"}},
        ]

    def turns(self, report_id: str, user_id: str) -> ChatHistory:
        chat = _chat_id(report_id, user_id)
        keys = [_key(f"{chat}#{n}") for n in range(1, self._count(chat) + 1)]
        items = batch_get(self._client, self._table, keys, consistent=True,
                          projection="id, turn")
        # A number counted whose turn was never written (a failed put, before turns were
        # written in one transaction) is left out.
        numbered = sorted((int(item["id"]["S"].rsplit("#", 1)[1]), item["turn"]["S"])
                          for item in items if "turn" in item)
        return [turn_from_json(text) for _, text in numbered]

    def turn_count(self, report_id: str, user_id: str) -> int:
        # Every number counted has its turn: a turn and its count are one transaction.
        return self._count(_chat_id(report_id, user_id))

    def _count(self, chat: str) -> int:
        """How many turns a chat has numbered (0 for none)."""
        with aws_errors():
            response = self._client.get_item(TableName=self._table, Key=_key(chat),
                                              ConsistentRead=True, ProjectionExpression="turns")
        return int(response.get("Item", {}).get("turns", {}).get("N", 0))

    def spend_tokens(self, user_id: str, day: date, tokens: int, limit: int | None = None
                     ) -> bool:
        values: dict[str, Any] = {":n": {"N": str(tokens)}}
        request: dict[str, Any] = {
            "TableName": self._table, "Key": _key(_spend_id(user_id, day)),
            "UpdateExpression": "ADD tokens :n", "ExpressionAttributeValues": values}
        if limit is not None:
            if tokens > limit:
                return False
            request["ConditionExpression"] = "attribute_not_exists(tokens) OR tokens <= :room"
            values[":room"] = {"N": str(limit - tokens)}
        try:
            with aws_errors(lambda _: ConflictError("errors.conflict")):
                self._client.update_item(**request)
        except ConflictError:
            return False
        return True

    def tokens_spent(self, user_id: str, day: date) -> int:
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table, Key=_key(_spend_id(user_id, day)), ConsistentRead=True,
                ProjectionExpression="tokens")
        return int(response.get("Item", {}).get("tokens", {}).get("N", 0))

    def _pages(self, query: dict[str, Any], limit: int | None) -> Items:
        found: Items = []
        kwargs = {"TableName": self._table, **query}
        while limit is None or len(found) < limit:
            if limit is not None:
                kwargs["Limit"] = limit - len(found)
            with aws_errors():
                page = self._client.query(**kwargs)
            found.extend(from_item(raw) for raw in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found


def _chat_id(report_id: str, user_id: str) -> str:
    return f"chat#{report_id}#{user_id}"


def _spend_id(user_id: str, day: date) -> str:
    return f"spend#{user_id}#{day.isoformat()}"


def _key(report_id: str) -> dict[str, Any]:
    return {"id": {"S": report_id}}


def _query(index: str, attribute: str, value: str) -> dict[str, Any]:
    return {
        "IndexName": index,
        "KeyConditionExpression": "#k = :k",
        "ExpressionAttributeNames": {"#k": attribute},
        "ExpressionAttributeValues": {":k": {"S": value}},
        "ScanIndexForward": False,
    }
