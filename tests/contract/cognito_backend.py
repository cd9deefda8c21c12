"""A Cognito user pool on moto for the contract suites and the sign-in tests.

``mocked_cognito`` yields the pool (with one app client and a group per role) inside the same
``mocked_aws`` as the tables, and settings that point at it (``DEMO_FACTORY_AUTH=cognito``).

In-process moto intercepts botocore and ``requests``, not urllib, which PyJWT's ``PyJWKClient``
fetches the JWKS with; inside ``mocked_cognito`` that one fetch goes through ``requests`` to the
same URL, so moto serves the pool's real keys. The urllib fetch itself is tested against moto's
HTTP server (tests/contract/aws/test_jwt_verify.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import jwt
import requests

from services.accounts.sign_in.base import group_names
from services.adapters.aws.cognito.auth import CognitoIdentityProvider, CognitoPasswords
from services.adapters.aws.cognito.directory import CognitoUserDirectory
from services.adapters.aws.common import make_client
from services.settings import Settings
from tests.contract.aws_backends import MockedAws, aws_settings, mocked_aws

AUTH_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
COOKIE_KEY = "test-cookie-key-that-is-long-enough-0123456789"


@dataclass(frozen=True)
class MockedCognito:
    aws: MockedAws
    client: Any
    pool_id: str
    client_id: str
    client_secret: str | None
    settings: Settings

    def directory(self) -> CognitoUserDirectory:
        return CognitoUserDirectory(self.client, self.pool_id, group_names(self.settings))

    def identity(self) -> CognitoIdentityProvider:
        return CognitoIdentityProvider(self.client, self.pool_id, self.client_id,
                                       self.client_secret)

    def passwords(self) -> CognitoPasswords:
        return CognitoPasswords(self.client, self.pool_id, self.client_id, self.client_secret)


def create_pool(client: Any, settings: Settings, *, secret: bool = False) -> tuple[str, str,
                                                                                       str | None]:
    """A pool with a client and the four role groups; returns (pool id, client id, secret).
    Its password policy is the template's: length only (the app checks strength itself)."""
    pool = client.create_user_pool(PoolName="demo-factory", Policies={"PasswordPolicy": {
        "MinimumLength": 10, "RequireLowercase": False, "RequireUppercase": False,
        "RequireNumbers": False, "RequireSymbols": False,
    }})["UserPool"]["Id"]
    app: dict[str, Any] = client.create_user_pool_client(
        UserPoolId=pool, ClientName="demo-factory-app", ExplicitAuthFlows=AUTH_FLOWS,
        GenerateSecret=secret, ReadAttributes=["email", "name"],
    )["UserPoolClient"]
    for group in group_names(settings).values():
        client.create_group(UserPoolId=pool, GroupName=group)
    return pool, str(app["ClientId"]), app.get("ClientSecret")


def _fetch_with_requests(client: jwt.PyJWKClient) -> Any:
    response = requests.get(client.uri, timeout=5)
    response.raise_for_status()
    return response.json()


@contextmanager
def mocked_cognito(*, secret: bool = False, **overrides: Any) -> Iterator[MockedCognito]:
    with mocked_aws() as aws, mock.patch.object(
        jwt.PyJWKClient, "fetch_data", _fetch_with_requests
    ):
        client = make_client("cognito-idp", aws.settings)
        pool, client_id, client_secret = create_pool(client, aws.settings, secret=secret)
        settings = aws_settings(
            auth="cognito", cognito_user_pool_id=pool, cognito_app_client_id=client_id,
            cognito_app_client_secret=client_secret, cookie_key=COOKIE_KEY, **overrides,
        )
        try:
            yield MockedCognito(aws, client, pool, client_id, client_secret, settings)
        finally:
            close_background_writers()


def close_background_writers() -> None:
    """Stop the background writers (the usage tracker) of aws-mode services built during the
    test while moto still answers: afterwards their clients would reach for the real AWS
    endpoints."""
    for found in gc.get_objects():
        kind = type(found)
        if kind.__name__ == "Tracker" and kind.__module__ == "services.analytics.tracker":
            found.close(timeout=2)


@contextmanager
def cognito_user_directory(tmp_path: Path) -> Iterator[CognitoUserDirectory]:
    with mocked_cognito() as cognito:
        yield cognito.directory()
