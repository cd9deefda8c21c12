"""Login failures on the users table (``LoginThrottle``), on the item of the name tried.

Login failures are a list of ISO timestamps (``recent_failures``, newest first), prepended
atomically; they are recorded for unknown usernames too (on an item without ``directory``,
which is no account) so that lockout does not reveal who exists, as in the SQLite adapter.
Only the newest ``MAX_FAILURES_KEPT`` are kept, which bounds the item however long an attack
goes on; ``login_failures_since`` is exact up to that many. Newest first is what makes
``reserve_login_attempt`` one conditional update: fewer than ``limit`` failures since a time
means a list shorter than ``limit`` or a ``limit``-th element older than that time. (The older
oldest-first ``login_failures`` attribute is no longer read; it only held minutes.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    condition_failed,
    from_item,
    to_iso,
    to_item,
    translate_client_error,
)
from services.adapters.aws.dynamodb.admin_guard import ADMIN_GUARD_KEY

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

MAX_FAILURES_KEPT = 100
IS_ACCOUNT = "attribute_exists(#directory)"  # the condition of an account's item
_PREPEND_FAILURE = "SET #failures = list_append(:at, if_not_exists(#failures, :none))"
_FAILURES = {"#failures": "recent_failures"}


class LoginFailures:
    """The failures part of ``DynamoUserDirectory`` (one item per username, both kept on it)."""

    _client: DynamoDBClient
    _table: str

    def record_login_failure(self, username: str, at: datetime) -> None:
        with aws_errors():
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression=_PREPEND_FAILURE,
                ExpressionAttributeNames=_FAILURES,
                ExpressionAttributeValues=to_item({":none": [], ":at": [to_iso(at)]}),
                ReturnValues="UPDATED_NEW",
            )
        self._trim_failures(username, from_item(response["Attributes"])["recent_failures"])

    def reserve_login_attempt(
        self, username: str, at: datetime, since: datetime, limit: int
    ) -> bool:
        """One conditional update (see the module docstring). The list is in the order the
        updates were applied; ``at`` of different app servers may differ by their clock skew,
        which moves a lockout's end by as much. ``limit`` is at most ``MAX_FAILURES_KEPT``."""
        if limit < 1:
            return False
        limit = min(limit, MAX_FAILURES_KEPT)
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression=_PREPEND_FAILURE,
                ConditionExpression=(
                    "attribute_not_exists(#failures) OR size(#failures) < :limit"
                    f" OR #failures[{limit - 1}] < :since"
                ),
                ExpressionAttributeNames=_FAILURES,
                ExpressionAttributeValues=to_item(
                    {":none": [], ":at": [to_iso(at)], ":limit": limit, ":since": to_iso(since)}
                ),
                ReturnValues="UPDATED_NEW",
            )
        except AWS_ERRORS as exc:
            if condition_failed(exc):
                return False
            raise translate_client_error(exc) from exc
        self._trim_failures(username, from_item(response["Attributes"])["recent_failures"])
        return True

    def login_failures_since(self, username: str, since: datetime) -> int:
        """Failures at or after ``since``."""
        threshold = to_iso(since)  # fixed-width UTC text: text order is time order
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key=self._key(username),
                ProjectionExpression="#failures",
                ExpressionAttributeNames=_FAILURES,
                ConsistentRead=True,
            )
        failures = from_item(response.get("Item", {})).get("recent_failures", [])
        return sum(1 for at in failures if at >= threshold)

    def clear_login_failures(self, username: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression="REMOVE #failures, #old",
                ConditionExpression=IS_ACCOUNT,
                ExpressionAttributeNames={**_FAILURES, "#old": "login_failures",
                                          "#directory": "directory"},
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            self._forget_stray_failures(username)

    def _forget_stray_failures(self, username: str) -> None:
        """Delete a failures-only item (no account); an account created meanwhile stays, and
        so does the admin-count item (no typed name reaches its key; this is a second lock)."""
        if username == ADMIN_GUARD_KEY:
            return
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=self._key(username),
                ConditionExpression="attribute_not_exists(#directory)",
                ExpressionAttributeNames={"#directory": "directory"},
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc

    def _trim_failures(self, username: str, failures: Sequence[str]) -> None:
        """Keep the newest failures, unless another failure landed since we read the list
        (then the next call trims): never drop a failure we have not seen."""
        if len(failures) <= MAX_FAILURES_KEPT:
            return
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression="SET #failures = :kept",
                ConditionExpression="size(#failures) = :seen",
                ExpressionAttributeNames=_FAILURES,
                ExpressionAttributeValues=to_item(
                    {":kept": list(failures[:MAX_FAILURES_KEPT]), ":seen": len(failures)}
                ),
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc

    @staticmethod
    def _key(username: str) -> dict[str, Any]:
        return {"username": {"S": username}}
