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

Cognito mode claims the pool's emails here too (``services.adapters.aws.cognito.emails``), one
put at a time (``claim_now``): a pool has no transactions, and its accounts may hold two
addresses (the verified one, and one a profile change asked for). Such a claim is written just
before its account reaches the pool, so it carries its time (``claimed_at``): within ``grace``
seconds an owner the pool does not have yet is on its way, and the claim is not stale.

Accounts written before claims existed hold none until ``scripts.bootstrap_aws`` (which runs
``ensure_resources``) claims them; until then the sign-up's check of the whole directory still
finds their emails. A Cognito pool's accounts get theirs from ``scripts.claim_emails``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import AWS_ERRORS, condition_failed, translate_client_error
from services.domain.email_claims import claim_address
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

CLAIM_PREFIX = "EMAIL#"


def claim_key(email: str) -> dict[str, Any]:
    return {"username": {"S": CLAIM_PREFIX + claim_address(email)}}


@dataclass(frozen=True)
class Claim:
    """A claim item as it stands: its owner and, for a claim put alone, its time."""

    owner: str
    claimed_at: int | None = None


def _claim_item(email: str, username: str) -> dict[str, Any]:
    return {**claim_key(email), "owner": {"S": username}}


class EmailClaims:
    """Reads and removes claims; ``addresses_of`` reads the emails an account holds now (none
    when the account is gone)."""

    def __init__(self, client: DynamoDBClient, table: str,
                 addresses_of: Callable[[str], Collection[str]], *, grace: float = 0,
                 clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table
        self._addresses_of = addresses_of
        self._grace = grace
        self._clock = clock

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
        standing = self.standing(email)
        if standing is None:
            return  # released meanwhile
        if self.counts(email, standing):
            raise ConflictError("auth.err_email_taken", email=email)
        self.release(email, standing.owner)

    def counts(self, email: str, claim: Claim) -> bool:
        """Whether ``claim`` of ``email`` still holds: its owner has the address, or is on its
        way to the pool (within the grace). Else it is stale."""
        if claim.claimed_at is not None and self._clock() - claim.claimed_at < self._grace:
            return True
        mine = claim_address(email)
        return mine in {claim_address(address) for address in self._addresses_of(claim.owner)}

    def claim_now(self, email: str, username: str) -> bool | None:
        """Claim ``email`` for ``username`` in a write of its own: True if claimed now, False
        if the claim was theirs already, None while another account's claim stands."""
        claim = self.claim(email, username)["Put"]
        claim["Item"]["claimed_at"] = {"N": str(int(self._clock()))}
        try:
            answer = self._client.put_item(**claim, ReturnValues="ALL_OLD")
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            return None
        return "Attributes" not in answer

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

    def standing(self, email: str) -> Claim | None:
        """The claim of ``email`` as it stands, stale or not (None: no claim)."""
        try:
            response = self._client.get_item(TableName=self._table, Key=claim_key(email),
                                              ConsistentRead=True)
        except AWS_ERRORS as exc:
            raise translate_client_error(exc) from exc
        item = response.get("Item", {})
        owner = item.get("owner", {}).get("S")
        claimed_at = item.get("claimed_at", {}).get("N")
        return Claim(str(owner), int(claimed_at) if claimed_at else None) if owner else None
