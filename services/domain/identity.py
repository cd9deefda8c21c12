"""Sign-in with an identity provider (Cognito, or any OIDC provider): tokens, challenges,
verified identities, sessions.

Nothing here holds a password. Tokens are opaque strings until ``TokenVerifier`` has checked
them; only a ``VerifiedIdentity`` (built from verified claims) is ever trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

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

# The user attributes a Cognito sign-in reads from the ID token (``cognito:username`` and
# ``cognito:groups`` are always in it). An app client puts only its ReadAttributes there:
# without ``name`` every user is shown by their user name.
POOL_TOKEN_ATTRIBUTES = ("name", "email")


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


def identity_from_claims(claims: Mapping[str, Any], groups_claim: str) -> VerifiedIdentity:
    """An OpenID Connect provider's ID token claims (verified by the sign-in library) as an
    identity. The user id is the email only when the provider says it is verified (anyone can
    type an email into some providers), else ``oidc:<sub>``; never a bare name that could
    equal a local user name."""
    sub = str(claims.get("sub") or "")
    if not sub:
        raise ValueError("an ID token always names its subject")
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") in (True, "true")
    groups = claims.get(groups_claim) or ()
    if isinstance(groups, str):  # some providers send one space- or comma-separated string
        groups = groups.replace(",", " ").split()
    expiry = claims.get("exp")
    return VerifiedIdentity(
        username=email if email and verified else f"oidc:{sub}",
        name=str(claims.get("name") or claims.get("preferred_username") or email or sub),
        email=email,
        groups=frozenset(str(g) for g in groups),
        expires_at=(datetime.fromtimestamp(float(expiry), UTC) if isinstance(expiry, int | float)
                    else datetime.max.replace(tzinfo=UTC)),
    )


def actor_of(identity: VerifiedIdentity, group_names: dict[Role, str]) -> Actor:
    roles = roles_from_groups(identity.groups, group_names) or frozenset({Role.VIEWER})
    return Actor(user_id=identity.username, name=identity.name or identity.username,
                 roles=roles, email=identity.email)


@dataclass(frozen=True)
class SessionRecord:
    """A signed-in browser session kept on the server. Cognito: the refresh token, encrypted.
    Local: no token (empty); ``epoch`` is the user's session epoch when it started, so that
    ending all of a user's sessions (a bump of the epoch) ends this one too."""

    username: str
    encrypted_refresh_token: str
    created_at: datetime
    expires_at: datetime
    epoch: int = 0
