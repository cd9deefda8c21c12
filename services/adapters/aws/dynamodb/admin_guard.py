"""The count of active administrators in the DynamoDB users table, for the atomic guards.

One item (key ``ADMIN_GUARD_KEY``) holds ``active_admins``. Each write that makes or unmakes an
active administrator is one TransactWriteItems: the user item, on condition that the user is
still as the writer read it, and ``ADD active_admins +1/-1`` on the count, with a condition:

- taking an admin away behind a guard: ``active_admins > 1`` (the last one stays);
- the first administrator: ``active_admins < 1`` (ten simultaneous forms make one admin);
- any other change: the count item exists.

DynamoDB applies a transaction entirely or not at all, so two admins removing each other at
the same moment cannot both pass. The key is upper case: a typed user name is lower-cased
before it reaches the table, so no sign-in attempt or account can land on this item.

The count is made from the directory the first time a guarded write needs it (a table that
predates it): every write that changes it needs the item, so none can slip in meanwhile.
Writes made by an older version of the app during a rolling deploy are not counted.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    cancellation_codes,
    condition_failed,
    error_code,
    from_item,
    resend_delay,
    translate_client_error,
)
from services.domain.permissions import Role
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

ADMIN_GUARD_KEY = "ADMINS#COUNT"
# With Cognito sign-in: the lease the pool's administrator guards run under (no typed name
# reaches it: user names have no "#").
ADMIN_LEASE_KEY = "ADMINS#LEASE"
WRITE_ATTEMPTS = 8  # transactions cancelled by a concurrent transaction are sent again
_COUNT = "active_admins"


class CountChange(enum.Enum):
    ADD = "add"
    REMOVE = "remove"
    REMOVE_GUARDED = "remove_guarded"
    FIRST = "first"


@dataclass(frozen=True)
class Outcome:
    done: bool
    user_failed: bool = False  # the user item's condition: it changed since it was read
    count_failed: bool = False  # the count's condition: the guard refused
    extra_failed: bool = False  # an extra item's condition (an email claimed by another)


def is_active_admin(roles: Collection[Role], disabled: bool) -> bool:
    return Role.ADMIN in roles and not disabled


class AdminCount:
    def __init__(self, client: DynamoDBClient, table: str, count_from_directory: Callable[[], int]
                 ) -> None:
        self._client = client
        self._table = table
        self._count_from_directory = count_from_directory
        self._ready = False

    def count(self) -> int:
        self._ensure()
        return int(self._read().get(_COUNT, 0))

    def write(self, user_action: dict[str, Any], change: CountChange | None,
              extras: Sequence[dict[str, Any]] = ()) -> Outcome:
        """Send the user's action, the ``extras`` (transaction items such as an email claim)
        and the count's when ``change`` is given, as one transaction; cancellations by
        concurrent transactions are retried here, failed conditions are the caller's to
        judge."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            items = [user_action, *extras]
            if change is not None:
                self._ensure()
                items.append(self._count_action(change))
            try:
                self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
                return Outcome(done=True)
            except AWS_ERRORS as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise translate_client_error(exc) from exc
                reasons = cancellation_codes(exc)
            failed = [code == "ConditionalCheckFailed" for code in reasons]
            failed += [False] * (len(items) - len(failed))
            user_failed, extra_failed = failed[0], any(failed[1:1 + len(extras)])
            count_failed = change is not None and failed[-1]
            if count_failed and change in (CountChange.ADD, CountChange.REMOVE):
                self._ready = False  # the count item went missing: make it again
            elif user_failed or extra_failed or count_failed:
                return Outcome(done=False, user_failed=user_failed, count_failed=count_failed,
                               extra_failed=extra_failed)
            time.sleep(resend_delay(attempt))
        raise ConflictError("errors.conflict", operation="admin_count")

    # --- helpers ------------------------------------------------------------------------------

    def _ensure(self) -> None:
        if self._ready:
            return
        if _COUNT not in self._read():
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=_key(),
                    UpdateExpression="SET #count = :count",
                    ConditionExpression="attribute_not_exists(#count)",
                    ExpressionAttributeNames={"#count": _COUNT},
                    ExpressionAttributeValues={
                        ":count": {"N": str(self._count_from_directory())}
                    },
                )
            except AWS_ERRORS as exc:
                if not condition_failed(exc):  # else another server made it first
                    raise translate_client_error(exc) from exc
        self._ready = True

    def _read(self) -> dict[str, Any]:
        try:
            response = self._client.get_item(
                TableName=self._table, Key=_key(), ConsistentRead=True
            )
        except AWS_ERRORS as exc:
            raise translate_client_error(exc) from exc
        return from_item(response.get("Item", {}))

    def _count_action(self, change: CountChange) -> dict[str, Any]:
        condition = {
            CountChange.ADD: "attribute_exists(#count)",
            CountChange.REMOVE: "attribute_exists(#count)",
            CountChange.REMOVE_GUARDED: "#count > :one",
            CountChange.FIRST: "#count < :one",
        }[change]
        delta = -1 if change in (CountChange.REMOVE, CountChange.REMOVE_GUARDED) else 1
        values = {":delta": {"N": str(delta)}}
        if ":one" in condition:
            values[":one"] = {"N": "1"}
        return {
            "Update": {
                "TableName": self._table,
                "Key": _key(),
                "UpdateExpression": "ADD #count :delta",
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#count": _COUNT},
                "ExpressionAttributeValues": values,
            }
        }


def _key() -> dict[str, Any]:
    return {"username": {"S": ADMIN_GUARD_KEY}}
