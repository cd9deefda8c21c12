"""Self-service sign-up against a Cognito user pool.

``CognitoSelfSignUp`` (PoolSignUp port) is the pool's side: ``SignUp`` (the pool mails a code to
the email), ``ConfirmSignUp``, ``ResendConfirmationCode``, and what a confirmed account gets in
the pool: the role groups when it is active at once, or ``AdminDisableUser`` while it waits for
an administrator (a disabled user gets no tokens from the pool at all).

``CognitoSignupDirectory`` (SignupDirectory port) keeps the app's own record of a sign-up
(status, company, purpose, the role asked for and the one waiting) in the users table, the same
record local accounts have: the pool's schema stays as it is (adding custom attributes to a
deployed pool can replace it), and the app's data stays in one place. Deciding a request is the
table's atomic ``settle_request``; the pool then follows (groups, enabled).

Only the email goes through ``SignUp`` (the one attribute the app client may write, so that the
code can be mailed); the name is set by the server, as the template lets users change neither.

The pool is the source of truth for name, email and roles (groups): every read of a record
(``get``, ``list``: the administrator's list of waiting requests) shows the pool's values over
the record's, a profile change made in the app writes both, and ``refresh`` (at each sign-in)
copies the pool's name and roles into the record, so that it never stays stale for long. The
record's email is the one the user asked for: while a changed email waits for its code it
differs from the pool's verified one (that is how the wait is told), so ``refresh`` leaves it.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypedDict

from services.adapters.aws.cognito.common import cognito_errors, secret_hash
from services.adapters.aws.cognito.directory import CognitoUserDirectory
from services.domain.permissions import Role
from services.domain.users import AccountStatus, User
from services.errors import (
    ConflictError,
    DemoFactoryError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from services.ports import SignupDirectory

if TYPE_CHECKING:
    from types_boto3_cognito_idp.client import CognitoIdentityProviderClient

log = logging.getLogger(__name__)


class SignupRecords(SignupDirectory, Protocol):
    """The users table as Cognito mode's record store (``DynamoUserDirectory`` is one)."""

    def set_roles(self, username: str, roles: frozenset[Role]) -> None: ...

    def set_name(self, username: str, name: str) -> None:
        """The name alone (the pool's, at sign-in). NotFound if absent."""


class _SecretHash(TypedDict, total=False):
    SecretHash: str


