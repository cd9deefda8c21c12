"""Users, sign-up, passwords, identity providers, sessions and account tokens.

Protocols; import them from ``services.ports``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from services.domain.identity import Challenge, SessionRecord, SignInStep, Tokens
from services.domain.inquiries import RateLimit
from services.domain.permissions import Role
from services.domain.tokens import AccountToken, TokenPurpose
from services.domain.users import AccountStatus, PasswordReset, User


class UserDirectory(Protocol):
    """Accounts: profile, roles, enabled or not. No password material (see PasswordStore and
    PasswordAuthenticator) and no login failures (see LoginThrottle).

    Local and DynamoDB directories keep ``created_at`` as given; a Cognito pool keeps its own
    creation time (UserCreateDate), the moment ``create`` ran.
    """

    def create(self, user: User) -> None:
        """ConflictError if the username exists, or (``auth.err_email_taken``) if another
        account has the email, in any case; an empty email is no one's. The account has no
        usable password yet. SQLite and DynamoDB check the email and write in one step; a
        Cognito pool does not check it."""

    def get(self, username: str) -> User:
        """NotFound if absent."""

    def list(self) -> list[User]:
        """Every account (the directory pages through its backend itself)."""

    def set_roles(self, username: str, roles: frozenset[Role]) -> None: ...

    def set_disabled(self, username: str, disabled: bool) -> None: ...

    def delete(self, username: str) -> None: ...

    # The guards below decide and write in one atomic step (SQLite: one write transaction;
    # DynamoDB: TransactWriteItems with a condition on an admin-count item), so that two
    # requests at the same moment cannot both pass a check that only one of them may pass.
    # A Cognito pool has no transactions: there they check, then act (see its adapter).

    def create_first_admin(self, user: User) -> bool:
        """Create ``user`` (an active administrator) only if no active administrator exists;
        False, and nothing written, if one does. ConflictError if the username exists."""

    def set_roles_guarded(self, username: str, roles: frozenset[Role]) -> None:
        """``set_roles``; ValidationError("auth.err_last_admin"), nothing written, if it would
        leave no active administrator."""

    def set_disabled_guarded(self, username: str, disabled: bool) -> None:
        """``set_disabled``; ValidationError("auth.err_last_admin") as above."""

    def delete_guarded(self, username: str) -> None:
        """``delete``; ValidationError("auth.err_last_admin") as above."""


class SignupDirectory(Protocol):
    """The account side of self-service sign-up, on the stores that keep local accounts
    (SQLite and the DynamoDB users table). ``create`` and ``get`` keep every field of ``User``
    (status, company, purpose, requested and pending role, sign-up time)."""

    def create(self, user: User) -> None:
        """ConflictError if the username exists or another account has the email (checked
        and written in one step, as ``UserDirectory.create``)."""

    def get(self, username: str) -> User:
        """NotFound if absent. Where the backend keeps accounts of its own beside the app's
        records (a Cognito pool), an account with no record is shown as the backend has it."""

    def record(self, username: str) -> User:
        """The account as ``get`` shows it, only if the app has its own record of it: NotFound
        otherwise, also where ``get`` would show the backend's account (a pool account with no
        record: an administrator's, or a sign-up whose record is gone)."""

    def list(self) -> list[User]: ...

    def delete(self, username: str) -> None: ...

    def settle_request(self, username: str, expected: Role, status: AccountStatus,
                       roles: frozenset[Role], *, held: frozenset[Role]) -> None:
        """Decide the waiting role request in one atomic step: only while ``expected`` still
        waits, the account still holds ``held`` (the roles the decision was made from) and no
        administrator role, set ``status`` and ``roles`` and clear the request. ConflictError
        if another decision (or a role change) came first, NotFound if the account is
        gone."""

    def confirm_email(self, username: str, status: AccountStatus, *,
                      only_from: AccountStatus) -> None:
        """Mark the account's email verified and, in the same step, move its status to
        ``status`` only if it is still ``only_from`` (an administrator's decision meanwhile
        stands). NotFound if absent. Whatever address the account holds: only for an email
        its provider confirmed by its own code; a mailed link uses
        ``EmailConfirmation.confirm_email_of``, which holds to the address the link went to."""

    def finish_confirmation(self, username: str, status: AccountStatus,
                            waits: Role | None) -> bool:
        """Move an account confirmed by its emailed code (a pool's sign-up) out of waiting for
        the code in one atomic step: only while it is PENDING with no request waiting, set
        ``status`` and let ``waits`` wait for an administrator (None: nothing waits). True if
        this call moved it; False, nothing written, if it was moved before (of concurrent
        calls, one gets True). NotFound if absent."""

    def update_profile(self, username: str, *, name: str, email: str, company: str) -> None:
        """The details a user edits on the profile page. NotFound if absent; ConflictError
        (``auth.err_email_taken``) if another account has the email, checked and written in
        one step. The language is not among them (``set_language``): a save in one tab
        never puts back what another tab changed meanwhile.

        An email other than the stored one (a change of case aside) is no longer verified,
        in the same write: whoever typed it has not shown that it is theirs. The write
        compares with the email stored at that moment, not one read before it."""

    def set_language(self, username: str, language: str) -> None:
        """The language the app opens in for this user, written alone. NotFound if absent."""

    def request_role(self, username: str, role: Role, reason: str, at: datetime) -> None:
        """Let ``role`` wait for an administrator, with the reason and time, in one atomic
        step: only an active account with no request waiting (ConflictError otherwise).
        NotFound if absent."""


