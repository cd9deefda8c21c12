"""UserDirectory, PasswordStore and LoginThrottle on DynamoDB (aws mode): an item per username.

An item is an *account* when it carries the ``directory`` attribute (the key of
``directory-index``, through which ``list`` Queries every account in username order, no Scan).
Login failures are a list of ISO timestamps on the same item, appended atomically; they are
recorded for unknown usernames too (on an item without ``directory``, which is no account) so
that lockout does not reveal who exists, as in the SQLite adapter. Only the newest
``MAX_FAILURES_KEPT`` are kept, which bounds the item however long an attack goes on;
``login_failures_since`` is exact up to that many.

Every change to a missing account is NotFound, like ``get``; ``delete`` also forgets the
failures. ``list`` reads a GSI, so an account created a moment ago may take a fraction of a
second to appear there (``get`` is always consistent). With Cognito sign-in the pool is the
directory and this table keeps only the login failures (items without ``directory``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    condition_failed,
    from_iso,
    from_item,
    to_iso,
    to_item,
    translate_client_error,
)
from services.adapters.aws.dynamodb.schema import DIRECTORY_INDEX
from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ConflictError, NotFound

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

MAX_FAILURES_KEPT = 100
_DIRECTORY = "users"  # the one partition of directory-index
_IS_ACCOUNT = "attribute_exists(#directory)"
_APPEND_FAILURE = "SET #failures = list_append(if_not_exists(#failures, :none), :at)"


class DynamoUserDirectory:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, user: User) -> None:
        """The account starts with the empty hash, which matches no password."""
        # An update, not a put: failures recorded before the account existed stay.
        record = {**_user_record(user), "password_hash": "", "directory": _DIRECTORY}
        record.pop("username")
        names = {f"#{n}": name for n, name in enumerate(record)}
        values = {f":{n}": value for n, value in enumerate(record.values())}
        with aws_errors(lambda _: ConflictError("errors.conflict", username=user.username)):
            self._client.update_item(
                TableName=self._table,
                Key=self._key(user.username),
                UpdateExpression="SET " + ", ".join(f"#{n} = :{n}" for n in range(len(record))),
                ConditionExpression="attribute_not_exists(#directory)",
                ExpressionAttributeNames={**names, "#directory": "directory"},
                ExpressionAttributeValues=to_item(values),
            )

    def get(self, username: str) -> User:
        return _user(self._account(username))

    def password_hash(self, username: str) -> str:
        return str(self._account(username)["password_hash"])

    def list(self) -> list[User]:
        """All accounts, sorted by username."""
        users: list[User] = []
        with aws_errors():
            for page in self._client.get_paginator("query").paginate(
                TableName=self._table,
                IndexName=DIRECTORY_INDEX,
                KeyConditionExpression="#directory = :directory",
                ExpressionAttributeNames={"#directory": "directory"},
                ExpressionAttributeValues={":directory": {"S": _DIRECTORY}},
            ):
                users.extend(_user(from_item(raw)) for raw in page["Items"])
        return users

    def set_roles(self, username: str, roles: frozenset[Role]) -> None:
        self._set(username, "roles", _roles_list(roles))

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self._set(username, "password_hash", password_hash)

    def set_disabled(self, username: str, disabled: bool) -> None:
        self._set(username, "disabled", disabled)

    def delete(self, username: str) -> None:
        with aws_errors(lambda _: NotFound("errors.not_found", username=username)):
            self._client.delete_item(
                TableName=self._table,
                Key=self._key(username),
                ConditionExpression=_IS_ACCOUNT,
                ExpressionAttributeNames={"#directory": "directory"},
            )

    # --- login failures -----------------------------------------------------------------------

    def record_login_failure(self, username: str, at: datetime) -> None:
        with aws_errors():
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression=_APPEND_FAILURE,
                ExpressionAttributeNames={"#failures": "login_failures"},
                ExpressionAttributeValues=to_item({":none": [], ":at": [to_iso(at)]}),
                ReturnValues="UPDATED_NEW",
            )
        failures = from_item(response["Attributes"])["login_failures"]
        if len(failures) > MAX_FAILURES_KEPT:
            self._trim_failures(username, failures)

    def login_failures_since(self, username: str, since: datetime) -> int:
        """Failures at or after ``since``."""
        threshold = to_iso(since)  # fixed-width UTC text: text order is time order
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table,
                Key=self._key(username),
                ProjectionExpression="#failures",
                ExpressionAttributeNames={"#failures": "login_failures"},
                ConsistentRead=True,
            )
        failures = from_item(response.get("Item", {})).get("login_failures", [])
        return sum(1 for at in failures if at >= threshold)

    def clear_login_failures(self, username: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression="REMOVE #failures",
                ConditionExpression=_IS_ACCOUNT,
                ExpressionAttributeNames={"#failures": "login_failures", "#directory": "directory"},
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            self._forget_stray_failures(username)

    def _forget_stray_failures(self, username: str) -> None:
        """Delete a failures-only item (no account); an account created meanwhile stays."""
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
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression="SET #failures = :kept",
                ConditionExpression="size(#failures) = :seen",
                ExpressionAttributeNames={"#failures": "login_failures"},
                ExpressionAttributeValues=to_item(
                    {":kept": list(failures[-MAX_FAILURES_KEPT:]), ":seen": len(failures)}
                ),
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc

    # --- helpers ------------------------------------------------------------------------------

    def _account(self, username: str) -> dict[str, Any]:
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table, Key=self._key(username), ConsistentRead=True
            )
        record = from_item(response.get("Item", {}))
        if "directory" not in record:
            raise NotFound("errors.not_found", username=username)
        return record

    def _set(self, username: str, attribute: str, value: object) -> None:
        with aws_errors(lambda _: NotFound("errors.not_found", username=username)):
            self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression="SET #attribute = :value",
                ConditionExpression=_IS_ACCOUNT,
                ExpressionAttributeNames={"#attribute": attribute, "#directory": "directory"},
                ExpressionAttributeValues=to_item({":value": value}),
            )

    @staticmethod
    def _key(username: str) -> dict[str, Any]:
        return {"username": {"S": username}}


def _roles_list(roles: frozenset[Role]) -> list[str]:
    # A list, not a string set: a set may not be empty, and a user may hold no role.
    return sorted(role.value for role in roles)


def _user_record(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "roles": _roles_list(user.roles),
        "created_at": to_iso(user.created_at),
        "disabled": user.disabled,
    }


def _user(record: dict[str, Any]) -> User:
    return User(
        username=record["username"],
        name=record.get("name", ""),
        email=record.get("email", ""),
        roles=frozenset(Role(role) for role in record.get("roles", ())),
        created_at=from_iso(record["created_at"]),
        disabled=bool(record.get("disabled", False)),
    )
