"""scripts/emulate.py without the browser: what it creates on moto, and what it prints."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Literal

import boto3
import pytest
import requests
from cfnlint.decode import cfn_yaml
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT

from scripts import emulate
from scripts.emulated_cognito import cognito_as_on_aws
from services.accounts.sign_in.base import SignedIn
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.schema import TABLE_SPECS
from services.analytics.dashboards import Period
from services.analytics.tables import Filters
from services.bootstrap import Services, build_services, report_models
from services.domain.analytics import EventType
from services.domain.identity import Challenge
from services.domain.models import utcnow
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied, ValidationError
from services.reports.models import OFFLINE
from services.resource_names import DEFAULT_RESOURCE_PREFIX, bucket_name, table_name
from services.settings import Settings, load_settings
from tests.infra.test_cloudformation import TEMPLATE, Template, props, resolve


@pytest.fixture
def restored_environ() -> Iterator[None]:
    """prepare() points this process at the emulator through os.environ, as the app needs."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_environment_names_the_prefix_and_a_fresh_cookie_key(tmp_path: Path) -> None:
    first = emulate.emulation_env("http://127.0.0.1:1", tmp_path)
    second = emulate.emulation_env("http://127.0.0.1:1", tmp_path)

    # The names follow from the prefix, as in a deployed stack: no table is named one by one.
    assert first["DEMO_FACTORY_RESOURCE_PREFIX"] == DEFAULT_RESOURCE_PREFIX
    assert not [name for name in first if name.endswith("_TABLE")]
    assert first["DEMO_FACTORY_EMULATION"] == "true" and first["DEMO_FACTORY_BACKEND"] == "aws"
    assert len(first["DEMO_FACTORY_COOKIE_KEY"]) >= 32
    assert first["DEMO_FACTORY_COOKIE_KEY"] != second["DEMO_FACTORY_COOKIE_KEY"]
    assert first["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == emulate.UNREACHABLE


@pytest.mark.usefixtures("restored_environ")
@pytest.mark.parametrize("auth", ["cognito", "local"])
def test_the_printed_users_sign_in_on_the_emulated_backend(
    auth: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.environ["AWS_PROFILE"] = "someone-elses-real-account"
    os.environ["DEMO_FACTORY_CONTENT_TABLE"] = "someone-elses-table"
    os.environ["DEMO_FACTORY_BUCKET"] = "someone-elses-bucket"
    with emulate.moto_server() as endpoint:
        # moto's state is per process, shared by every server: start from nothing.
        requests.post(f"{endpoint}/moto-api/reset", timeout=5).raise_for_status()
        env, users = emulate.prepare(endpoint, tmp_path, auth, "http://localhost:8501",
                                     samples=False)
        settings = load_settings()
        services = build_services(settings)
        tables = make_client("dynamodb", settings).list_tables()["TableNames"]
        buckets = [b["Name"] for b in make_client("s3", settings).list_buckets()["Buckets"]]
        emulate.announce(endpoint, auth, users, "http://localhost:8501")
        printed = capsys.readouterr().out

        assert "AWS_PROFILE" not in os.environ
        app_env = {**os.environ, **env}  # what the app is started with
        assert "DEMO_FACTORY_CONTENT_TABLE" not in app_env and "DEMO_FACTORY_BUCKET" not in app_env
        assert settings.backend == "aws" and settings.emulation and settings.auth == auth
        assert sorted(tables) == sorted(table_name(DEFAULT_RESOURCE_PREFIX, s.setting)
                                        for s in TABLE_SPECS.values())
        bucket = bucket_name(DEFAULT_RESOURCE_PREFIX, ACCOUNT, emulate.REGION)
        assert buckets == [bucket] and services.settings.bucket == bucket
        assert {(u.username, u.role) for u in users} == {
            ("admin", Role.ADMIN), ("author", Role.AUTHOR), ("analyst", Role.ANALYST)}
        for user in users:
            assert services.accounts.authenticate(user.username, user.password).roles == {
                user.role}
            assert printed.count(user.password) == 1
        with pytest.raises(PermissionDenied):
            services.accounts.authenticate("admin", "not-the-printed-password")
        assert not services.accounts.needs_first_admin()
        # Bedrock is not emulated: reports get the offline narrator only.
        assert list(report_models(settings)) == [OFFLINE]
    assert len({user.password for user in users}) == len(users)
    assert "data is not kept" in printed and f"sign-in       {auth}" in printed


# ---- the emulated pool: as the stack makes it, and as AWS answers ----------------------------


@pytest.fixture
def stack() -> Template:
    loaded: Template = cfn_yaml.load(str(TEMPLATE))
    return loaded


@pytest.mark.parametrize("signup", ["off", "approval", "open"])
def test_the_emulated_app_client_is_the_stacks(
    stack: Template, signup: Literal["off", "approval", "open"], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same flows, same readable attributes (the ID token's name) and the same writable ones:
    the emulation can catch what the deployed client would do."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    settings = Settings(data_dir=tmp_path, signup=signup)
    expected = resolve(props(stack, "UserPoolClient"), {"SignUpOff": signup == "off"})
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=emulate.REGION)
        pool, app = emulate.create_user_pool(client, settings)
        made = client.describe_user_pool_client(UserPoolId=pool, ClientId=app)["UserPoolClient"]

    assert made["ClientName"] == f"{DEFAULT_RESOURCE_PREFIX}-app"
    assert ("ClientSecret" in made) is expected.pop("GenerateSecret")
    compared = {key: value for key, value in expected.items()
                if key not in ("UserPoolId", "ClientName")}
    assert {key: made.get(key) for key in compared} == compared


def signed_in_name(services: Services, username: str, password: str) -> str:
    cognito = services.cognito
    assert cognito is not None
    step = cognito.sign_in(username, password)
    assert isinstance(step, SignedIn)
    return step.actor.name


@pytest.mark.usefixtures("restored_environ")
def test_a_reset_refuses_the_old_password_and_only_the_printed_code_sets_a_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As on AWS: the reset deactivates the password (PasswordResetRequiredException) and the
    pool sends a code, which the emulation prints instead of mailing; a made-up code fails."""
    with emulate.moto_server() as endpoint:
        requests.post(f"{endpoint}/moto-api/reset", timeout=5).raise_for_status()
        _, users = emulate.prepare(endpoint, tmp_path, "cognito", "http://localhost:8501",
                                   samples=False)
        services = build_services(load_settings())
        cognito = services.cognito
        assert cognito is not None
        admin, author = users[0], users[1]
        # The ID token carries the name: greeted as 관리자, not as "admin".
        assert signed_in_name(services, admin.username, admin.password) == admin.name
        challenge = cognito.sign_in(author.username, author.password)
        assert isinstance(challenge, Challenge)
        chosen = "a-password-of-my-own"
        cognito.complete_new_password(challenge, chosen)
        capsys.readouterr()

        actor = services.accounts.authenticate(admin.username, admin.password).as_actor()
        services.accounts.reset_password(actor, author.username)
        with pytest.raises(PermissionDenied) as refused:
            cognito.sign_in(author.username, chosen)
        printed = capsys.readouterr().out
        code = re.findall(r"code (\d{6})", printed)
        with pytest.raises(ValidationError) as wrong:
            cognito.confirm_forgot_password(author.username, "000000" if code != ["000000"]
                                            else "111111", "another-password-1")
        cognito.forgot_password(author.username)  # a new code: the last one counts
        again = re.findall(r"code (\d{6})", capsys.readouterr().out)
        assert len(code) == 1 and len(again) == 1 and author.username in printed
        cognito.confirm_forgot_password(author.username, again[0], "another-password-1")
        name = signed_in_name(services, author.username, "another-password-1")

    assert refused.value.key == "cognito.err_reset_required"
    assert wrong.value.key == "cognito.err_code"
    assert name == author.name


def test_a_revoked_refresh_token_is_refused_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto lacks RevokeToken (its server logs a traceback at every sign-out); the emulation
    answers it as AWS does: that refresh token no longer refreshes."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws(), cognito_as_on_aws():
        client = boto3.client("cognito-idp", region_name=emulate.REGION)
        pool, app = emulate.create_user_pool(client, Settings(data_dir=tmp_path))
        client.admin_create_user(UserPoolId=pool, Username="someone")
        client.admin_set_user_password(UserPoolId=pool, Username="someone",
                                       Password="long-enough-1", Permanent=True)
        tokens = client.initiate_auth(
            ClientId=app, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "someone", "PASSWORD": "long-enough-1"},
        )["AuthenticationResult"]
        client.revoke_token(Token=tokens["RefreshToken"], ClientId=app)
        with pytest.raises(client.exceptions.NotAuthorizedException):
            client.initiate_auth(ClientId=app, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})


@pytest.mark.usefixtures("restored_environ")
def test_events_asked_for_fill_the_emulated_dashboard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--events N``: the emulation starts with N sample usage events, which its dashboard
    counts (run beside it, ``seed_demo`` filled local mode's store instead)."""
    with emulate.moto_server() as endpoint:
        requests.post(f"{endpoint}/moto-api/reset", timeout=5).raise_for_status()
        emulate.prepare(endpoint, tmp_path, "local", "http://localhost:8501", events=150,
                        days=7)
        services = build_services(load_settings())
        today = services.analytics.today()
        board = services.analytics.dashboard(
            Actor("admin", roles=frozenset({Role.ADMIN})),
            Period(today - timedelta(days=6), today), Filters())
        stored = list(services.ports.events.raw_events(utcnow() - timedelta(days=8), utcnow()))
    assert "usage events: 150 added (7 days" in capsys.readouterr().out
    assert len(stored) == 150
    views = sum(1 for event in stored if event.type is EventType.CONTENT_VIEW)
    assert views and next(k.value for k in board.kpis if k.key == "content_views") == views