class EmailConfirmation(Protocol):
    """A verification link opened: the stores of local accounts (SQLite, the DynamoDB users
    table). Apart from ``SignupDirectory``, whose Cognito records are confirmed by the pool's
    code instead."""

    def confirm_email_of(self, username: str, email: str, status: AccountStatus, *,
                         only_from: AccountStatus) -> bool:
        """In one step, only while the account's email is still ``email`` (exactly: the
        address the link was mailed to): mark it verified, and move the status to ``status``
        if it is still ``only_from`` (an administrator's decision meanwhile stands). False,
        nothing written, if the account has another email now. NotFound if absent."""


class PoolSignUp(Protocol):
    """A user pool's own sign-up (Cognito): the pool mails the confirmation code."""

    def sign_up(self, username: str, email: str, name: str, password: str) -> None:
        """An unconfirmed account; the pool mails a code to ``email``. ConflictError if the
        user name or the email is someone's already; ValidationError if the pool's password
        policy refuses the password."""

    def confirm(self, username: str, code: str) -> None:
        """ValidationError("cognito.err_code") for a wrong or expired code (and for an
        unknown or already confirmed user name: nothing tells them apart)."""

    def resend(self, username: str) -> None:
        """Mail a new code; an unknown or confirmed user name is quietly skipped."""

    def admit(self, user: User) -> None:
        """After confirmation: an active ``user`` gets its roles in the pool, a waiting one is
        disabled there until an administrator decides."""

    def made_by_administrator(self, username: str) -> bool:
        """Whether the pool's account was made by an administrator, not by SignUp: the app
        puts every account it makes in a role group, and a sign-up gets one only once its
        record is admitted. False for a name the pool does not have."""

    def discard(self, username: str) -> None:
        """Remove a pool account that SignUp made and the app has no record of: deleted, or
        disabled where the delete fails. An administrator's account is left as it is."""


class RateSlots(Protocol):
    """Windowed counters taken atomically (``InquiryStore`` is one: its ``take_slot``)."""

    def take_slot(self, limits: Sequence[RateLimit], now: datetime) -> str | None:
        """As ``InquiryStore.take_slot``: take one from every limit, or from none and return
        the ``key`` of a full limit."""


class PasswordStore(Protocol):
    """bcrypt hashes of local accounts (SQLite or the DynamoDB users table), beside the profile.

    An account made by ``UserDirectory.create`` has the empty hash, which matches no password.
    """

    def password_hash(self, username: str) -> str:
        """NotFound if there is no such account."""

    def set_password_hash(self, username: str, password_hash: str, *,
                          temporary: bool = False, replacing: str | None = None) -> None:
        """NotFound if there is no such account. ``temporary``: an administrator's password
        (reset, invitation) that must be changed at the next sign-in; stored with the hash.
        ``replacing``: write only if the stored hash is still this one (the one the caller
        checked the old password against), in the same step; ConflictError if it changed."""

    def password_is_temporary(self, username: str) -> bool:
        """Whether the stored password must be changed at the next sign-in. NotFound if
        there is no such account."""


class LoginThrottle(Protocol):
    """Failed sign-ins per typed user name (known or not), for the lockout.

    Kept by the app in every mode, Cognito included: Cognito's own lockout is coarse and
    silent, while ours gives the same message, audit entries and limits in both modes and
    refuses a locked name before the provider is asked.
    """

    def record_login_failure(self, username: str, at: datetime) -> None: ...

    def login_failures_since(self, username: str, since: datetime) -> int: ...

    def clear_login_failures(self, username: str) -> None: ...

    def reserve_login_attempt(
        self, username: str, at: datetime, since: datetime, limit: int
    ) -> bool:
        """In one atomic step: if fewer than ``limit`` failures are counted at or after
        ``since``, count one more at ``at`` and return True; otherwise count nothing and return
        False (locked). Called *before* the password is checked, so that parallel guesses
        cannot all pass a lockout check made before any of them was counted. The attempt stays
        counted as a failure until ``clear_login_failures`` (a successful sign-in)."""


