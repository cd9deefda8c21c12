"""Cognito mode, on moto (cognito-idp + DynamoDB): the pool is the source of truth for a user's
name, email and roles. The app's record beside it (users table: company, purpose, requests) is
brought up to date at sign-in and on every profile change made in the app, and the
administrator's list of waiting requests shows the pool's values, not a stale copy."""

from __future__ import annotations

from typing import Any

import pytest

from services.adapters.aws.dynamodb.users import DynamoUserDirectory
from services.bootstrap import Services
from services.domain.analytics import Purpose
from services.domain.permissions import Actor, Role
from services.domain.signup import SignupDraft
from services.domain.users import User
from tests.contract.cognito_backend import MockedCognito
from tests.doubles.concurrency import meanwhile_after_read

PASSWORD = "violet-harbor-tunnel-42"
ADMIN_PASSWORD = "Temporary-pass-1"
DRAFT = SignupDraft("이지원", "jiwon@example.com", "Jiwon", "Acme", Purpose.CUSTOMER_DEMO,
                    Role.AUTHOR, PASSWORD, PASSWORD, True)


@pytest.fixture
def cognito_settings() -> dict[str, Any]:
    return {"signup": "open"}  # a viewer at once, the author request waits


@pytest.fixture
def services(cognito_services: Services) -> Services:
    return cognito_services


@pytest.fixture
def root(services: Services) -> Actor:
    return services.accounts.create_first_admin("root", "Root", "root@example.com",
                                                ADMIN_PASSWORD).as_actor()


@pytest.fixture
def jiwon(services: Services, root: Actor) -> None:
    assert services.signup is not None
    services.signup.sign_up(DRAFT, "visit-1")
    services.signup.confirm("jiwon", "123456")


def record(cognito: MockedCognito) -> User:
    """The app's own record in the users table, as stored."""
    return DynamoUserDirectory(cognito.aws.dynamodb, str(cognito.settings.users_table)).get("jiwon")


def change_in_pool(cognito: MockedCognito, name: str, email: str, group: str) -> None:
    """What an administrator does in the pool itself (console, CLI), outside the app."""
    cognito.client.admin_update_user_attributes(
        UserPoolId=cognito.pool_id, Username="jiwon",
        UserAttributes=[{"Name": "name", "Value": name}, {"Name": "email", "Value": email},
                        {"Name": "email_verified", "Value": "true"}])
    cognito.client.admin_add_user_to_group(UserPoolId=cognito.pool_id, Username="jiwon",
                                           GroupName=group)


def test_the_waiting_list_shows_the_pools_name_email_and_roles(
    services: Services, cognito: MockedCognito, root: Actor, jiwon: None,
) -> None:
    assert services.signup is not None
    change_in_pool(cognito, "Jiwon Lee", "jiwon.lee@example.com", "analyst")

    [waiting] = services.signup.pending(root)

    assert (waiting.name, waiting.email) == ("Jiwon Lee", "jiwon.lee@example.com")
    assert waiting.roles == frozenset({Role.VIEWER, Role.ANALYST})
    assert (waiting.company, waiting.pending_role) == ("Acme", Role.AUTHOR)  # the app's own


def test_sign_in_refreshes_the_record_from_the_pool(
    services: Services, cognito: MockedCognito, jiwon: None,
) -> None:
    assert services.cognito is not None
    change_in_pool(cognito, "Jiwon Lee", "jiwon.lee@example.com", "analyst")

    services.cognito.sign_in("jiwon", PASSWORD)

    stored = record(cognito)
    assert stored.name == "Jiwon Lee"
    assert stored.roles == frozenset({Role.VIEWER, Role.ANALYST})
    assert (stored.company, stored.pending_role) == ("Acme", Role.AUTHOR)  # kept


def test_a_profile_change_in_the_app_reaches_pool_record_and_list(
    services: Services, cognito: MockedCognito, root: Actor, jiwon: None,
) -> None:
    assert services.profile is not None and services.signup is not None
    me = services.accounts.get("jiwon").as_actor()

    services.profile.update_profile(me, "jiwon", name="이지원 (Acme)",
                                    email="jiwon@example.com", company="Acme Korea")

    assert record(cognito).name == "이지원 (Acme)"
    [waiting] = services.signup.pending(root)
    assert (waiting.name, waiting.company) == ("이지원 (Acme)", "Acme Korea")


def test_an_administrators_role_change_shows_at_once_and_reaches_the_record_at_sign_in(
    services: Services, cognito: MockedCognito, root: Actor, jiwon: None,
) -> None:
    assert services.signup is not None and services.cognito is not None
    services.accounts.set_roles(root, "jiwon", frozenset({Role.VIEWER, Role.ANALYST}))

    [waiting] = services.signup.pending(root)
    assert waiting.roles == frozenset({Role.VIEWER, Role.ANALYST})
    services.cognito.sign_in("jiwon", PASSWORD)
    assert record(cognito).roles == frozenset({Role.VIEWER, Role.ANALYST})


def test_a_sign_in_with_nothing_changed_writes_nothing(
    services: Services, cognito: MockedCognito, jiwon: None,
) -> None:
    assert services.cognito is not None
    before = record(cognito)

    services.cognito.sign_in("jiwon", PASSWORD)

    assert record(cognito) == before


def test_a_sign_in_refresh_keeps_a_profile_save_that_landed_while_it_ran(
    cognito: MockedCognito, services: Services, jiwon: None,
) -> None:
    """The refresh read the record, then a profile save changed the company; the refresh
    writes only the pool's name, so the new company stays."""
    change_in_pool(cognito, "Jiwon Lee", "jiwon@example.com", "viewer")
    table = DynamoUserDirectory(cognito.aws.dynamodb, str(cognito.settings.users_table))
    records = services.ports.signup
    assert records is not None
    inner = records._records  # type: ignore[attr-defined]  # the users table beside the pool

    def profile_saved() -> None:
        table.update_profile("jiwon", name="이지원", email="jiwon@example.com", company="Initech")

    with meanwhile_after_read(inner, "get", profile_saved):
        services.cognito.sign_in("jiwon", PASSWORD)

    stored = record(cognito)
    assert (stored.name, stored.company) == ("Jiwon Lee", "Initech")
