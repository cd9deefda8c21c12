"""AccountTokenStore on DynamoDB, in the sessions table (no table of its own to provision).

A token is one item under ``token#<hash>`` (a session's key is a bare hex hash, an epoch's
``epoch#<name>``, so they never meet); ``expires_epoch`` lets TTL remove it. ``use`` is one
conditional update (unused, this purpose, not expired), so of two clicks only one succeeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import aws_errors, from_iso, from_item, to_iso, to_item
from services.domain.tokens import AccountToken, TokenPurpose
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


class DynamoAccountTokens:
    """Implements ``services.ports.AccountTokenStore``."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, token: AccountToken) -> None:
        item = {
            "key": _key(token.key),
            "purpose": token.purpose.value,
            "username": token.username,
            "created_at": to_iso(token.created_at),
            "expires_at": to_iso(token.expires_at),
            "expires_epoch": int(token.expires_at.timestamp()),
            "epoch": token.epoch,
            "email": token.email,
        }
        with aws_errors():
            self._client.put_item(TableName=self._table, Item=to_item(item))

    def use(self, key: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        try:
            with aws_errors(lambda _: ConflictError("errors.conflict")):
                response = self._client.update_item(
                    TableName=self._table, Key={"key": {"S": _key(key)}},
                    UpdateExpression="SET used_at = :now",
                    ConditionExpression=("attribute_exists(#key) AND attribute_not_exists(used_at)"
                                         " AND purpose = :purpose AND expires_at > :now"),
                    ExpressionAttributeNames={"#key": "key"},
                    ExpressionAttributeValues=to_item({":now": to_iso(now),
                                                       ":purpose": purpose.value}),
                    ReturnValues="ALL_NEW",
                )
        except ConflictError:
            return None
        return _token(key, from_item(response["Attributes"]))

    def find(self, key: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        # The conditions of ``use``, checked here on a strongly consistent read (TTL removes
        # expired items late, so the time is compared, not trusted to the table).
        with aws_errors():
            response = self._client.get_item(TableName=self._table,
                                             Key={"key": {"S": _key(key)}}, ConsistentRead=True)
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        if ("used_at" in item or item.get("purpose") != purpose.value
                or from_iso(item["expires_at"]) <= now):
            return None
        return _token(key, item)


def _token(key: str, item: Mapping[str, Any]) -> AccountToken:
    return AccountToken(
        key=key, purpose=TokenPurpose(str(item["purpose"])), username=str(item["username"]),
        created_at=from_iso(item["created_at"]), expires_at=from_iso(item["expires_at"]),
        epoch=int(item.get("epoch", 0)), email=str(item.get("email", "")),
    )


def _key(key: str) -> str:
    return f"token#{key}"
