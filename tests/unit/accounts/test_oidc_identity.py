"""ID token claims from an OpenID Connect provider (st.login) as this app's actor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.accounts.sign_in.base import group_names
from services.domain.identity import actor_of, identity_from_claims
from services.domain.permissions import Actor, Role
from services.settings import Settings

GROUPS = group_names(Settings(sample_content=False))


def _actor(**claims: object) -> Actor:
    return actor_of(identity_from_claims({"sub": "s-1", **claims}, "cognito:groups"), GROUPS)


def test_a_verified_email_is_the_user_id_and_groups_are_roles() -> None:
    actor = _actor(email="Alice@Example.com", email_verified=True, name="앨리스",
                   **{"cognito:groups": ["analyst", "author", "unrelated"]})
    assert (actor.user_id, actor.name, actor.email) == ("alice@example.com", "앨리스",
                                                        "alice@example.com")
    assert actor.roles == frozenset({Role.ANALYST, Role.AUTHOR})


def test_an_unverified_email_never_becomes_the_user_id() -> None:
    """Otherwise whoever types someone's email into a lax provider would act as them."""
    assert _actor(email="root@example.com").user_id == "oidc:s-1"
    assert _actor(email="root@example.com", email_verified=False).user_id == "oidc:s-1"
    assert _actor(email="root@example.com", email_verified="true").user_id == "root@example.com"


def test_no_group_is_a_viewer_and_a_string_claim_is_split() -> None:
    assert _actor().roles == frozenset({Role.VIEWER})
    assert _actor(**{"cognito:groups": "admin, author"}).roles == frozenset(
        {Role.ADMIN, Role.AUTHOR})


def test_other_claim_names_and_expiry() -> None:
    identity = identity_from_claims({"sub": "s-2", "groups": ["admin"], "exp": 1_900_000_000,
                                     "preferred_username": "bob"}, "groups")
    assert identity.groups == frozenset({"admin"}) and identity.name == "bob"
    assert identity.expires_at == datetime.fromtimestamp(1_900_000_000, UTC)


def test_claims_without_a_subject_are_refused() -> None:
    with pytest.raises(ValueError):
        identity_from_claims({"email": "x@example.com"}, "cognito:groups")
