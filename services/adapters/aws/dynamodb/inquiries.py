"""InquiryStore on DynamoDB: one item per inquiry; the admin's lists Query a GSI keyed by
status and sorted by ``created_id`` (creation time, then id), newest first. Never a Scan.

Rate-limit counters (``take_slot``) are items of the same table, ``id`` = "rate#<key>#<window>",
with a ``taken`` count and ``expires_at`` for the table's TTL; they have no ``status``, so the
index never sees them. One TransactWriteItems adds 1 to every counter on condition that each is
below its limit: all or nothing, checked and counted by DynamoDB in one step.

Submission tokens (``add_once``) are items ``id`` = "token#<token>" naming the inquiry they
filed (no ``status`` either). One TransactWriteItems puts the inquiry and the token item, each on
condition that it does not exist yet: a repeated token cancels it, and the earlier inquiry is
read back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    from_iso,
    from_item,
    resend_delay,
    to_iso,
    to_item,
    translate_client_error,
)
from services.adapters.aws.dynamodb.schema import INQUIRY_STATUS_INDEX
from services.domain.inquiries import Inquiry, InquiryStatus, InquiryType, RateLimit
from services.errors import ConflictError, NotFound, QuotaExceeded

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

RATE_PREFIX = "rate#"
TOKEN_PREFIX = "token#"  # noqa: S105 (a key prefix, not a secret)
_RETRYABLE = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
              "RequestLimitExceeded"}
_MAX_ATTEMPTS = 8


class DynamoInquiryStore:
    """Implements ``services.ports.InquiryStore``."""

    def __init__(self, client: DynamoDBClient, table: str,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._table = table
        self._sleep = sleep

    def add(self, inquiry: Inquiry) -> None:
        with aws_errors(lambda _: ConflictError("errors.conflict", id=inquiry.id)):
            self._client.put_item(
                TableName=self._table,
                Item=to_item(_record(inquiry)),
                ConditionExpression="attribute_not_exists(id)",
            )

    def add_once(self, inquiry: Inquiry, token: str) -> Inquiry:
        new = "attribute_not_exists(id)"
        actions: list[TransactWriteItemTypeDef] = [
            {"Put": {"TableName": self._table, "Item": to_item(_record(inquiry)),
                     "ConditionExpression": new}},
            {"Put": {"TableName": self._table,
                     "Item": to_item({"id": TOKEN_PREFIX + token, "inquiry_id": inquiry.id}),
                     "ConditionExpression": new}},
        ]
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                self._client.transact_write_items(TransactItems=actions)
                return inquiry
            except AWS_ERRORS as exc:
                reasons = [*cancellation_codes(exc), "None", "None"]
                if reasons[1] == "ConditionalCheckFailed":  # this token filed one already
                    earlier = self.find_by_token(token)
                    if earlier is not None:
                        return earlier
                elif reasons[0] == "ConditionalCheckFailed":
                    raise ConflictError("errors.conflict", id=inquiry.id) from exc
                elif not _RETRYABLE.intersection(reasons):
                    raise translate_client_error(exc) from exc
            # A concurrent submission of the same token is in flight: try again.
            self._sleep(resend_delay(attempt))
        raise QuotaExceeded("aws.throttled", operation="TransactWriteItems")

    def find_by_token(self, token: str) -> Inquiry | None:
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table, Key=self._key(TOKEN_PREFIX + token), ConsistentRead=True
            )
        if "Item" not in response:
            return None
        return self.get(str(from_item(response["Item"])["inquiry_id"]))

    def get(self, inquiry_id: str) -> Inquiry:
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table, Key=self._key(inquiry_id), ConsistentRead=True
            )
        if "Item" not in response:
            raise NotFound("errors.not_found", id=inquiry_id)
        return _inquiry(from_item(response["Item"]))

    def list(self, status: InquiryStatus, limit: int = 200) -> list[Inquiry]:
        found: list[Inquiry] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INQUIRY_STATUS_INDEX,
            "KeyConditionExpression": "#status = :status",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":status": {"S": status.value}},
            "ScanIndexForward": False,
        }
        while len(found) < limit:
            with aws_errors():
                page = self._client.query(Limit=limit - len(found), **kwargs)
            found.extend(_inquiry(from_item(raw)) for raw in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found

    def set_status(
        self, inquiry_id: str, status: InquiryStatus, handled_by: str | None,
        handled_at: datetime | None,
    ) -> Inquiry:
        values = {":status": status.value, ":by": handled_by or "",
                  ":at": to_iso(handled_at) if handled_at else ""}
        with aws_errors(lambda _: NotFound("errors.not_found", id=inquiry_id)):
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(inquiry_id),
                UpdateExpression="SET #status = :status, handled_by = :by, handled_at = :at",
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW",
            )
        return _inquiry(from_item(response["Attributes"]))

    def take_slot(self, limits: Sequence[RateLimit], now: datetime) -> str | None:
        actions = [self._take(limit, now) for limit in limits]
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                self._client.transact_write_items(TransactItems=actions)
                return None
            except AWS_ERRORS as exc:
                reasons = cancellation_codes(exc)
                for limit, code in zip(limits, reasons, strict=False):
                    if code == "ConditionalCheckFailed":
                        return limit.key
                if not _RETRYABLE.intersection(reasons):
                    raise translate_client_error(exc) from exc
            # Another submission touched the same counter at the same moment: try again.
            self._sleep(resend_delay(attempt))
        raise QuotaExceeded("aws.throttled", operation="TransactWriteItems")

    def _take(self, limit: RateLimit, now: datetime) -> TransactWriteItemTypeDef:
        return {
            "Update": {
                "TableName": self._table,
                "Key": self._key(f"{RATE_PREFIX}{limit.key}#{limit.window(now)}"),
                "UpdateExpression": "ADD #taken :one SET expires_at = :expires",
                "ConditionExpression": "attribute_not_exists(#taken) OR #taken < :limit",
                "ExpressionAttributeNames": {"#taken": "taken"},
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit.limit)},
                    ":expires": {"N": str(int(limit.window_end(now).timestamp()))},
                },
            }
        }

    @staticmethod
    def _key(inquiry_id: str) -> dict[str, Any]:
        return {"id": {"S": inquiry_id}}


def _record(inquiry: Inquiry) -> dict[str, Any]:
    created = to_iso(inquiry.created_at)
    return {
        "id": inquiry.id,
        "created_at": created,
        "created_id": f"{created}#{inquiry.id}",
        "name": inquiry.name,
        "email": inquiry.email,
        "company": inquiry.company,
        "type": inquiry.type.value,
        "subject": inquiry.subject,
        "message": inquiry.message,
        "status": inquiry.status.value,
        "submitted_by": inquiry.submitted_by or "",
        "handled_by": inquiry.handled_by or "",
        "handled_at": to_iso(inquiry.handled_at) if inquiry.handled_at else "",
    }


def _inquiry(record: dict[str, Any]) -> Inquiry:
    return Inquiry(
        id=record["id"],
        created_at=from_iso(record["created_at"]),
        name=record["name"],
        email=record["email"],
        company=record.get("company", ""),
        type=InquiryType(record["type"]),
        subject=record["subject"],
        message=record["message"],
        status=InquiryStatus(record["status"]),
        submitted_by=record.get("submitted_by") or None,
        handled_by=record.get("handled_by") or None,
        handled_at=from_iso(record["handled_at"]) if record.get("handled_at") else None,
    )
