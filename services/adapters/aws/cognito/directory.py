"""UserDirectory over an Amazon Cognito user pool: groups are roles, disabled is disabled.

- Roles are the pool groups named in settings (``group_names``); other groups are ignored,
  a user in none of them holds no role (the app treats that as viewer).
- ``create`` makes the user with ``MessageAction=SUPPRESS`` (no mail, a pool-made temporary
  password nobody knows); the password or the invitation comes next from ``CognitoPasswords``.
  An email given by the administrator is marked verified, so that reset codes can reach it.
- ``email_verified`` is the pool's attribute: an email a user set for themselves is not
  verified until they confirm the code Cognito mailed.
- One email, one account: ``create`` claims the address first (``PoolEmails``, the same
  ``auth.err_email_taken`` as local accounts), ``delete`` gives it up; sign-ups and profile
  changes claim through ``take_email``.
- ``created_at`` is the pool's UserCreateDate (Cognito keeps its own creation time).
- ``list`` pages through ListUsers and, for roles, through ListUsersInGroup of each role group:
  1 + 4 paged calls, not one call per user.
- The administrator guards (first administrator, last active administrator) check, then act,
  while holding ``guard``: a pool has no transactions or conditional writes, so the check and
  the write are made one step by letting one guarded change run at a time. The app passes a
  lease on the users table (``services.adapters.aws.dynamodb.lease``), which holds across app
  servers; without one, a lock of this process (one server). Changes made in the pool itself
  (the console, the CLI) do not take it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from services.adapters.aws.cognito.common import cognito_errors
from services.adapters.aws.cognito.emails import PoolEmails
from services.adapters.aws.common import AWS_ERRORS
from services.domain.email_claims import EmailClaimsReport
from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ValidationError

if TYPE_CHECKING:
    from types_boto3_cognito_idp.client import CognitoIdentityProviderClient
    from types_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

log = logging.getLogger(__name__)
_ONE_SERVER = threading.Lock()  # the guard when none is given: one guarded change at a time here
PAGE_LIMIT = 60  # the most ListUsers and ListUsersInGroup return at once


class CognitoUserDirectory:
    """Implements ``services.ports.UserDirectory``."""

    def __init__(
        self, client: CognitoIdentityProviderClient, pool_id: str, group_names: Mapping[Role, str],
        *, guard: Callable[[], AbstractContextManager[object]] | None = None,
        emails: PoolEmails | None = None,
    ) -> None:
        self._client = client
        self._pool = pool_id
        self._groups = dict(group_names)
        self._guard = guard or (lambda: _ONE_SERVER)
        self._emails = emails or PoolEmails(client, pool_id)

    def take_email(self, email: str, username: str) -> bool:
        """Claim ``email`` for ``username`` (``PoolEmails.take``): True if claimed now."""
        return self._emails.take(email, username)

    def release_email(self, email: str, username: str) -> None:
        self._emails.release(email, username)

    def claim_existing_emails(self, *, dry_run: bool = False) -> EmailClaimsReport:
        """Claim the address of every pool account that holds none (``PoolEmails``'s
        ``claim_existing``, over the whole pool)."""
        return self._emails.claim_existing(self.list(), dry_run=dry_run)

    def create(self, user: User) -> None:
        claimed = self.take_email(user.email, user.username)
        try:
            with cognito_errors():
                self._client.admin_create_user(
                    UserPoolId=self._pool,
                    Username=user.username,
                    UserAttributes=_attributes(user),
                    MessageAction="SUPPRESS",
                )
        except Exception:
            if claimed:  # the name is someone else's, or the pool failed: the address is free
                self.release_email(user.email, user.username)
            raise
        try:
            for role in sorted(user.roles):
                self._add(user.username, self._groups[role])
            if user.disabled:
                self.set_disabled(user.username, True)
        except Exception:
            self._forget(user.username)  # no half-made account
            if claimed:
                self.release_email(user.email, user.username)
            raise

    def get(self, username: str) -> User:
        with cognito_errors():
            found = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
        attributes = {a["Name"]: a["Value"] for a in found.get("UserAttributes", [])}
        return _user(found["Username"], attributes, found, self._roles(self._groups_of(username)))

    def list(self) -> list[User]:
        members = self._members()
        users: list[User] = []
        with cognito_errors():
            pages = self._client.get_paginator("list_users").paginate(
                UserPoolId=self._pool, PaginationConfig={"PageSize": PAGE_LIMIT}
            )
            for page in pages:
                for raw in page.get("Users", []):
                    attributes = {a["Name"]: a["Value"] for a in raw.get("Attributes", [])}
                    name = raw["Username"]
                    roles = frozenset(r for r, names in members.items() if name in names)
                    users.append(_user(name, attributes, raw, roles))
        return sorted(users, key=lambda u: u.username)

    def set_roles(self, username: str, roles: frozenset[Role]) -> None:
        current = self._groups_of(username)
        for role, group in self._groups.items():
            if role in roles and group not in current:
                self._add(username, group)
            elif role not in roles and group in current:
                with cognito_errors():
                    self._client.admin_remove_user_from_group(
                        UserPoolId=self._pool, Username=username, GroupName=group
                    )

    def set_disabled(self, username: str, disabled: bool) -> None:
        # AdminDisableUser also revokes the user's tokens; refreshes fail from then on.
        call = self._client.admin_disable_user if disabled else self._client.admin_enable_user
        with cognito_errors():
            call(UserPoolId=self._pool, Username=username)

    def set_name(self, username: str, name: str) -> None:
        with cognito_errors():
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool, Username=username,
                UserAttributes=[{"Name": "name", "Value": name}],
            )

    def set_email(self, username: str, email: str, *, verified: bool) -> None:
        """A new email unverified: the pool mails a code to it and keeps the user's sign-in
        name; ``verified`` only to go back to the address the user had confirmed."""
        with cognito_errors():
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool, Username=username,
                UserAttributes=[{"Name": "email", "Value": email},
                                {"Name": "email_verified", "Value": str(verified).lower()}],
            )

    def delete(self, username: str) -> None:
        with cognito_errors():
            found = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
            self._client.admin_delete_user(UserPoolId=self._pool, Username=username)
        email = next((a["Value"] for a in found.get("UserAttributes", [])
                      if a["Name"] == "email"), "")
        # A claim left behind (this failing) is found stale when the address is asked for.
        self.release_email(email, username)

    # --- guards: check, then act (see the module docstring) -----------------------------------

    def create_first_admin(self, user: User) -> bool:
        with self._guard():
            if self._active_admins():
                return False
            self.create(user)
            return True

    def set_roles_guarded(self, username: str, roles: frozenset[Role]) -> None:
        with self._guard():
            if Role.ADMIN not in roles:
                self._keep_an_active_admin(username)
            self.set_roles(username, roles)

    def set_disabled_guarded(self, username: str, disabled: bool) -> None:
        with self._guard():
            if disabled:
                self._keep_an_active_admin(username)
            self.set_disabled(username, disabled)

    def delete_guarded(self, username: str) -> None:
        with self._guard():
            self._keep_an_active_admin(username)
            self.delete(username)

    def _keep_an_active_admin(self, username: str) -> None:
        admins = self._active_admins()
        if admins == {username}:
            raise ValidationError("auth.err_last_admin")

    def _active_admins(self) -> set[str]:
        return {u.username for u in self.list() if Role.ADMIN in u.roles and not u.disabled}

    # --- helpers ------------------------------------------------------------------------------

    def _add(self, username: str, group: str) -> None:
        with cognito_errors():
            self._client.admin_add_user_to_group(
                UserPoolId=self._pool, Username=username, GroupName=group
            )

    def _groups_of(self, username: str) -> set[str]:
        names: set[str] = set()
        with cognito_errors():
            pages = self._client.get_paginator("admin_list_groups_for_user").paginate(
                UserPoolId=self._pool, Username=username
            )
            for page in pages:
                names.update(g["GroupName"] for g in page.get("Groups", []))
        return names

    def _members(self) -> dict[Role, set[str]]:
        members: dict[Role, set[str]] = {}
        with cognito_errors():
            for role, group in self._groups.items():
                pages = self._client.get_paginator("list_users_in_group").paginate(
                    UserPoolId=self._pool, GroupName=group,
                    PaginationConfig={"PageSize": PAGE_LIMIT},
                )
                members[role] = {u["Username"] for page in pages for u in page.get("Users", [])}
        return members

    def _roles(self, groups: Iterable[str]) -> frozenset[Role]:
        present = set(groups)
        return frozenset(role for role, group in self._groups.items() if group in present)

    def _forget(self, username: str) -> None:
        try:
            self._client.admin_delete_user(UserPoolId=self._pool, Username=username)
        except AWS_ERRORS:
            log.exception("could not remove half-created Cognito user %s", username)


def _attributes(user: User) -> list[AttributeTypeTypeDef]:
    attributes: list[AttributeTypeTypeDef] = [{"Name": "name", "Value": user.name or user.username}]
    if user.email:
        attributes += [
            {"Name": "email", "Value": user.email},
            {"Name": "email_verified", "Value": "true"},
        ]
    return attributes


def _user(
    username: str, attributes: Mapping[str, str], raw: Mapping[str, Any], roles: frozenset[Role]
) -> User:
    created = raw.get("UserCreateDate")
    if not isinstance(created, datetime):
        created = datetime.now(UTC)
    return User(
        username=username,
        name=attributes.get("name", username),
        email=attributes.get("email", ""),
        roles=roles,
        created_at=created.astimezone(UTC),
        disabled=not raw.get("Enabled", True),
        email_verified=attributes.get("email_verified", "").lower() == "true",
    )

