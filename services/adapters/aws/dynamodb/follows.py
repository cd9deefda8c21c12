"""FollowStore on DynamoDB (aws mode): no table of its own, no new setting, no Scan.

Events table (string ``pk``/``sk``; no ``expires_at``, so TTL never removes these items):
- a user's follows: ``pk`` = "follow#<user id>", ``sk`` = "<metric>|<scope>|<value>"
  (``Follow.key``), attributes ``metric``, ``scope``, ``value``;
- a user's digest frequency: ``pk`` = "digest#user#<user id>", ``sk`` = "frequency",
  attribute ``frequency``;
- the due lists: ``pk`` = "digest#due#daily" / "digest#due#weekly", ``sk`` = <user id>: the
  sender's one Query per frequency (a fixed partition, never a Scan). A frequency change
  writes the frequency item and moves the user between due lists in one TransactWriteItems;
- a digest window: ``pk`` = "digest#user#<user id>", ``sk`` = "window#<window>", attributes
  ``claimed_at``, then ``created_at``, ``subject``, ``body``, ``sent`` once kept. The claim is
  a conditional put (``attribute_not_exists(pk)``): one claim of a pair wins.

``digests`` reads the user's windows with one Query (a user has one per day at most) and sorts
them by creation time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    condition_failed,
    from_item,
    resend_delay,
    to_item,
    translate_client_error,
)
from services.domain.follows import Digest, Follow, FollowScope, Frequency
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

Items = list[dict[str, Any]]
FREQUENCY_SK = "frequency"
WINDOW = "window#"
_ATTEMPTS = 8  # a frequency change that keeps losing to another tab ends as a conflict


def _follows_pk(user_id: str) -> str:
    return f"follow#{user_id}"


def _user_pk(user_id: str) -> str:
    return f"digest#user#{user_id}"


def _due_pk(frequency: Frequency) -> str:
    return f"digest#due#{frequency.value}"


class DynamoFollowStore:
    """Implements ``services.ports.FollowStore`` in the events table."""

    def __init__(self, client: DynamoDBClient, events_table: str) -> None:
        self._client = client
        self._table = events_table

    def follow(self, follow: Follow) -> bool:
        item = {"pk": _follows_pk(follow.user_id), "sk": follow.key, "metric": follow.metric,
                "scope": follow.scope.value, "value": follow.value}
        try:
            self._client.put_item(TableName=self._table, Item=to_item(item),
                                  ConditionExpression="attribute_not_exists(sk)")
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            return False
        return True

    def unfollow(self, user_id: str, key: str) -> None:
        with aws_errors():
            self._client.delete_item(TableName=self._table,
                                     Key=to_item({"pk": _follows_pk(user_id), "sk": key}))

    def follows(self, user_id: str) -> list[Follow]:
        items = [from_item(i) for i in self._query(_follows_pk(user_id))]
        return [Follow(user_id, i["metric"], FollowScope(i["scope"]), i.get("value", ""))
                for i in items]

    def set_frequency(self, user_id: str, frequency: Frequency) -> None:
        """The setting and the due lists in one transaction, on condition that the setting is
        still the one read: two tabs changing it at once leave the user on one due list, the
        one the setting names (else read again and retry)."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                self._client.transact_write_items(
                    TransactItems=self._frequency_writes(user_id, frequency))
                return
            except AWS_ERRORS as exc:
                codes = cancellation_codes(exc)
                if not {"ConditionalCheckFailed", "TransactionConflict"}.intersection(codes):
                    raise translate_client_error(exc) from exc
            time.sleep(resend_delay(attempt))
        raise ConflictError("errors.conflict", operation="digest frequency")

    def _frequency_writes(self, user_id: str, frequency: Frequency
                          ) -> list[TransactWriteItemTypeDef]:
        before = self.frequency(user_id)
        setting = {"pk": _user_pk(user_id), "sk": FREQUENCY_SK, "frequency": frequency.value}
        writes: list[TransactWriteItemTypeDef] = [{"Put": {
            "TableName": self._table, "Item": to_item(setting),
            "ConditionExpression": "attribute_not_exists(pk) OR frequency = :before",
            "ExpressionAttributeValues": {":before": {"S": before.value}}}}]
        if before is not Frequency.NONE and before is not frequency:
            writes.append({"Delete": {"TableName": self._table,
                                      "Key": to_item({"pk": _due_pk(before), "sk": user_id})}})
        if frequency is not Frequency.NONE:
            writes.append({"Put": {"TableName": self._table,
                                   "Item": to_item({"pk": _due_pk(frequency), "sk": user_id})}})
        return writes

    def frequency(self, user_id: str) -> Frequency:
        with aws_errors():
            found = self._client.get_item(
                TableName=self._table, ConsistentRead=True,
                Key=to_item({"pk": _user_pk(user_id), "sk": FREQUENCY_SK}))
        item = found.get("Item")
        return Frequency(from_item(item)["frequency"]) if item else Frequency.NONE

    def due_users(self, frequency: Frequency) -> list[str]:
        return sorted(from_item(i)["sk"] for i in self._query(_due_pk(frequency)))

    def claim(self, user_id: str, window: str) -> bool:
        item = {"pk": _user_pk(user_id), "sk": WINDOW + window,
                "claimed_at": datetime.now(UTC).isoformat()}
        try:
            with aws_errors(lambda _: ConflictError("errors.conflict")):
                self._client.put_item(TableName=self._table, Item=to_item(item),
                                      ConditionExpression="attribute_not_exists(pk)")
        except ConflictError:
            return False
        return True

    def keep(self, digest: Digest) -> None:
        with aws_errors():
            self._client.update_item(
                TableName=self._table,
                Key=to_item({"pk": _user_pk(digest.user_id), "sk": WINDOW + digest.window}),
                UpdateExpression="SET created_at = :c, subject = :s, body = :b, sent = :n",
                ExpressionAttributeValues=to_item({
                    ":c": digest.created_at.isoformat(), ":s": digest.subject,
                    ":b": digest.body, ":n": digest.sent}))

    def digests(self, user_id: str, limit: int = 5) -> list[Digest]:
        items = [from_item(i) for i in self._query(_user_pk(user_id), WINDOW)]
        kept = [Digest(user_id, i["sk"].removeprefix(WINDOW),
                       datetime.fromisoformat(i["created_at"]), i["subject"], i["body"],
                       bool(i["sent"])) for i in items if "body" in i]
        return sorted(kept, key=lambda d: d.created_at, reverse=True)[:limit]

    def forget_user(self, user_id: str) -> None:
        self.set_frequency(user_id, Frequency.NONE)  # off the due list first
        keys = [{"pk": i["pk"], "sk": i["sk"]} for pk in (_follows_pk(user_id), _user_pk(user_id))
                for i in self._query(pk)]
        with aws_errors():
            for key in keys:
                self._client.delete_item(TableName=self._table, Key=key)

    def _query(self, pk: str, prefix: str | None = None) -> Items:
        condition = "pk = :h" + (" AND begins_with(sk, :p)" if prefix else "")
        values = {":h": {"S": pk}} | ({":p": {"S": prefix}} if prefix else {})
        items: Items = []
        with aws_errors():
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table, KeyConditionExpression=condition,
                ExpressionAttributeValues=values, ConsistentRead=True)
            for page in pages:
                items.extend(page["Items"])
        return items
