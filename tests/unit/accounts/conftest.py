"""What the accounts tests in Cognito mode share: a user pool on moto with its app client and a
group per role (``tests.contract.cognito_backend.mocked_cognito``), the services built on it
and their Cognito sign-in.

A module sets the pool's app settings by overriding ``cognito_settings`` (a sign-up mode,
``{"signup": "open"}``; parametrised, its tests run once per value). A module whose tests all
run in Cognito mode overrides ``services`` with ``cognito_services``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.accounts.sign_in.cognito import CognitoSignIn
from services.bootstrap import Services, build_services
from tests.contract.cognito_backend import MockedCognito, mocked_cognito


@pytest.fixture
def accounts(services: Services) -> AccountService:
    """The account service on the (local) services' stores, with cheap password hashing."""
    users = services.ports.users
    return AccountService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                          services.ports.throttle, services.ports.audit)


@pytest.fixture
def cognito_settings() -> dict[str, Any]:
    """Settings of the app on the mocked pool beyond ``mocked_cognito``'s own."""
    return {}


@pytest.fixture
def cognito(cognito_settings: dict[str, Any]) -> Iterator[MockedCognito]:
    with mocked_cognito(**cognito_settings) as mocked:
        yield mocked


@pytest.fixture
def cognito_services(cognito: MockedCognito) -> Services:
    return build_services(cognito.settings)


@pytest.fixture
def cognito_sign_in(cognito_services: Services) -> CognitoSignIn:
    assert cognito_services.cognito is not None
    return cognito_services.cognito
