"""aws mode's names come from one prefix (DEMO_FACTORY_RESOURCE_PREFIX); each stays settable."""

from __future__ import annotations

import os

import pytest

from services.adapters.aws.dynamodb.schema import TABLE_SPECS
from services.errors import ConfigError
from services.resource_names import DEFAULT_RESOURCE_PREFIX, TABLE_SUFFIXES, bucket_name
from services.settings import load_settings


@pytest.fixture(autouse=True)
def no_demo_factory_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own DEMO_FACTORY_* variables must not decide these tests."""
    for name in list(os.environ):
        if name.startswith("DEMO_FACTORY_"):
            monkeypatch.delenv(name)


def tables(settings: object) -> dict[str, str]:
    return {setting: str(getattr(settings, setting)) for setting in TABLE_SUFFIXES}


def test_aws_mode_starts_with_no_name_set() -> None:
    settings = load_settings(backend="aws")

    assert settings.resource_prefix == DEFAULT_RESOURCE_PREFIX == "demo-factory"
    assert tables(settings) == {spec.setting: f"demo-factory-{key}"
                                for key, spec in TABLE_SPECS.items()}
    assert settings.overridden_names() == {}


def test_every_table_follows_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_FACTORY_BACKEND", "aws")
    monkeypatch.setenv("DEMO_FACTORY_RESOURCE_PREFIX", "acme-demo")

    settings = load_settings()

    assert settings.content_table == "acme-demo-content"
    assert settings.rollups_table == "acme-demo-rollups"
    assert all(name.startswith("acme-demo-") for name in tables(settings).values())


def test_a_table_set_by_its_own_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_FACTORY_BACKEND", "aws")
    monkeypatch.setenv("DEMO_FACTORY_RESOURCE_PREFIX", "acme-demo")
    monkeypatch.setenv("DEMO_FACTORY_USERS_TABLE", "legacy-users")
    monkeypatch.setenv("DEMO_FACTORY_BUCKET", "my-own-bucket")

    settings = load_settings()

    assert settings.users_table == "legacy-users"
    assert settings.likes_table == "acme-demo-likes"
    assert settings.bucket == "my-own-bucket"
    assert settings.overridden_names() == {"DEMO_FACTORY_USERS_TABLE": "legacy-users",
                                           "DEMO_FACTORY_BUCKET": "my-own-bucket"}


def test_a_name_equal_to_the_derived_one_is_no_override() -> None:
    settings = load_settings(backend="aws", content_table="demo-factory-content",
                             bucket=bucket_name("demo-factory", "123456789012", "us-east-1"))

    assert settings.overridden_names() == {}


def test_the_bucket_is_made_globally_unique_by_account_and_region() -> None:
    name = bucket_name("demo-factory", "123456789012", "ap-northeast-2")

    assert name == "demo-factory-files-123456789012-ap-northeast-2"


def test_the_longest_prefix_still_fits_s3_and_dynamodb() -> None:
    prefix = "a" * 20
    settings = load_settings(backend="aws", resource_prefix=prefix)

    assert len(bucket_name(prefix, "123456789012", "ap-southeast-5")) <= 63
    assert all(3 <= len(name) <= 255 for name in tables(settings).values())


@pytest.mark.parametrize("prefix", ["Demo", "ab", "a" * 21, "demo_factory", "9demo",
                                    "demo factory", "xn--demo", "sthree-demo", "demo.factory"])
def test_a_prefix_that_cannot_name_the_resources_is_refused(prefix: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(backend="aws", resource_prefix=prefix)

    problems = raised.value.params["problems"]
    assert "DEMO_FACTORY_RESOURCE_PREFIX" in problems
    assert "lowercase" in problems or "reserved" in problems


def test_the_suffixes_are_the_table_specs_keys() -> None:
    assert {spec.setting: key for key, spec in TABLE_SPECS.items()} == TABLE_SUFFIXES


def test_cognito_settings_are_still_named_when_missing() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(backend="aws", auth="cognito")

    assert "DEMO_FACTORY_COGNITO_USER_POOL_ID" in raised.value.params["names"]
