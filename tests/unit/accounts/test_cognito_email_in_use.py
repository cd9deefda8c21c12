"""One email, one account in Cognito mode too (on moto). A user pool whose users sign in by
user name does not keep emails unique, so the app does, as for local accounts and with the same
message: an administrator's new account, a sign-up and a profile change are refused an address
another account has, in any case. The address is claimed in the users table by one conditional
write (``services.adapters.aws.cognito.emails``), so two at the same moment cannot both take it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from services.bootstrap import Services, build_services
from services.domain.permissions import Actor, Role
from services.errors import ConflictError
from tests.contract.aws_backends import serialized_clients
from tests.contract.cognito_backend import MockedCognito, mocked_cognito
from tests.contract.test_email_in_use import _succeeded_at_once
from tests.unit.accounts.test_cognito_signup import ADMIN_PASSWORD, DRAFT

VIEWER = frozenset({Role.VIEWER})


@pytest.fixture
def pool() -> Iterator[MockedCognito]:
    with mocked_cognito(signup="open") as mocked:
        yield mocked


@pytest.fixture
def services(pool: MockedCognito) -> Iterator[Services]:
    # Each AWS request is atomic, but moto's in-process handlers are not thread-safe: two
    # threads' conditional puts could both pass (6 accounts at once made 2 in one run).
    with serialized_clients():
        yield build_services(pool.settings)


@pytest.fixture
def root(services: Services) -> Actor:
    return services.accounts.create_first_admin("root", "Root", "root@example.com",
                                                ADMIN_PASSWORD).as_actor()


def pool_emails(pool: MockedCognito) -> list[str]:
    users = pool.client.list_users(UserPoolId=pool.pool_id)["Users"]
    return sorted(a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email")


def test_an_administrator_cannot_give_a_new_account_an_email_in_use(
        pool: MockedCognito, services: Services, root: Actor) -> None:
    services.accounts.create_user(root, "kim", "Kim", "kim@example.com", ADMIN_PASSWORD, VIEWER)

    with pytest.raises(ConflictError) as taken:
        services.accounts.create_user(root, "lee", "Lee", "KIM@Example.com", ADMIN_PASSWORD,
                                      VIEWER)

    assert taken.value.key == "auth.err_email_taken"  # the local accounts' message
    assert pool_emails(pool) == ["kim@example.com", "root@example.com"]


def test_a_sign_up_with_an_email_in_use_in_another_case_makes_nothing(
        pool: MockedCognito, services: Services, root: Actor) -> None:
    services.accounts.create_user(root, "kim", "Kim", "kim@example.com", ADMIN_PASSWORD, VIEWER)
    assert services.signup is not None

    services.signup.sign_up(replace(DRAFT, email="Kim@Example.COM"), "visit-1")  # quiet answer

    assert pool_emails(pool) == ["kim@example.com", "root@example.com"]


def test_a_profile_cannot_take_another_account_s_email(
        pool: MockedCognito, services: Services, root: Actor) -> None:
    services.accounts.create_user(root, "kim", "Kim", "kim@example.com", ADMIN_PASSWORD, VIEWER)
    lee = services.accounts.create_user(root, "lee", "Lee", "lee@example.com", ADMIN_PASSWORD,
                                        VIEWER).as_actor()
    assert services.profile is not None

    with pytest.raises(ConflictError) as taken:
        services.profile.update_profile(lee, "lee", name="Lee", email="KIM@example.com",
                                        company="")

    assert taken.value.key == "auth.err_email_taken"
    assert pool_emails(pool) == ["kim@example.com", "lee@example.com", "root@example.com"]
    assert not services.profile.profile(lee, "lee").pending_email
    services.profile.update_profile(lee, "lee", name="Lee", email="lee.new@example.com",
                                    company="")  # a free one is taken as before


def test_an_address_given_up_or_deleted_is_free_again(
        pool: MockedCognito, services: Services, root: Actor) -> None:
    services.accounts.create_user(root, "kim", "Kim", "kim@example.com", ADMIN_PASSWORD, VIEWER)

    services.accounts.delete_user(root, "kim")
    services.accounts.create_user(root, "lee", "Lee", "kim@example.com", ADMIN_PASSWORD, VIEWER)

    assert pool_emails(pool) == ["kim@example.com", "root@example.com"]


def test_accounts_made_at_the_same_moment_get_the_address_once(
        pool: MockedCognito, services: Services, root: Actor) -> None:
    made = _succeeded_at_once(6, lambda n: services.accounts.create_user(
        root, f"user{n}", f"User {n}", "same@example.com", ADMIN_PASSWORD, VIEWER))

    assert made == 1
    assert pool_emails(pool).count("same@example.com") == 1


def test_a_claim_whose_account_never_reached_the_pool_is_stale_after_the_grace(
        pool: MockedCognito) -> None:
    """The claim is written just before its account reaches the pool: a moment later the
    owner is not in the pool yet, and the claim holds; one left by a creation that failed (and
    whose release failed too) frees the address once the grace is over."""
    from services.adapters.aws.common import make_client
    from services.adapters.aws.dynamodb.email_claims import EmailClaims

    now = [1_000_000.0]
    claims = EmailClaims(make_client("dynamodb", pool.settings), str(pool.settings.users_table),
                         lambda username: (), grace=300, clock=lambda: now[0])
    assert claims.claim_now("same@example.com", "ghost") is True
    assert claims.claim_now("same@example.com", "ghost") is False  # theirs already
    assert claims.claim_now("same@example.com", "lee") is None

    with pytest.raises(ConflictError):
        claims.clear_stale("same@example.com")  # on its way to the pool
    now[0] += 301
    claims.clear_stale("same@example.com")

    assert claims.claim_now("same@example.com", "lee") is True
