"""The config doctor checks the Cognito pool, its app client's flows and the role groups."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from services.adapters.aws.cognito import doctor_checks
from services.adapters.aws.cognito.doctor_checks import COGNITO_CHECKS, REQUIRED_FLOWS
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.email_claims import claim_key
from services.domain.checks import DoctorLine
from services.i18n import translate
from services.ops.doctor.base import DoctorContext, DoctorReport, run_doctor
from services.settings import AWS_REQUIRED, Settings, load_settings

REGION = "us-east-1"
GROUPS = ("viewer", "author", "analyst", "admin")


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    names = {field: f"df-{field.removesuffix('_table')}" for field in AWS_REQUIRED}
    return load_settings(
        backend="aws",
        aws_region=REGION,
        data_dir=tmp_path,
        cookie_key=secrets.token_urlsafe(48),
        **names,
        **extra,
    )


@pytest.fixture
def cognito(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Any, str, str]]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", REGION),
    ):
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = make_client("cognito-idp", settings_for(tmp_path))
        pool = client.create_user_pool(PoolName="df")["UserPool"]["Id"]
        app = client.create_user_pool_client(
            UserPoolId=pool,
            ClientName="app",
            ExplicitAuthFlows=list(REQUIRED_FLOWS),
        )["UserPoolClient"]["ClientId"]
        for group in GROUPS:
            client.create_group(UserPoolId=pool, GroupName=group)
        yield client, pool, app


def doctor(tmp_path: Path, pool: str, app: str, secret: str | None = None) -> DoctorReport:
    settings = settings_for(
        tmp_path, auth="cognito", cognito_user_pool_id=pool, cognito_app_client_id=app,
        cognito_app_client_secret=secret,
    )
    return run_doctor(DoctorContext(settings, env={}, include_bedrock=False), COGNITO_CHECKS)


def said(report: DoctorReport, check: str) -> tuple[DoctorLine, str]:
    """The line and its detail and fix as an operator reads them (English)."""
    line = next(entry for entry in report.lines if entry.check == check)
    assert line.fix is not None
    text = " ".join(translate("en", m.key, **m.params) for m in (line.detail, line.fix))
    return line, text


def outcome(report: DoctorReport) -> dict[str, tuple[bool, str]]:
    return {line.check: (line.ok, line.detail.key.split(".")[-1]) for line in report.lines}


def test_a_complete_pool_passes(cognito: tuple[Any, str, str], tmp_path: Path) -> None:
    _, pool, app = cognito
    assert outcome(doctor(tmp_path, pool, app)) == {
        "cognito.pool": (True, "doc_cognito_pool_ok"),
        "cognito.client": (True, "doc_cognito_client_ok"),
        "cognito.client.attributes": (True, "doc_cognito_attributes_ok"),
        "cognito.client.secret": (True, "doc_cognito_secret_none"),
        "cognito.client.lifetime": (True, "doc_cognito_lifetime_ok"),  # AWS's 30 days
        "cognito.groups": (True, "doc_cognito_groups_ok"),
        "cognito.signup": (True, "doc_cognito_signup_ok"),
        "cognito.email_claims": (True, "doc_cognito_claims_ok"),  # no account to claim for
    }


@pytest.mark.parametrize(("mode", "admin_only", "detail"), [
    ("approval", True, "doc_cognito_signup_refused"),
    ("open", True, "doc_cognito_signup_refused"),
    ("off", False, "doc_cognito_signup_unwanted"),
    ("off", True, "doc_cognito_signup_ok"),
])
def test_the_pool_must_allow_sign_up_exactly_when_the_setting_does(
    cognito: tuple[Any, str, str], tmp_path: Path, mode: str, admin_only: bool, detail: str,
) -> None:
    client, pool, app = cognito
    client.update_user_pool(UserPoolId=pool,
                            AdminCreateUserConfig={"AllowAdminCreateUserOnly": admin_only})
    settings = settings_for(tmp_path, auth="cognito", cognito_user_pool_id=pool,
                            cognito_app_client_id=app, signup=mode)

    report = run_doctor(DoctorContext(settings, env={}, include_bedrock=False), COGNITO_CHECKS)

    line = next(entry for entry in report.lines if entry.check == "cognito.signup")
    assert (line.ok, line.detail.key.split(".")[-1]) == (detail.endswith("_ok"), detail)
    assert line.ok or (line.fix is not None and line.fix.key == "admin_tools.fix_cognito_signup")


def test_a_missing_group_is_named_with_its_fix(
    cognito: tuple[Any, str, str], tmp_path: Path
) -> None:
    client, pool, app = cognito
    client.delete_group(UserPoolId=pool, GroupName="analyst")
    report = doctor(tmp_path, pool, app)
    line = next(entry for entry in report.lines if entry.check == "cognito.groups")
    assert not line.ok and not report.ok
    assert line.detail.params["groups"] == "analyst"
    assert line.fix is not None and line.fix.key == "admin_tools.fix_cognito_groups"


def test_a_client_without_refresh_is_reported(
    cognito: tuple[Any, str, str], tmp_path: Path
) -> None:
    client, pool, _ = cognito
    narrow = client.create_user_pool_client(
        UserPoolId=pool,
        ClientName="narrow",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    report = doctor(tmp_path, pool, narrow)
    assert outcome(report)["cognito.client"] == (False, "doc_cognito_flows_missing")
    line = next(entry for entry in report.lines if entry.check == "cognito.client")
    assert "ALLOW_REFRESH_TOKEN_AUTH" in line.detail.params["flows"]


@pytest.mark.parametrize(("readable", "ok"), [
    (["email", "email_verified", "name", "locale", "zoneinfo"], True),  # the stack's
    ([], True),  # none listed: on AWS the client reads every standard attribute
    (["email", "email_verified", "locale"], False),  # tokens without a name: "author님"
    (["name"], False),
])
def test_a_client_whose_id_tokens_lack_the_name_or_email_is_reported(
    cognito: tuple[Any, str, str], tmp_path: Path, readable: list[str], ok: bool
) -> None:
    client, pool, _ = cognito
    app = client.create_user_pool_client(
        UserPoolId=pool, ClientName="reader", ExplicitAuthFlows=list(REQUIRED_FLOWS),
        **({"ReadAttributes": readable} if readable else {}),
    )["UserPoolClient"]["ClientId"]

    report = doctor(tmp_path, pool, app)

    line = next(entry for entry in report.lines if entry.check == "cognito.client.attributes")
    assert line.ok is ok
    assert outcome(report)["cognito.client"] == (True, "doc_cognito_client_ok")  # flows
    if not ok:
        _, text = said(report, "cognito.client.attributes")
        missing = {"name", "email"} - set(readable)
        assert all(attribute in text for attribute in missing)
        assert "ReadAttributes" in text and "name" in text


@pytest.mark.parametrize(("validity", "unit", "ok"), [
    (7, "days", True),  # the stack's, and the default session
    (30, "days", True),
    (1, "days", False),
    (12, "hours", False),
    (200, "hours", True),
])
def test_a_refresh_token_that_runs_out_before_the_sign_in_is_reported(
    cognito: tuple[Any, str, str], tmp_path: Path, validity: int, unit: str, ok: bool
) -> None:
    """Sign-ins last DEMO_FACTORY_SESSION_DAYS (7) only if the pool's refresh tokens do: one
    refused earlier ends the sign-in early."""
    client, pool, _ = cognito
    app = client.create_user_pool_client(
        UserPoolId=pool, ClientName="short", ExplicitAuthFlows=list(REQUIRED_FLOWS),
        RefreshTokenValidity=validity, TokenValidityUnits={"RefreshToken": unit},
    )["UserPoolClient"]["ClientId"]

    report = doctor(tmp_path, pool, app)

    line = next(entry for entry in report.lines if entry.check == "cognito.client.lifetime")
    assert line.ok is ok
    if not ok:
        _, text = said(report, "cognito.client.lifetime")
        pool_days = f"{validity / 24:g}" if unit == "hours" else str(validity)
        assert f"after {pool_days} days" in text and "DEMO_FACTORY_SESSION_DAYS" in text
        assert "RefreshTokenValidity" in text


def test_a_wrong_pool_id_names_its_setting_and_the_region_not_bootstrap(
    cognito: tuple[Any, str, str], tmp_path: Path
) -> None:
    _, _, app = cognito
    report = doctor(tmp_path, f"{REGION}_doesnotexist", app)

    line, text = said(report, "cognito.pool")

    assert not line.ok and line.detail.key == "admin_tools.doc_cognito_pool_missing"
    assert "DEMO_FACTORY_COGNITO_USER_POOL_ID" in text and REGION in text
    assert "bootstrap_aws creates no Cognito resources" in text  # not "run bootstrap_aws"


def test_a_wrong_app_client_id_names_its_setting(
    cognito: tuple[Any, str, str], tmp_path: Path
) -> None:
    _, pool, _ = cognito

    line, text = said(doctor(tmp_path, pool, "doesnotexist"), "cognito.client")

    assert not line.ok and line.detail.key == "admin_tools.doc_cognito_client_missing"
    assert "DEMO_FACTORY_COGNITO_APP_CLIENT_ID" in text and pool in text
    assert "bootstrap_aws creates no Cognito resources" in text


# ---- the app client's secret: Cognito refuses sign-in without the SECRET_HASH it implies ----


def client_with_secret(client: Any, pool: str) -> tuple[str, str]:
    made = client.create_user_pool_client(
        UserPoolId=pool, ClientName="secret", GenerateSecret=True,
        ExplicitAuthFlows=list(REQUIRED_FLOWS))["UserPoolClient"]
    return str(made["ClientId"]), str(made["ClientSecret"])


def test_a_client_with_a_secret_needs_the_secret_setting(
    cognito: tuple[Any, str, str], tmp_path: Path
) -> None:
    client, pool, _ = cognito
    app, secret = client_with_secret(client, pool)

    line, text = said(doctor(tmp_path, pool, app), "cognito.client.secret")

    assert not line.ok and line.detail.key == "admin_tools.doc_cognito_secret_unset"
    assert "DEMO_FACTORY_COGNITO_APP_CLIENT_SECRET" in text
    assert outcome(doctor(tmp_path, pool, app, secret))["cognito.client.secret"] == (
        True, "doc_cognito_secret_ok")


def test_a_secret_set_for_a_client_without_one_is_reported(
    cognito: tuple[Any, str, str], tmp_path: Path
) -> None:
    _, pool, app = cognito

    line, text = said(doctor(tmp_path, pool, app, "not-needed"), "cognito.client.secret")

    assert not line.ok and line.detail.key == "admin_tools.doc_cognito_secret_unexpected"
    assert "DEMO_FACTORY_COGNITO_APP_CLIENT_SECRET" in text


def test_a_wrong_secret_is_reported_without_showing_either(
    cognito: tuple[Any, str, str], tmp_path: Path
) -> None:
    client, pool, _ = cognito
    app, secret = client_with_secret(client, pool)

    line, text = said(doctor(tmp_path, pool, app, "wrong-secret"), "cognito.client.secret")

    assert not line.ok and line.detail.key == "admin_tools.doc_cognito_secret_wrong"
    assert secret not in text and "wrong-secret" not in text


def test_local_accounts_skip_the_check(tmp_path: Path) -> None:
    report = run_doctor(
        DoctorContext(settings_for(tmp_path), env={}, include_bedrock=False), COGNITO_CHECKS
    )
    assert outcome(report) == {"cognito": (True, "doc_cognito_not_used")}


def pool_with_claims(client: Any, tmp_path: Path, pool: str, accounts: int,
                     unclaimed: str) -> None:
    """``accounts`` pool accounts (user0000...), each holding the claim of its email in the
    users table but ``unclaimed``."""
    dynamodb = make_client("dynamodb", settings_for(tmp_path))
    dynamodb.create_table(
        TableName="df-users", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "username", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "username", "AttributeType": "S"}])
    for i in range(accounts):
        name = f"user{i:04d}"
        email = f"{name}@example.com"
        client.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS",
                                 UserAttributes=[{"Name": "email", "Value": email}])
        if name != unclaimed:
            dynamodb.put_item(TableName="df-users",
                              Item={**claim_key(email), "owner": {"S": name}})


def test_the_email_claims_check_reads_past_the_pools_first_page(
        cognito: tuple[Any, str, str], tmp_path: Path) -> None:
    client, pool, app = cognito
    pool_with_claims(client, tmp_path, pool, 130, unclaimed="user0129")  # on the third page

    line, text = said(doctor(tmp_path, pool, app), "cognito.email_claims")

    assert not line.ok and line.detail.params["looked"] == 130
    assert "user0129" in text and "stopped" not in text


def test_the_email_claims_check_is_bounded_and_says_where_it_stopped(
        cognito: tuple[Any, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, pool, app = cognito
    monkeypatch.setattr(doctor_checks, "CLAIMS_PAGES", 2)  # 120 accounts instead of 600
    pool_with_claims(client, tmp_path, pool, 130, unclaimed="user0129")

    report = doctor(tmp_path, pool, app)

    line = next(entry for entry in report.lines if entry.check == "cognito.email_claims")
    text = translate("en", line.detail.key, **line.detail.params)
    assert line.ok and line.detail.params["looked"] == 120  # the rest was not looked at
    assert "stopped after the first 120 accounts" in text
    assert "처음 120개에서 멈췄습니다" in translate("ko", line.detail.key, **line.detail.params)