class CognitoSelfSignUp:
    """Implements ``services.ports.PoolSignUp``. With an app client secret every call carries
    SECRET_HASH (the same as sign-in's)."""

    def __init__(self, client: CognitoIdentityProviderClient, pool_id: str, client_id: str,
                 client_secret: str | None, directory: CognitoUserDirectory) -> None:
        self._client = client
        self._pool = pool_id
        self._client_id = client_id
        self._secret = client_secret
        self._directory = directory

    def _secret_kwargs(self, username: str) -> _SecretHash:
        if not self._secret:
            return {}
        return {"SecretHash": secret_hash(self._client_id, self._secret, username)}

    def sign_up(self, username: str, email: str, name: str, password: str) -> None:
        """ConflictError for a name or an email in use (the address is claimed first)."""
        claimed = self._directory.take_email(email, username)
        try:
            with cognito_errors():
                self._client.sign_up(
                    ClientId=self._client_id, Username=username, Password=password,
                    UserAttributes=[{"Name": "email", "Value": email}],
                    **self._secret_kwargs(username),
                )
        except Exception as exc:
            if claimed:  # the name is someone else's, or the pool refused: the address is free
                self._directory.release_email(email, username)
            if isinstance(exc, PermissionDenied):  # the pool lets only administrators in
                raise PermissionDenied("signup.err_off") from exc
            raise
        try:
            with cognito_errors():
                self._client.admin_update_user_attributes(
                    UserPoolId=self._pool, Username=username,
                    UserAttributes=[{"Name": "name", "Value": name or username}],
                )
        except Exception:
            # Undone, so that the sign-up can be tried again, and no pool account is left
            # that its code would confirm with no record of the app's beside it.
            with suppress(DemoFactoryError):
                self._directory.delete(username)
            raise

    def confirm(self, username: str, code: str) -> None:
        """ValidationError("cognito.err_code") for a wrong or expired code, and equally for
        a name that is unknown or already confirmed (nothing tells which)."""
        try:
            with cognito_errors(sign_in=True):
                self._client.confirm_sign_up(
                    ClientId=self._client_id, Username=username, ConfirmationCode=code.strip(),
                    **self._secret_kwargs(username),
                )
        except PermissionDenied as exc:
            raise ValidationError("cognito.err_code") from exc

    def resend(self, username: str) -> None:
        """A new code by email; an unknown or already confirmed name is quietly skipped."""
        try:
            with cognito_errors(sign_in=True):
                self._client.resend_confirmation_code(
                    ClientId=self._client_id, Username=username,
                    **self._secret_kwargs(username),
                )
        except (PermissionDenied, ValidationError):
            return

    def admit(self, user: User) -> None:
        """A confirmed sign-up in the pool: its groups when active, disabled while it waits."""
        if user.status == AccountStatus.ACTIVE:
            self._directory.set_roles(user.username, user.roles)
        else:
            self._directory.set_disabled(user.username, True)

    def made_by_administrator(self, username: str) -> bool:
        # SignUp cannot put an account in a group, and the app adds a sign-up to one only
        # after reading its record (``admit``, approval); every account the app makes holds a
        # role. A pool has no other mark of who made an account.
        try:
            return bool(self._directory.get(username).roles)
        except NotFound:
            return False

    def discard(self, username: str) -> None:
        """A sign-up's pool account with no record of the app's: deleted; disabled if the
        delete fails. An administrator's account is left as it is."""
        if self.made_by_administrator(username):
            return
        # Deleted rather than disabled: it finishes the undo the failed sign-up began, so the
        # name and the email are free for a new sign-up; a disabled account would hold both,
        # and no administrator's list shows it (it has no record). Disabled only as the fall
        # back, so that the pool gives it no tokens meanwhile.
        try:
            self._directory.delete(username)
        except NotFound:
            return
        except DemoFactoryError:
            log.warning("could not delete %s from the pool; disabling it", username,
                        exc_info=True)
            self._directory.set_disabled(username, True)


