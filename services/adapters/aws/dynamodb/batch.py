"""BatchWriteItem and BatchGetItem for every DynamoDB adapter: puts and deletes in batches of 25,
reads in batches of 100 (their maximums).

DynamoDB may do part of a batch and hand the rest back (``UnprocessedItems``,
``UnprocessedKeys``) in a 200 answer, which botocore does not retry (``common.make_client``):
those are sent again here, waiting ``common.resend_delay`` between attempts. Requests still
left after the last attempt raise ``QuotaExceeded`` ("aws.throttled", the service is busy): a
caller never loses writes, or reads fewer items, without knowing. Batches already written stay
written, so callers are safe to run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import aws_errors, resend_delay
from services.errors import QuotaExceeded

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import WriteRequestUnionTypeDef

BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
MAX_ATTEMPTS = 8


def batch_write(client: DynamoDBClient, table: str,
                requests: Sequence[WriteRequestUnionTypeDef],
                sleep: Callable[[float], None] = time.sleep) -> None:
    """Apply every Put/DeleteRequest of ``requests`` to ``table`` (see the module docstring)."""
    for start in range(0, len(requests), BATCH_WRITE_MAX):
        _write_batch(client, {table: requests[start : start + BATCH_WRITE_MAX]}, sleep)


def batch_delete(client: DynamoDBClient, table: str, keys: Sequence[Mapping[str, Any]],
                 sleep: Callable[[float], None] = time.sleep) -> None:
    """Delete the items of ``table`` with these keys (missing ones are no error)."""
    batch_write(client, table, [{"DeleteRequest": {"Key": dict(key)}} for key in keys], sleep)


def _write_batch(client: DynamoDBClient,
                 pending: Mapping[str, Sequence[WriteRequestUnionTypeDef]],
                 sleep: Callable[[float], None]) -> None:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if attempt > 1:
            sleep(resend_delay(attempt - 1))
        with aws_errors():
            answer = client.batch_write_item(RequestItems=pending)
        pending = answer.get("UnprocessedItems") or {}
        if not pending:
            return
    raise QuotaExceeded("aws.throttled", operation="BatchWriteItem")


def batch_get(client: DynamoDBClient, table: str, keys: Sequence[Mapping[str, Any]],
              sleep: Callable[[float], None] = time.sleep, *, consistent: bool = False,
              projection: str | None = None,
              names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The items of ``table`` with these keys, in no particular order (missing ones are left
    out); ``projection`` and ``names`` as BatchGetItem's ProjectionExpression and
    ExpressionAttributeNames."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_MAX):
        chunk = keys[start : start + BATCH_GET_MAX]
        request: dict[str, Any] = {"Keys": [dict(key) for key in chunk],
                                   "ConsistentRead": consistent}
        if projection:
            request["ProjectionExpression"] = projection
        if names:
            request["ExpressionAttributeNames"] = dict(names)
        found.extend(_get_batch(client, table, {table: request}, sleep))
    return found


def _get_batch(client: DynamoDBClient, table: str, pending: Mapping[str, Any],
               sleep: Callable[[float], None]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if attempt > 1:
            sleep(resend_delay(attempt - 1))
        with aws_errors():
            answer = client.batch_get_item(RequestItems=pending)
        found.extend(answer["Responses"].get(table, []))
        pending = answer.get("UnprocessedKeys") or {}
        if not pending:
            return found
    raise QuotaExceeded("aws.throttled", operation="BatchGetItem")