class PasswordAuthenticator(Protocol):
    """The password side of accounts: local bcrypt hashes or a Cognito user pool."""

    @property
    def sends_invitations(self) -> bool:
        """True if ``invite`` mails the user a temporary password (Cognito)."""

    def check(self, username: str, password: str) -> bool:
        """True if ``password`` is the user's password (disabled or not: the caller checks)."""

    def set_password(self, username: str, password: str, *, temporary: bool = False,
                     replacing: str | None = None) -> None:
        """Make it the user's password; ``temporary``: it must be changed at the next sign-in
        where the backend can force that (Cognito). NotFound if no such user. ``replacing``
        (local hashes only): the stored hash read before the old password was checked; the
        password is set only if it is still stored (ConflictError otherwise), so a reset or
        another change meanwhile is never overwritten."""

    def reset_password(self, username: str) -> PasswordReset:
        """Invalidate the password: a one-time password to show once (local), or what the
        backend mailed the user itself (Cognito: a reset code, or the invitation again for a
        user who never signed in)."""

    def invite(self, username: str) -> None:
        """Send a new account its invitation (Cognito). ValidationError where unsupported."""

    def must_change_password(self, username: str) -> bool:
        """True if the password is an administrator's temporary one that the app itself must
        have changed before a sign-in (local). False where the backend forces the change
        itself (Cognito's NEW_PASSWORD_REQUIRED) or for an unknown user."""

    @property
    def keeps_hashes(self) -> bool:
        """True if the app keeps the bcrypt hashes (local); False where a provider keeps the
        passwords (Cognito): then the two methods below raise ValidationError."""

    def password_hash(self, username: str) -> str:
        """The stored bcrypt hash (empty: no usable password). NotFound if no such user."""

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """Store a bcrypt hash made elsewhere as it is, so the user keeps that password.
        ValidationError if it is not a bcrypt hash; NotFound if no such user."""


class IdentityProvider(Protocol):
    """Sign-in against a user pool (Cognito): tokens, challenges and password flows.

    Wrong credentials are PermissionDenied("auth.err_bad_credentials"); the provider's own
    lockout is QuotaExceeded; a rejected new password is ValidationError.
    """

    def sign_in(self, username: str, password: str) -> SignInStep: ...

    def answer_new_password(self, challenge: Challenge, new_password: str) -> SignInStep: ...

    def refresh(self, username: str, refresh_token: str) -> Tokens:
        """New ID and access tokens; PermissionDenied if the refresh token is no longer good
        (signed out, revoked, expired, user disabled)."""

    def forgot_password(self, username: str) -> None:
        """Send the user a reset code (the provider hides whether the user exists)."""

    def confirm_forgot_password(self, username: str, code: str, new_password: str) -> None: ...

    def change_password(self, access_token: str, current: str, new: str) -> None: ...

    def sign_out(self, access_token: str | None, refresh_token: str | None) -> None:
        """End the provider-side session: its refresh token stops working."""

    def username_for_login(self, login: str) -> str:
        """The account name for a typed user name or email address (as typed if unknown)."""


class PoolSignOut(Protocol):
    """A user pool's end of every sign-in of one user (Cognito's AdminUserGlobalSignOut): each
    refresh token the pool gave the user stops working, so no copy of one refreshes again."""

    def sign_out_everywhere(self, username: str) -> None:
        """NotFound for no such user."""


class EmailCodes(Protocol):
    """A user pool's check of an email a user changed (Cognito): the pool mailed a code to it;
    the user's own access token proves who answers."""

    def verify_email(self, access_token: str, code: str) -> None:
        """ValidationError("cognito.err_code") for a wrong or expired code."""

    def resend_email_code(self, access_token: str) -> None: ...


class TokenVerifier(Protocol):
    def verify(self, token: str, use: str) -> dict[str, Any]:
        """The claims of ``token`` ("id" or "access" in ``use``) after checking signature,
        issuer, audience/client, token_use and expiry. PermissionDenied("cognito.err_token")
        otherwise."""


class SessionStore(Protocol):
    """Server-side sign-in sessions, keyed by a hash of the random id the browser holds."""

    def put(self, key: str, record: SessionRecord) -> None: ...

    def get(self, key: str) -> SessionRecord:
        """NotFound if absent (expired records may still be returned: the caller checks)."""

    def delete(self, key: str) -> None:
        """Idempotent."""

    def user_epoch(self, username: str) -> int:
        """The user's session epoch: 0 until the first ``bump_user_epoch``."""

    def bump_user_epoch(self, username: str) -> int:
        """Add one to the user's session epoch, atomically; returns the new value. Kept
        when the account is deleted, so a new account of the same name starts past it."""


class AccountTokenStore(Protocol):
    """Single-use tokens of mailed links (``domain.tokens``), keyed by the token's hash."""

    def put(self, token: AccountToken) -> None:
        """Store ``token`` (unused)."""

    def use(self, key: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        """In one atomic step: when ``key`` is an unused token for ``purpose`` that has not
        expired at ``now``, mark it used and return it; otherwise change nothing and return
        None. Of concurrent calls for one key, at most one gets the token."""

    def find(self, key: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        """The token ``use`` would return now, left unused: a page tells a dead link before
        the person types anything. Only ``use`` decides: the token may be used meanwhile."""