class CognitoSignupDirectory:
    """Implements ``services.ports.SignupDirectory``: records in the users table, the pool
    following each decision."""

    def __init__(self, records: SignupRecords, pool: CognitoUserDirectory) -> None:
        self._records = records
        self._pool = pool

    def create(self, user: User) -> None:
        self._records.create(user)

    def get(self, username: str) -> User:
        """The record with the pool's name, email and roles. A new email the user set waits in
        ``pending_email`` until the pool has it verified: the template's pool keeps the old,
        verified one meanwhile (``AttributesRequireVerificationBeforeUpdate``), a pool without
        that setting holds the new one unverified. An account an administrator made has no
        record until its user edits the profile: the pool's account then stands alone."""
        try:
            return self.record(username)
        except NotFound:
            return self._pool.get(username)

    def record(self, username: str) -> User:
        """As ``get``, but NotFound when the users table has no record: the pool's account
        alone (an administrator's, or a sign-up whose record is gone) is not one."""
        record = self._records.get(username)
        try:
            in_pool = self._pool.get(username)
        except NotFound:  # a sign-up the pool no longer has: the record as it is
            return record
        return _merged(record, in_pool)

    def list(self) -> list[User]:
        """Every record, with the pool's values (one paged ListUsers, one per role group)."""
        records = self._records.list()
        if not records:
            return []
        in_pool = {user.username: user for user in self._pool.list()}
        return [_merged(r, in_pool[r.username]) if r.username in in_pool else r
                for r in records]

    def refresh(self, username: str) -> None:
        """At sign-in: the record takes the pool's name and roles (no write when they are
        the same; no record, as for an administrator-made account: nothing to do)."""
        try:
            record = self._records.get(username)
        except NotFound:
            return
        in_pool = self._pool.get(username)
        if in_pool.name != record.name:
            # The name alone: a profile save landing meanwhile keeps its email and company.
            self._records.set_name(username, in_pool.name)
        roles = _pool_roles(in_pool)
        if roles != record.roles:
            self._records.set_roles(username, roles)

    def delete(self, username: str) -> None:
        with suppress(NotFound):  # an administrator-made account may have no record
            self._records.delete(username)

    def update_profile(self, username: str, *, name: str, email: str, company: str) -> None:
        """Company and the email asked for in the record; name and email in the pool.
        A new email goes to the pool unverified (the pool mails a code to it); giving the
        verified one again cancels the change."""
        shown = self.get(username)
        asked = shown.pending_email or shown.email
        changes = email != asked
        # Claimed before anything is written: ConflictError (auth.err_email_taken) changes
        # nothing, as for a local account.
        claimed = self._pool.take_email(email, username) if changes else False
        try:
            self._ensure_record(username)
            if name != shown.name:
                self._pool.set_name(username, name)
            if changes:
                cancel = email == shown.email and shown.email_verified
                self._pool.set_email(username, email, verified=cancel)
            self._records.update_profile(username, name=name, email=email, company=company)
        except Exception:
            if claimed:
                self._pool.release_email(email, username)
            raise
        if changes and asked.casefold() not in (email.casefold(), shown.email.casefold()):
            self._pool.release_email(asked, username)  # an address asked for, given up

    def set_language(self, username: str, language: str) -> None:
        self._ensure_record(username)
        self._records.set_language(username, language)

    def request_role(self, username: str, role: Role, reason: str, at: datetime) -> None:
        self._ensure_record(username)
        self._records.request_role(username, role, reason, at)

    def _ensure_record(self, username: str) -> None:
        """An administrator-made account gets its record on its first edit."""
        try:
            self._records.get(username)
        except NotFound:
            with suppress(ConflictError):  # made meanwhile by another run
                self._records.create(self._pool.get(username))

    def confirm_email(self, username: str, status: AccountStatus, *,
                      only_from: AccountStatus) -> None:
        # The pool confirms emails by its own code; a record is only marked, as the port says.
        self._records.confirm_email(username, status, only_from=only_from)

    def finish_confirmation(self, username: str, status: AccountStatus,
                            waits: Role | None) -> bool:
        # Only the record moves; the pool follows in ``CognitoSelfSignUp.admit``.
        return self._records.finish_confirmation(username, status, waits)

    def settle_request(self, username: str, expected: Role, status: AccountStatus,
                       roles: frozenset[Role], *, held: frozenset[Role]) -> None:
        before = self._records.get(username)
        self._records.settle_request(username, expected, status, roles, held=held)
        if status != AccountStatus.ACTIVE or expected not in roles:
            return  # declined: the pool stays as it was (a waiting account stays disabled)
        in_pool = self._pool.get(username).roles
        # The role granted replaces the viewer role, as the record's roles do; roles an
        # administrator gave in the pool meanwhile stay.
        self._pool.set_roles(username, (in_pool - {Role.VIEWER}) | roles)
        if before.status == AccountStatus.PENDING:
            self._pool.set_disabled(username, False)


def _pool_roles(in_pool: User) -> frozenset[Role]:
    # A pool user in no role group is a viewer, as at sign-in (``identity.actor_of``).
    return in_pool.roles or frozenset({Role.VIEWER})


def _merged(record: User, in_pool: User) -> User:
    shown = replace(record, name=in_pool.name, email=in_pool.email or record.email,
                    email_verified=in_pool.email_verified, roles=_pool_roles(in_pool))
    if record.email and (record.email != in_pool.email or not in_pool.email_verified):
        return replace(shown, pending_email=record.email)
    return shown
