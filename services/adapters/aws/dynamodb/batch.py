"""BatchWriteItem for every DynamoDB adapter: puts and deletes in batches of 25 (its maximum).

DynamoDB may apply part of a batch and hand the rest back as ``UnprocessedItems`` in a 200
answer, which botocore does not retry (``common.make_client``): those are sent again here,
waiting ``common.resend_delay`` between attempts. Requests still left after the last attempt
raise ``QuotaExceeded`` ("aws.throttled", the service is busy): a caller never loses writes
without knowing. Batches already written stay written, so callers are safe to run again.
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
