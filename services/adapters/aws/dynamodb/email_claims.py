"""Who owns an email in the DynamoDB users table: one claim item per address, so that two
accounts cannot take one address at the same moment.

A claim is the item ``username`` = "EMAIL#<casefolded email>" with an ``owner``. Its key is
upper case, like the admin count's: a typed user name is lower-cased before it reaches the
table, so no account or sign-in attempt lands on it; it has no ``directory`` attribute, so
``list`` never sees it.

A write that gives an account an email puts the claim in the same TransactWriteItems as the
account, on condition that no claim exists or the account owns it already: DynamoDB checks
and writes both in one step. The old address's claim is released after the write. A claim
counts only while its owner exists and still has that email: a claim left behind (a release
that did not happen, an account deleted) is found stale when someone else asks for the
address, removed on condition that it is still the one read, and the write sent again.

Accounts written before claims existed hold none until ``scripts.bootstrap_aws`` (which runs
``ensure_resources``) claims them; until then the sign-up's check of the whole directory still
finds their emails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import AWS_ERRORS, condition_failed, translate_client_error
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

CLAIM_PREFIX = "EMAIL#"


def claim_key(email: str) -> dict[str, Any]:
    return {"username": {"S": CLAIM_PREFIX + email.casefold()}}


def _claim_item(email: str, username: str) -> dict[str, Any]:
    return {**claim_key(email), "owner": {"S": username}}


class EmailClaims:
    """Reads and removes claims; ``email_of`` reads an account's current email (None when
    the account is gone)."""

    def __init__(self, client: DynamoDBClient, table: str,
                 email_of: Callable[[str], str | None]) -> None:
        self._client = client
        self._table = table
        self._email_of = email_of

    def claim(self, email: str, username: str) -> dict[str, Any]:
        """The transaction item that claims ``email`` for ``username``: it fails while another
        account's claim stands."""
        return {"Put": {
            "TableName": self._table, "Item": _claim_item(email, username),
            "ConditionExpression": "attribute_not_exists(#username) OR #owner = :me",
            "ExpressionAttributeNames": {"#owner": "owner", "#username": "username"},
            "ExpressionAttributeValues": {":me": {"S": username}},
        }}

    def clear_stale(self, email: str) -> None:
        """After a claim of ``email`` was refused: remove the standing claim if it is stale
        (its owner is gone or has another email), else ConflictError
        (``auth.err_email_taken``)."""
        owner = self._owner(email)
        if owner is None:
            return  # released meanwhile
        current = self._email_of(owner)
        if current is not None and current.casefold() == email.casefold():
            raise ConflictError("auth.err_email_taken", email=email)
        self.release(email, owner)

    def claim_if_free(self, email: str, username: str) -> bool:
        """Claim ``email`` for ``username`` unless a claim of it exists (of anyone)."""
        try:
            self._client.put_item(
                TableName=self._table, Item=_claim_item(email, username),
                ConditionExpression="attribute_not_exists(#username)",
                ExpressionAttributeNames={"#username": "username"})
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            return False
        return True

    def release(self, email: str, username: str) -> None:
        """Remove ``username``'s claim of ``email``; nothing if another account holds it."""
        if not email:
            return
        try:
            self._client.delete_item(
                TableName=self._table, Key=claim_key(email),
                ConditionExpression="#owner = :me", ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":me": {"S": username}})
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc

    def _owner(self, email: str) -> str | None:
        try:
            response = self._client.get_item(TableName=self._table, Key=claim_key(email),
                                              ConsistentRead=True)
        except AWS_ERRORS as exc:
            raise translate_client_error(exc) from exc
        owner = response.get("Item", {}).get("owner", {}).get("S")
        return str(owner) if owner else None
