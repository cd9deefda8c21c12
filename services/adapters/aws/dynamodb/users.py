"""UserDirectory, PasswordStore and LoginThrottle on DynamoDB (aws mode): an item per username.

An item is an *account* when it carries the ``directory`` attribute (the key of
``directory-index``, through which ``list`` Queries every account in username order, no Scan).
Login failures live on the same item (``services.adapters.aws.dynamodb.login_failures``).

The administrator guards (``services.adapters.aws.dynamodb.admin_guard``): an admin-count item
holds the number of active administrators, and every write that changes whether a user is one
is a TransactWriteItems of the user item (on condition that it is still as read) and the count.
An account's email is claimed by an item of its own in the same transaction
(``services.adapters.aws.dynamodb.email_claims``), so no two accounts hold one address.

Every change to a missing account is NotFound, like ``get``; ``delete`` also forgets the
failures. ``list`` reads a GSI, so an account created a moment ago may take a fraction of a
second to appear there (``get`` is always consistent). With Cognito sign-in the pool is the
directory and this table keeps only the login failures (items without ``directory``).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    condition_failed,
    from_item,
    resend_delay,
    to_iso,
    to_item,
    translate_client_error,
)
from services.adapters.aws.dynamodb.admin_guard import (
    AdminCount,
    CountChange,
    is_active_admin,
)
from services.adapters.aws.dynamodb.email_claims import EmailClaims
from services.adapters.aws.dynamodb.login_failures import IS_ACCOUNT as _IS_ACCOUNT
from services.adapters.aws.dynamodb.login_failures import LoginFailures
from services.adapters.aws.dynamodb.schema import DIRECTORY_INDEX
from services.adapters.aws.dynamodb.user_emails import CHANGE_ATTEMPTS, AccountEmails, Refused
from services.adapters.aws.dynamodb.users_codec import roles_list, user_from_record, user_record
from services.domain.permissions import Role
from services.domain.users import AccountStatus, User
from services.errors import ConflictError, DemoFactoryError, NotFound, ValidationError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

CLAIM_ATTEMPTS = 3  # an email claim refused, then found stale and removed, is sent again
_DIRECTORY = "users"  # the one partition of directory-index


class DynamoUserDirectory(LoginFailures, AccountEmails):
    def __init__(self, client: DynamoDBClient, table: str, *, claims_emails: bool = True
                 ) -> None:
        """``claims_emails``: False where a Cognito pool is the directory and this table keeps
        only sign-up records; the pool's accounts, not the records, own the emails there."""
        self._client = client
        self._table = table
        self._admins = AdminCount(client, table, self._count_active_admins)
        self._claims = EmailClaims(client, table, self._addresses_of)
        self._claims_emails = claims_emails

    def create(self, user: User) -> None:
        """The account starts with the empty hash, which matches no password."""
        self._create(user, first_admin=False)

    def create_first_admin(self, user: User) -> bool:
        return self._create(user, first_admin=True)

    def _create(self, user: User, *, first_admin: bool) -> bool:
        # An update, not a put: failures recorded before the account existed stay.
        record = {**user_record(user), "password_hash": "", "password_temporary": False,
                  "directory": _DIRECTORY}
        record.pop("username")
        record = {name: value for name, value in record.items() if value is not None}
        names = {f"#{n}": name for n, name in enumerate(record)}
        values = {f":{n}": value for n, value in enumerate(record.values())}
        action: dict[str, Any] = {
            "TableName": self._table,
            "Key": self._key(user.username),
            "UpdateExpression": "SET " + ", ".join(f"#{n} = :{n}" for n in range(len(record))),
            "ConditionExpression": "attribute_not_exists(#directory)",
            "ExpressionAttributeNames": {**names, "#directory": "directory"},
            "ExpressionAttributeValues": to_item(values),
        }
        adds = is_active_admin(user.roles, user.disabled)
        change = CountChange.FIRST if first_admin else CountChange.ADD if adds else None
        claims = ([self._claims.claim(user.email, user.username)]
                  if user.email and self._claims_emails else [])
        if change is None and not claims:
            with aws_errors(lambda _: ConflictError("errors.conflict", username=user.username)):
                self._client.update_item(**action)
            return True
        for _ in range(CLAIM_ATTEMPTS):
            outcome = self._admins.write({"Update": action}, change, claims)
            if outcome.count_failed:  # an active administrator exists
                return False
            if outcome.user_failed:
                raise ConflictError("errors.conflict", username=user.username)
            if not outcome.extra_failed:
                return True
            self._claims.clear_stale(user.email)  # ConflictError while another account has it
        raise ConflictError("auth.err_email_taken", email=user.email)

    def get(self, username: str) -> User:
        return user_from_record(self._account(username))

    record = get  # ``SignupDirectory.record``: every account here is the app's own record

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
                users.extend(user_from_record(from_item(raw)) for raw in page["Items"])
        return users

    def set_roles(self, username: str, roles: frozenset[Role]) -> None:
        self._change(username, roles=roles)

    def set_roles_guarded(self, username: str, roles: frozenset[Role]) -> None:
        self._change(username, roles=roles, guarded=True)

    def set_disabled_guarded(self, username: str, disabled: bool) -> None:
        self._change(username, disabled=disabled, guarded=True)

    def delete_guarded(self, username: str) -> None:
        self._change(username, delete=True, guarded=True)

    def set_password_hash(self, username: str, password_hash: str, *,
                          temporary: bool = False, replacing: str | None = None) -> None:
        """The hash and its "must be changed" flag, in one write (conditional on the stored
        hash when ``replacing`` is given: the old item a refusal returns tells a missing
        account from a changed hash)."""

        def refused(exc: ClientError) -> DemoFactoryError:
            if "directory" in cast("dict[str, Any]", exc.response.get("Item", {})):
                return ConflictError("auth.err_password_changed", username=username)
            return NotFound("errors.not_found", username=username)

        condition = _IS_ACCOUNT + (" AND #hash = :replacing" if replacing is not None else "")
        with aws_errors(refused):
            self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression="SET #hash = :hash, #temporary = :temporary",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#hash": "password_hash",
                                          "#temporary": "password_temporary",
                                          "#directory": "directory"},
                ExpressionAttributeValues=to_item({":hash": password_hash,
                                                   ":temporary": temporary,
                                                   ":replacing": replacing}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )

    def password_is_temporary(self, username: str) -> bool:
        # Accounts written before the flag existed have no attribute: not temporary.
        return bool(self._account(username).get("password_temporary", False))

    def set_disabled(self, username: str, disabled: bool) -> None:
        self._change(username, disabled=disabled)

    def delete(self, username: str) -> None:
        self._change(username, delete=True)

    def _change(
        self, username: str, *, roles: frozenset[Role] | None = None,
        disabled: bool | None = None, delete: bool = False, guarded: bool = False,
    ) -> None:
        """Write the change together with the admin count when it makes or unmakes an active
        admin, on condition that the user is still as read (else read again and retry)."""
        for attempt in range(1, CHANGE_ATTEMPTS + 1):
            current = self.get(username)
            was = is_active_admin(current.roles, current.disabled)
            will = not delete and is_active_admin(
                current.roles if roles is None else roles,
                current.disabled if disabled is None else disabled,
            )
            change = CountChange.ADD if will > was else None
            if was > will:
                change = CountChange.REMOVE_GUARDED if guarded else CountChange.REMOVE
                if guarded and self._admins.count() <= 1:
                    raise ValidationError("auth.err_last_admin")
            outcome = self._admins.write(self._user_action(username, roles, disabled, delete,
                                                           was_admin=was), change)
            if outcome.done:
                if delete and self._claims_emails:
                    self._claims.release(current.email, username)
                return
            time.sleep(resend_delay(attempt))  # another writer moved the user or the count
        raise ConflictError("errors.conflict", username=username)

    def _user_action(
        self, username: str, roles: frozenset[Role] | None, disabled: bool | None,
        delete: bool, *, was_admin: bool,
    ) -> dict[str, Any]:
        names = {"#directory": "directory", "#roles": "roles", "#disabled": "disabled"}
        values: dict[str, Any] = {":admin": Role.ADMIN.value, ":true": True}
        # Still an account, and still (not) an active admin, as read.
        condition = f"{_IS_ACCOUNT} AND " + (
            "contains(#roles, :admin) AND NOT #disabled = :true" if was_admin
            else "(NOT contains(#roles, :admin) OR #disabled = :true)"
        )
        common = {"TableName": self._table, "Key": self._key(username),
                  "ConditionExpression": condition, "ExpressionAttributeNames": names}
        if delete:
            return {"Delete": {**common, "ExpressionAttributeValues": to_item(values)}}
        sets = []
        if roles is not None:
            sets.append("#roles = :roles")
            values[":roles"] = roles_list(roles)
        if disabled is not None:
            sets.append("#disabled = :disabled")
            values[":disabled"] = disabled
        return {"Update": {**common, "UpdateExpression": "SET " + ", ".join(sets),
                           "ExpressionAttributeValues": to_item(values)}}

    def settle_request(self, username: str, expected: Role, status: AccountStatus,
                       roles: frozenset[Role], *, held: frozenset[Role]) -> None:
        """One conditional update. The account holds no admin role (a condition), and
        ``roles`` are a requestable role's, so the admin count never changes here."""
        if Role.ADMIN in roles:
            raise ValidationError("auth.err_no_roles")
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(username),
                UpdateExpression="SET #status = :status, #roles = :roles REMOVE #pending",
                ConditionExpression=f"{_IS_ACCOUNT} AND #pending = :expected"
                                    " AND #roles = :held AND NOT contains(#roles, :admin)",
                ExpressionAttributeNames={"#status": "status", "#roles": "roles",
                                          "#pending": "pending_role", "#directory": "directory"},
                ExpressionAttributeValues=to_item({
                    ":status": status.value, ":roles": roles_list(roles),
                    ":expected": expected.value, ":admin": Role.ADMIN.value,
                    ":held": roles_list(held),
                }),
            )
        except AWS_ERRORS as exc:
            if not condition_failed(exc):
                raise translate_client_error(exc) from exc
            self.get(username)  # NotFound if gone
            raise ConflictError("errors.conflict", username=username) from None

    def finish_confirmation(self, username: str, status: AccountStatus,
                            waits: Role | None) -> bool:
        """One conditional update (no request waiting: no attribute, as ``to_item`` stores no
        None); the old item returned by a refusal tells a missing account from a moved one."""
        try:
            self._client.update_item(
                TableName=self._table, Key=self._key(username),
                UpdateExpression="SET #status = :status" + (", #pending = :waits" if waits else ""),
                ConditionExpression=f"{_IS_ACCOUNT} AND #status = :pending"
                                    " AND attribute_not_exists(#pending)",
                ExpressionAttributeNames={"#status": "status", "#pending": "pending_role",
                                          "#directory": "directory"},
                ExpressionAttributeValues=to_item({
                    ":status": status.value, ":waits": waits.value if waits else None,
                    ":pending": AccountStatus.PENDING.value}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except AWS_ERRORS as exc:
            if not (isinstance(exc, ClientError) and condition_failed(exc)):
                raise translate_client_error(exc) from exc
            if "directory" not in cast("dict[str, Any]", exc.response.get("Item", {})):
                raise NotFound("errors.not_found", username=username) from None
            return False
        return True

    def set_language(self, username: str, language: str) -> None:
        self._set(username, "language", language)

    def set_name(self, username: str, name: str) -> None:
        self._set(username, "name", name)

    def request_role(self, username: str, role: Role, reason: str, at: datetime) -> None:
        """One conditional update: only an active account with no request waiting."""
        try:
            self._update_account(
                username, "SET #pending = :role, #reason = :reason, #at = :at",
                {"#pending": "pending_role", "#reason": "request_reason", "#at": "requested_at",
                 "#status": "status"},
                {":role": role.value, ":reason": reason, ":at": to_iso(at),
                 ":active": AccountStatus.ACTIVE.value},
                # None is never stored (``to_item``): no attribute means no request waits.
                extra="attribute_not_exists(#pending)"
                      " AND (attribute_not_exists(#status) OR #status = :active)",
            )
        except Refused:
            raise ConflictError("errors.conflict", username=username) from None

    def _count_active_admins(self) -> int:
        return sum(is_active_admin(u.roles, u.disabled) for u in self.list())

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
