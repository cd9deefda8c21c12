"""SessionStore on DynamoDB: one item per signed-in browser session.

The key is a hash of the browser's random session id (never the id itself), the refresh token
is stored encrypted by the service, and ``expires_epoch`` lets DynamoDB's TTL remove sessions
nobody signed out of. TTL deletes late (up to days), so ``get`` returns what is there and the
service checks ``expires_at`` itself.

A user's session epoch is one more item in the same table, under ``epoch#<username>`` (a
session's key is a hex hash, so the two never meet); it has no expiry, so it outlives the
account and a new account of the same name starts past every old session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import aws_errors, from_iso, from_item, to_iso, to_item
from services.domain.identity import SessionRecord
from services.errors import NotFound

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


class DynamoSessionStore:
    """Implements ``services.ports.SessionStore``."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, key: str, record: SessionRecord) -> None:
        item = {
            "key": key,
            "username": record.username,
            "token": record.encrypted_refresh_token,
            "created_at": to_iso(record.created_at),
            "expires_at": to_iso(record.expires_at),
            "expires_epoch": int(record.expires_at.timestamp()),
            "epoch": record.epoch,
        }
        with aws_errors():
            self._client.put_item(TableName=self._table, Item=to_item(item))

    def get(self, key: str) -> SessionRecord:
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table, Key=self._key(key), ConsistentRead=True
            )
        if "Item" not in response:
            raise NotFound("errors.not_found")
        item = from_item(response["Item"])
        return SessionRecord(
            username=str(item["username"]),
            encrypted_refresh_token=str(item["token"]),
            created_at=from_iso(item["created_at"]),
            expires_at=from_iso(item["expires_at"]),
            epoch=int(item.get("epoch", 0)),
        )

    def delete(self, key: str) -> None:
        with aws_errors():
            self._client.delete_item(TableName=self._table, Key=self._key(key))

    def user_epoch(self, username: str) -> int:
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table, Key=self._key(_epoch_key(username)), ConsistentRead=True
            )
        item = from_item(response.get("Item", {}))
        return int(item.get("epoch", 0))

    def bump_user_epoch(self, username: str) -> int:
        with aws_errors():
            response = self._client.update_item(
                TableName=self._table, Key=self._key(_epoch_key(username)),
                UpdateExpression="ADD epoch :one", ExpressionAttributeValues={":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
        return int(from_item(response["Attributes"])["epoch"])

    @staticmethod
    def _key(key: str) -> dict[str, Any]:
        return {"key": {"S": key}}


def _epoch_key(username: str) -> str:
    return f"epoch#{username}"
