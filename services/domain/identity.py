"""Sign-in with an identity provider (Cognito): tokens, challenges, verified identities, sessions.

Nothing here holds a password. Tokens are opaque strings until ``TokenVerifier`` has checked
them; only a ``VerifiedIdentity`` (built from verified claims) is ever trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.domain.permissions import Actor, Role


@dataclass(frozen=True)
class Tokens:
    """What a successful sign-in or refresh returns (a refresh returns no new refresh token)."""

    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


class ChallengeName(StrEnum):
    NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105 (a name, not a secret)


@dataclass(frozen=True)
class Challenge:
    """The provider wants more before it hands out tokens (e.g. a first-sign-in password)."""

    name: str
    session: str
    username: str


SignInStep = Tokens | Challenge


@dataclass(frozen=True)
class VerifiedIdentity:
    """Claims of an ID token whose signature, issuer, audience, use and expiry were checked."""

    username: str
    name: str
    email: str
    groups: frozenset[str]
    expires_at: datetime


def roles_from_groups(groups: frozenset[str], group_names: dict[Role, str]) -> frozenset[Role]:
    """Roles of the groups named in settings; other groups mean nothing (no group = viewer)."""
    return frozenset(role for role, group in group_names.items() if group in groups)


def actor_of(identity: VerifiedIdentity, group_names: dict[Role, str]) -> Actor:
    roles = roles_from_groups(identity.groups, group_names) or frozenset({Role.VIEWER})
    return Actor(user_id=identity.username, name=identity.name or identity.username,
                 roles=roles, email=identity.email)


@dataclass(frozen=True)
class SessionRecord:
    """A signed-in browser session kept on the server: the refresh token is encrypted."""

    username: str
    encrypted_refresh_token: str
    created_at: datetime
    expires_at: datetime
