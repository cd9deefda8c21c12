"""The email part of ``DynamoUserDirectory``: a profile's change of address and an address
verified (by a pool's code, or by the link mailed to it).

A change of address is one write on condition that the account's email is still the one read:
the new address (a change of case aside) is unverified in that write, and claimed in the same
transaction (``email_claims``). A link verifies only on condition that the account still has
the address it was mailed to. So neither a stale read nor a link kept from an earlier address
can leave someone else's address marked verified.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    condition_failed,
    resend_delay,
    to_item,
    translate_client_error,
)
from services.adapters.aws.dynamodb.admin_guard import AdminCount
from services.adapters.aws.dynamodb.email_claims import EmailClaims
from services.adapters.aws.dynamodb.login_failures import IS_ACCOUNT as _IS_ACCOUNT
from services.domain.users import AccountStatus, User
from services.errors import ConflictError, NotFound

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

CHANGE_ATTEMPTS = 8  # a guarded write that keeps losing to other writers ends as a conflict


class AccountEmails:
    """Mixed into ``DynamoUserDirectory``, which provides ``get``, ``list`` and ``_key``."""

    _client: DynamoDBClient
    _table: str
    _admins: AdminCount
    _claims: EmailClaims
    _claims_emails: bool

    if TYPE_CHECKING:  # the directory's own, declared for the type checker only
        def get(self, username: str) -> User: ...

        def list(self) -> list[User]: ...

        def _key(self, username: str) -> dict[str, Any]: ...

    def confirm_email(self, username: str, status: AccountStatus, *,
                      only_from: AccountStatus) -> None:
        """The status moves only on condition that it is still ``only_from`` (no attribute:
        an account older than sign-up, active); else the email alone is marked verified."""
        self._confirm(username, None, status, only_from)

    def confirm_email_of(self, username: str, email: str, status: AccountStatus, *,
                         only_from: AccountStatus) -> bool:
        """As ``confirm_email``, each write on condition that the email is still ``email``."""
        return self._confirm(username, email, status, only_from)

    def _confirm(self, username: str, email: str | None, status: AccountStatus,
                 only_from: AccountStatus) -> bool:
        still = "#status = :from" + (" OR attribute_not_exists(#status)"
                                     if only_from == AccountStatus.ACTIVE else "")
        same = ""
        names: dict[str, str] = {"#verified": "email_verified"}
        values: dict[str, Any] = {":true": True}
        if email is not None:
            same = "#email = :email"
            names, values = {**names, "#email": "email"}, {**values, ":email": email}
        try:
            self._update_account(
                username, "SET #verified = :true, #status = :status",
                {**names, "#status": "status"},
                {**values, ":status": status.value, ":from": only_from.value},
                extra=" AND ".join(filter(None, (f"({still})", same))))
        except Refused:  # decided meanwhile (that decision stands), or another address now
            try:
                self._update_account(username, "SET #verified = :true", names, values,
                                     extra=same)
            except Refused:
                return False
        return True

    def update_profile(self, username: str, *, name: str, email: str, company: str) -> None:
        """One write on condition that the account's email is still the one read: a new
        address (a change of case aside) is unverified in that write and claimed in the same
        transaction (``email_claims``). A write that finds another email reads again, so no
        write keeps the flag of an address other than the one it writes."""
        for attempt in range(1, CHANGE_ATTEMPTS + 1):
            old = self.get(username).email
            changes = email.casefold() != old.casefold()
            action = _profile_action(self._table, self._key(username), old, changes,
                                     {":name": name, ":email": email, ":company": company})
            claims = ([self._claims.claim(email, username)]
                      if changes and email and self._claims_emails else [])
            if claims:
                outcome = self._admins.write({"Update": action}, None, claims)
                if outcome.done:
                    break
                if outcome.extra_failed:
                    self._claims.clear_stale(email)  # ConflictError while another has it
                    continue
            elif self._updated(action, username):
                break
            time.sleep(resend_delay(attempt))  # the account changed since it was read
        else:
            raise ConflictError("errors.conflict", username=username)
        if old and changes and self._claims_emails:
            self._claims.release(old, username)

    def _updated(self, action: dict[str, Any], username: str) -> bool:
        """The update made, or False when its condition failed (NotFound if gone)."""
        try:
            self._client.update_item(**action)
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            self.get(username)
            return False
        return True

    def claim_existing_emails(self) -> int:
        """Claim the email of every account that holds no claim yet (accounts written before
        claims existed); of two such accounts sharing an address, the first by user name keeps
        it. How many were claimed; safe to repeat."""
        if not self._claims_emails:
            return 0
        return sum(self._claims.claim_if_free(user.email, user.username)
                   for user in self.list() if user.email)

    def _addresses_of(self, username: str) -> tuple[str, ...]:
        """The account's email (none if there is no such account)."""
        try:
            return (self.get(username).email,)
        except NotFound:
            return ()

    def _update_account(self, username: str, update: str, names: dict[str, str],
                        values: dict[str, Any], extra: str = "") -> None:
        """An update of an existing account; NotFound if it is gone, ``Refused`` if it exists
        but ``extra`` (a further condition) did not hold."""
        condition = f"{_IS_ACCOUNT} AND {extra}" if extra else _IS_ACCOUNT
        try:
            self._client.update_item(
                TableName=self._table, Key=self._key(username), UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames={**names, "#directory": "directory"},
                ExpressionAttributeValues=to_item(values),
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            self.get(username)  # NotFound if gone
            raise Refused from None


def _profile_action(table: str, key: dict[str, Any], old: str, changes: bool,
                    values: dict[str, str]) -> dict[str, Any]:
    """The profile's update, on condition that the email is still ``old``; ``changes``: the
    new address is not verified."""
    names = {"#name": "name", "#email": "email", "#company": "company",
             "#directory": "directory"}
    update = "SET #name = :name, #email = :email, #company = :company"
    extra: dict[str, Any] = {":old": old}
    if changes:
        update += ", #verified = :false"
        names["#verified"] = "email_verified"
        extra[":false"] = False
    return {"TableName": table, "Key": key, "UpdateExpression": update,
            "ConditionExpression": f"{_IS_ACCOUNT} AND (attribute_not_exists(#email)"
                                   " OR #email = :old)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item({**values, **extra})}


class Refused(Exception):
    """A conditional update's own condition failed on an existing account."""
