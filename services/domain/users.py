"""Accounts as the application sees them (no password material here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.domain.permissions import Actor, Role


class AccountStatus(StrEnum):
    """Where a self-service sign-up stands. Every account an administrator or a script creates
    is ACTIVE; ``disabled`` (an administrator's switch) stays a separate flag on top of it."""

    ACTIVE = "active"
    PENDING = "pending"  # waits for an administrator: cannot sign in yet
    DECLINED = "declined"  # an administrator declined the sign-up: cannot sign in


@dataclass(frozen=True)
class PasswordReset:
    """What an administrator's password reset did, for the page to say it. Neither field: the
    provider mailed the user a reset code (Cognito)."""

    one_time_password: str | None = None  # local: shown to the administrator once
    # Cognito, for a user who never signed in (the pool resets no temporary password): the
    # invitation, with a new temporary password, went again.
    invitation_resent: bool = False


# The author of content whose author deleted their account: the content stays, the person's id
# and name do not (pages show the translated "former author").
FORMER_AUTHOR = "former-author"

# The audit log's actors that are no person: the app itself, a visitor not signed in, the
# command line; a script acts as SCRIPT_ACTOR_PREFIX + its name (":" is in no user name).
SYSTEM_ACTOR, ANONYMOUS_ACTOR, CLI_ACTOR = "system", "anonymous", "cli"
SCRIPT_ACTOR_PREFIX = "script:"
# Names the app writes for no person: the owner above and the actors above. An account holding
# one would own that content and that history.
RESERVED_USERNAMES = frozenset({FORMER_AUTHOR, SYSTEM_ACTOR, ANONYMOUS_ACTOR, CLI_ACTOR})

# The roles a visitor may ask for at sign-up; the others are given by an administrator only.
REQUESTABLE_ROLES = (Role.VIEWER, Role.AUTHOR)


@dataclass(frozen=True)
class User:
    username: str
    name: str
    email: str
    roles: frozenset[Role]
    created_at: datetime
    disabled: bool = False
    # Whether ``email`` is known to be the user's: one an administrator set is (they made the
    # account for a person they know); one the person typed (a sign-up, a profile change) only
    # once the link mailed to it was opened; a Cognito user's only when the pool says so. The
    # legacy import and auto-approved sign-up domains trust nothing else.
    email_verified: bool = True
    status: AccountStatus = AccountStatus.ACTIVE
    # What a self-service sign-up collected (empty for accounts an administrator created).
    company: str = ""
    purpose: str = ""  # a ``domain.analytics.Purpose`` code
    requested_role: Role | None = None  # the role asked for at sign-up, kept as asked
    signed_up_at: datetime | None = None  # None: not a self-service account
    # A role request waiting for an administrator (None: none waits). A PENDING account always
    # has one; an active viewer may have one for the author role.
    pending_role: Role | None = None
    # The language of the sign-up page ("ko", "en"; empty: not a self-service account): what
    # mails about the account are written in.
    signup_language: str = ""
    # The profile page: the language chosen there ("" none: the browser's choice stands) and
    # the last role request's reason and time (kept after the decision, to show its outcome).
    language: str = ""
    request_reason: str = ""
    requested_at: datetime | None = None
    # Cognito mode: a new email the user set that the pool has not seen verified yet ("" none);
    # ``email`` stays the verified one until then.
    pending_email: str = ""

    @property
    def may_sign_in(self) -> bool:
        return self.status == AccountStatus.ACTIVE and not self.disabled

    def as_actor(self) -> Actor:
        return Actor(user_id=self.username, name=self.name, roles=self.roles, email=self.email)
