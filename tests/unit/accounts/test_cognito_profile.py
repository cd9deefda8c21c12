"""The profile in Cognito mode, on moto: company and language are the app's record, the name
is the pool's, a new email waits unverified in the pool while the verified one is shown, and
deleting one's account removes the pool user and the record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.bootstrap import Services, build_services
from services.domain.permissions import Actor, Role
from services.errors import NotFound
from tests.contract.cognito_backend import MockedCognito, mocked_cognito

PASSWORD = "Temporary-pass-1"


@pytest.fixture
def pool() -> Iterator[MockedCognito]:
    with mocked_cognito() as mocked:
        yield mocked


@pytest.fixture
def services(pool: MockedCognito) -> Services:
    return build_services(pool.settings)


@pytest.fixture
def alice(services: Services) -> Actor:
    root = services.accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD)
    user = services.accounts.create_user(root.as_actor(), "alice", "앨리스", "alice@example.com",
                                         PASSWORD, frozenset({Role.VIEWER}))
    return user.as_actor()


def _attributes(pool: MockedCognito, username: str) -> dict[str, str]:
    raw = pool.client.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in raw["UserAttributes"]}


def test_an_administrator_made_user_edits_company_language_and_name(
        services: Services, pool: MockedCognito, alice: Actor) -> None:
    assert services.profile is not None
    profiles = services.profile

    profiles.update_profile(alice, "alice", name="Alice Kim", email="alice@example.com",
                            company="Acme")
    profiles.set_language(alice, "alice", "en")

    user = profiles.profile(alice, "alice")
    assert (user.name, user.email, user.company, user.language) == (
        "Alice Kim", "alice@example.com", "Acme", "en")
    assert _attributes(pool, "alice")["name"] == "Alice Kim"  # the pool keeps the name


def test_a_new_email_waits_unverified_in_the_pool_and_the_old_one_is_shown(
        services: Services, pool: MockedCognito, alice: Actor) -> None:
    assert services.profile is not None

    services.profile.update_profile(alice, "alice", name="앨리스", email="new@example.com",
                                    company="")

    attributes = _attributes(pool, "alice")
    assert (attributes["email"], attributes["email_verified"]) == ("new@example.com", "false")
    user = services.profile.profile(alice, "alice")
    assert (user.email, user.pending_email) == ("alice@example.com", "new@example.com")


def test_a_role_request_is_kept_in_the_record(services: Services, alice: Actor) -> None:
    assert services.profile is not None

    services.profile.request_author(alice, "alice", "I build demos")

    assert services.profile.profile(alice, "alice").pending_role == Role.AUTHOR


def test_delete_my_account_removes_the_pool_user_and_the_record(
        services: Services, pool: MockedCognito, alice: Actor) -> None:
    assert services.profile is not None and services.ports.signup is not None
    services.profile.update_profile(alice, "alice", name="앨리스", email="alice@example.com",
                                    company="Acme")

    services.profile.delete_account(alice, "alice", confirm="alice")

    with pytest.raises(NotFound):
        services.accounts.get("alice")
    records: Any = services.ports.throttle  # the users table beside the pool
    with pytest.raises(NotFound):
        records.get("alice")
