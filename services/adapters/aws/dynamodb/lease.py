"""A short lease on one item of a DynamoDB table: one holder at a time across app servers.

For guards whose check and write cannot be one conditional write, because the write goes to a
service without conditions (a Cognito pool's groups): the check and the write run while the
lease is held, so two servers cannot both pass the check before either writes. The lease is
taken by a conditional put (free, or its holder's time is up) and given back by a delete on
condition that it is still this holder's; a holder that died frees it when its time is up.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from services.adapters.aws.common import (
    AWS_ERRORS,
    condition_failed,
    resend_delay,
    to_item,
    translate_client_error,
)
from services.errors import ServiceUnavailable

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

log = logging.getLogger(__name__)


class Lease:
    def __init__(self, client: DynamoDBClient, table: str, key: dict[str, str], *,
                 hold_seconds: float = 30.0, wait_seconds: float = 10.0,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """``key``: the item's key attributes (plain strings), an item nothing else uses.
        ``hold_seconds`` must outlast the guarded work; ``wait_seconds`` is how long a caller
        waits for another holder before ServiceUnavailable("errors.busy")."""
        self._client = client
        self._table = table
        self._key = to_item(key)
        self._hold = hold_seconds
        self._wait = wait_seconds
        self._clock = clock
        self._sleep = sleep

    @contextmanager
    def held(self) -> Iterator[None]:
        token = secrets.token_hex(16)
        self._take(token)
        try:
            yield
        finally:
            self._give_back(token)

    def _take(self, token: str) -> None:
        deadline = self._clock() + self._wait
        attempt = 1
        while True:
            now = self._clock()
            until = _millis(now + self._hold)
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={**self._key, **to_item({"holder": token, "until": until})},
                    ConditionExpression="attribute_not_exists(#holder) OR #until < :now",
                    ExpressionAttributeNames={"#holder": "holder", "#until": "until"},
                    ExpressionAttributeValues=to_item({":now": _millis(now)}),
                )
                return
            except AWS_ERRORS as exc:
                if not condition_failed(exc):
                    raise translate_client_error(exc) from exc
            if now >= deadline:
                raise ServiceUnavailable("errors.busy")
            self._sleep(resend_delay(attempt))
            attempt += 1

    def _give_back(self, token: str) -> None:
        try:
            self._client.delete_item(
                TableName=self._table, Key=self._key,
                ConditionExpression="#holder = :token",
                ExpressionAttributeNames={"#holder": "holder"},
                ExpressionAttributeValues=to_item({":token": token}),
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            # Held past its time and taken by another: the guarded work outlasted the lease.
            log.warning("a lease on %s ended before its holder gave it back", self._key)


def _millis(seconds: float) -> int:
    return int(seconds * 1000)  # items hold whole numbers
