"""The likes of content items on DynamoDB (aws mode), for ``DynamoContentRepository``: one row
per user and item in the likes table, and the item's ``likes`` counter moved with it in one
transaction, so the two cannot disagree; an item's likes removed with the item."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    from_item,
    to_item,
    translate_client_error,
)
from services.adapters.aws.dynamodb.batch import batch_delete
from services.adapters.aws.dynamodb.content_index import PublishedIndex
from services.adapters.aws.dynamodb.schema import LIKES_USER_INDEX
from services.errors import NotFound, QuotaExceeded

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


log = logging.getLogger(__name__)


class DynamoLikes:
    """Likes of the items of ``table`` in ``likes_table``; ``index`` gets each new count."""

    def __init__(self, client: DynamoDBClient, table: str, likes_table: str,
                 index: PublishedIndex, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._sleep = sleep
        self._table = table
        self._likes_table = likes_table
        self._index = index

    def add_like(self, content_id: str, user_id: str) -> bool:
        like_row: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._likes_table,
                "Item": to_item({"content_id": content_id, "user_id": user_id}),
                "ConditionExpression": "attribute_not_exists(#user)",
                "ExpressionAttributeNames": {"#user": "user_id"},
            }
        }
        return self._like_transaction(content_id, like_row, delta=1)

    def remove_like(self, content_id: str, user_id: str) -> bool:
        like_row: TransactWriteItemTypeDef = {
            "Delete": {
                "TableName": self._likes_table,
                "Key": to_item({"content_id": content_id, "user_id": user_id}),
                "ConditionExpression": "attribute_exists(#user)",
                "ExpressionAttributeNames": {"#user": "user_id"},
            }
        }
        # A missing item has no counter to move: False, as for any absent like; a row its
        # deletion left behind (``delete_all`` ran out of retries) goes now, so that deleting
        # the account of its user removes it.
        removed = self._like_transaction(content_id, like_row, delta=-1, missing_is_error=False)
        if not removed:
            self._drop_orphan_row(content_id, user_id)
        return removed

    def _drop_orphan_row(self, content_id: str, user_id: str) -> None:
        """The like row of an item that no longer exists (kept while the item does)."""
        with aws_errors():
            if self._item_exists(content_id):
                return
            self._client.delete_item(TableName=self._likes_table,
                                     Key=to_item({"content_id": content_id, "user_id": user_id}))

    def _item_exists(self, content_id: str) -> bool:
        response = self._client.get_item(TableName=self._table, Key=_key(content_id),
                                         ProjectionExpression="#id",
                                         ExpressionAttributeNames={"#id": "id"},
                                         ConsistentRead=True)
        return "Item" in response

    def liked_by(self, user_id: str) -> list[str]:
        """Through the likes table's user index (keys only; eventually consistent)."""
        found: list[str] = []
        with aws_errors():
            pages = self._client.get_paginator("query").paginate(
                TableName=self._likes_table, IndexName=LIKES_USER_INDEX,
                KeyConditionExpression="#user = :user",
                ExpressionAttributeNames={"#user": "user_id"},
                ExpressionAttributeValues=to_item({":user": user_id}),
            )
            for page in pages:
                found.extend(from_item(item)["content_id"] for item in page["Items"])
        return sorted(found)

    def has_liked(self, content_id: str, user_id: str) -> bool:
        with aws_errors():
            response = self._client.get_item(
                TableName=self._likes_table,
                Key=to_item({"content_id": content_id, "user_id": user_id}),
                ConsistentRead=True,
            )
        return "Item" in response

    def _like_transaction(
        self,
        content_id: str,
        like_row: TransactWriteItemTypeDef,
        delta: int,
        missing_is_error: bool = True,
    ) -> bool:
        counter: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self._table,
                "Key": _key(content_id),
                "UpdateExpression": "ADD #likes :delta",
                "ConditionExpression": "attribute_exists(#id)",
                "ExpressionAttributeNames": {"#likes": "likes", "#id": "id"},
                "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
            }
        }
        try:
            self._client.transact_write_items(
                TransactItems=[like_row, counter],
                # Makes botocore's retries of this call idempotent: a retried like that already
                # went through is not mistaken for "already liked".
                ClientRequestToken=str(uuid.uuid4()),
            )
        except AWS_ERRORS as exc:
            like_failed, item_failed = _cancellation_reasons(exc)
            if like_failed or (item_failed and not missing_is_error):
                return False  # already liked (or not liked, for remove): nothing changed
            if item_failed:
                raise NotFound("errors.not_found", content_id=content_id) from exc
            raise translate_client_error(exc) from exc
        self._refresh_likes(content_id)
        return True

    def _refresh_likes(self, content_id: str) -> None:
        # A transaction returns no values: read the count so the index holds an exact figure
        # (a delta could be applied twice if a reload raced with this write).
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key=_key(content_id),
                ProjectionExpression="#likes",
                ExpressionAttributeNames={"#likes": "likes"},
                ConsistentRead=True,
            )
        likes = response.get("Item", {}).get("likes")
        if likes is not None:
            self._index.set_counter(content_id, "likes", int(likes["N"]))

    def delete_all(self, content_id: str) -> None:
        """Every like row of the item: called after the item is deleted, so that a like added
        meanwhile fails its attribute_exists(id) check and none outlives this."""
        with aws_errors():
            keys = [
                {"content_id": raw["content_id"], "user_id": raw["user_id"]}
                for page in self._client.get_paginator("query").paginate(
                    TableName=self._likes_table,
                    KeyConditionExpression="#content = :content",
                    ConsistentRead=True,  # a like given a moment before the delete goes too
                    ProjectionExpression="#content, #user",
                    ExpressionAttributeNames={"#content": "content_id", "#user": "user_id"},
                    ExpressionAttributeValues={":content": {"S": content_id}},
                )
                for raw in page["Items"]
            ]
        # The item is gone already: its deletion stands (files discarded, audited) even if
        # some rows stay after every retry. A row left behind goes when its user unlikes or
        # their account is deleted (``remove_like`` drops a row whose item is gone).
        try:
            batch_delete(self._client, self._likes_table, keys, self._sleep)
        except QuotaExceeded:
            log.warning("some likes of deleted item %s were left; they go with their users",
                        content_id)


def _key(content_id: str) -> dict[str, Any]:
    return {"id": {"S": content_id}}


def _cancellation_reasons(exc: Exception) -> tuple[bool, bool]:
    """(like row's condition failed, content item's condition failed) of a cancelled
    like transaction; (False, False) for any other error."""
    codes = [*cancellation_codes(exc), "None", "None"]
    return codes[0] == "ConditionalCheckFailed", codes[1] == "ConditionalCheckFailed"
