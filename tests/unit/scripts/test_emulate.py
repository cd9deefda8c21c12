"""scripts/emulate.py without the browser: what it creates on moto, and what it prints."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT

from scripts import emulate
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.schema import TABLE_SPECS
from services.bootstrap import build_services, report_models
from services.domain.permissions import Role
from services.errors import PermissionDenied
from services.reports.models import OFFLINE
from services.resource_names import DEFAULT_RESOURCE_PREFIX, bucket_name, table_name
from services.settings import load_settings


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
