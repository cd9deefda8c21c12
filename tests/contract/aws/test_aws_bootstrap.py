"""ensure_resources and scripts/bootstrap_aws.py: idempotent, private, encrypted, honest output."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT

from scripts import bootstrap_aws
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.email_claims import claim_key
from services.adapters.aws.dynamodb.schema import TABLE_SPECS
from services.adapters.aws.dynamodb.users import DynamoUserDirectory
from services.adapters.aws.provision import ensure_resources
from services.bootstrap import build_services, provision_aws, resolve_aws_names
from services.domain.users import User
from services.errors import ConfigError
from services.settings import Settings, load_settings
from tests.contract.aws_backends import (
    MockedAws,
    aws_environment,
    aws_settings,
    mocked_aws,
    moto_server,
)

TABLES = ["df-audit", "df-content", "df-events", "df-inquiries", "df-likes", "df-rollups",
          "df-sessions", "df-users"]
TABLES = sorted([*TABLES, "df-reports"])  # saved AI reports


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with mocked_aws(bootstrap=False) as mocked:
        yield mocked


T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def ensure(aws: MockedAws, **options: Any) -> list[str]:
    return ensure_resources(aws.dynamodb, aws.s3, aws.settings, **options)


def layout(aws: MockedAws) -> dict[str, Any]:
    """What matters of every table: keys, attribute types, indexes, billing."""
    described = {}
    for name in aws.dynamodb.list_tables()["TableNames"]:
        table = aws.dynamodb.describe_table(TableName=name)["Table"]
        described[name] = {
            "keys": table["KeySchema"],
            "attributes": sorted(a["AttributeName"] for a in table["AttributeDefinitions"]),
            "indexes": sorted(
                (i["IndexName"], str(i["KeySchema"]), i["Projection"]["ProjectionType"])
                for i in table.get("GlobalSecondaryIndexes", [])
            ),
            "billing": table["BillingModeSummary"]["BillingMode"],
        }
    return described


def test_first_run_creates_everything_and_second_run_finds_it(aws: MockedAws) -> None:
    first = ensure(aws)
    before = layout(aws)

    second = ensure(aws)

    assert [f"created table {t}" for t in sorted(TABLES)] == sorted(
        line for line in first if line.startswith("created table")
    )
    assert "created bucket df-files" in first
    assert not any(line.startswith("created") for line in second)
    assert sum(line.startswith("found table") for line in second) == len(TABLES)
    assert "found bucket df-files" in second
    assert layout(aws) == before
    assert aws.s3.list_buckets()["Buckets"][0]["Name"] == "df-files"


def test_a_run_claims_the_emails_of_accounts_from_before_the_claims(aws: MockedAws) -> None:
    ensure(aws)
    table = str(aws.settings.users_table)
    users = DynamoUserDirectory(aws.dynamodb, table)
    users.create(User("kim", "Kim", "kim@example.com", frozenset(), T0))
    aws.dynamodb.delete_item(TableName=table, Key=claim_key("kim@example.com"))  # an old one

    assert "claimed the email of 1 existing accounts" in ensure(aws)
    assert "Item" in aws.dynamodb.get_item(TableName=table, Key=claim_key("kim@example.com"))
    assert not any(line.startswith("claimed") for line in ensure(aws))


def test_tables_follow_the_specs(aws: MockedAws) -> None:
    ensure(aws)

    tables = layout(aws)

    assert sorted(tables) == TABLES
    assert {t["billing"] for t in tables.values()} == {"PAY_PER_REQUEST"}
    content = tables["df-content"]
    assert [i[0] for i in content["indexes"]] == sorted(
        index.name for index in TABLE_SPECS["content"].indexes
    )
    assert [i[0] for i in content["indexes"]] == [
        "author-created_at-index",
        "category-created_at-index",
        "sample-index",
        "status-created_at-index",
    ]
    assert tables["df-likes"]["keys"] == [
        {"AttributeName": "content_id", "KeyType": "HASH"},
        {"AttributeName": "user_id", "KeyType": "RANGE"},
    ]


def test_point_in_time_recovery_is_on(aws: MockedAws) -> None:
    lines = ensure(aws)

    for table in TABLES:
        backups = aws.dynamodb.describe_continuous_backups(TableName=table)
        status = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert status["PointInTimeRecoveryStatus"] == "ENABLED"
    assert any("point-in-time recovery turned on" in line for line in lines)


def test_the_bucket_keeps_versions_for_30_days(aws: MockedAws) -> None:
    ensure(aws)
    aws.s3.put_object(Bucket="df-files", Key="content/a/b/x.txt", Body=b"first")
    aws.s3.delete_object(Bucket="df-files", Key="content/a/b/x.txt")

    assert aws.s3.get_bucket_versioning(Bucket="df-files")["Status"] == "Enabled"
    rules = aws.s3.get_bucket_lifecycle_configuration(Bucket="df-files")["Rules"]
    assert {"NoncurrentDays": 30} in [r.get("NoncurrentVersionExpiration") for r in rules]
    # The deleted file is still there as an older version: restorable.
    versions = aws.s3.list_object_versions(Bucket="df-files")["Versions"]
    assert [v["Key"] for v in versions] == ["content/a/b/x.txt"]


def test_the_bucket_is_private_encrypted_and_open_to_presigned_puts(aws: MockedAws) -> None:
    ensure(aws)

    block = aws.s3.get_public_access_block(Bucket="df-files")["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"],
        True,
    )
    rules = aws.s3.get_bucket_encryption(Bucket="df-files")["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    [cors] = aws.s3.get_bucket_cors(Bucket="df-files")["CORSRules"]
    assert "PUT" in cors["AllowedMethods"] and cors["AllowedOrigins"] == ["*"]


def test_a_bucket_found_open_is_made_private(aws: MockedAws) -> None:
    aws.s3.create_bucket(Bucket="df-files")

    lines = ensure(aws, cors_origins=["https://demo.example.com"])

    assert "found bucket df-files" in lines
    block = aws.s3.get_public_access_block(Bucket="df-files")["PublicAccessBlockConfiguration"]
    assert all(block.values())
    [cors] = aws.s3.get_bucket_cors(Bucket="df-files")["CORSRules"]
    assert cors["AllowedOrigins"] == ["https://demo.example.com"]


def test_dry_run_creates_nothing(aws: MockedAws) -> None:
    lines = ensure(aws, dry_run=True)

    assert sorted(lines) == sorted(
        [f"would create table {t}" for t in TABLES] + ["would create bucket df-files"]
    )
    assert aws.dynamodb.list_tables()["TableNames"] == []
    assert aws.s3.list_buckets()["Buckets"] == []


def test_a_table_without_its_indexes_is_reported(aws: MockedAws) -> None:
    aws.dynamodb.create_table(
        TableName="df-content",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    lines = ensure(aws)

    [warning] = [line for line in lines if line.startswith("WARNING")]
    assert "df-content" in warning and "sample-index" in warning


def test_a_table_keyed_otherwise_is_warned_about_not_found(aws: MockedAws) -> None:
    aws.dynamodb.create_table(
        TableName="df-sessions",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    lines = ensure(aws)

    [warning] = [line for line in lines if line.startswith("WARNING") and "df-sessions" in line]
    assert "expected HASH key (S)" in warning and "found HASH id (S)" in warning
    assert "recreate" in warning


def test_ttl_on_another_attribute_is_warned_about_not_claimed(aws: MockedAws) -> None:
    aws.dynamodb.create_table(**TABLE_SPECS["sessions"].create_table_kwargs("df-sessions"))
    aws.dynamodb.update_time_to_live(
        TableName="df-sessions", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})

    lines = [line for line in ensure(aws) if "df-sessions" in line and "TTL" in line]

    [warning] = lines
    assert warning.startswith("WARNING") and "already on" not in warning
    assert "ttl" in warning and "expires_epoch" in warning and "an hour" in warning
    ttl = aws.dynamodb.describe_time_to_live(TableName="df-sessions")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"  # left alone: DynamoDB allows one TTL attribute


def test_a_missing_name_is_a_config_error_naming_the_variable(aws: MockedAws) -> None:
    settings = aws_settings(backend="local", bucket=None)

    with pytest.raises(ConfigError) as raised:
        ensure_resources(aws.dynamodb, aws.s3, settings)

    assert "DEMO_FACTORY_BUCKET" in raised.value.params["names"]


# --- the script, over HTTP against AWS_ENDPOINT_URL --------------------------------------

NAMES = {
    "DEMO_FACTORY_CONTENT_TABLE": "script-content",
    "DEMO_FACTORY_LIKES_TABLE": "script-likes",
    "DEMO_FACTORY_USERS_TABLE": "script-users",
    "DEMO_FACTORY_AUDIT_TABLE": "script-audit",
    "DEMO_FACTORY_SESSIONS_TABLE": "script-sessions",
    "DEMO_FACTORY_INQUIRIES_TABLE": "script-inquiries",
    "DEMO_FACTORY_REPORTS_TABLE": "script-reports",
    "DEMO_FACTORY_EVENTS_TABLE": "script-events",
    "DEMO_FACTORY_ROLLUPS_TABLE": "script-rollups",
    "DEMO_FACTORY_BUCKET": "script-files",
    "DEMO_FACTORY_AWS_REGION": "us-east-1",
}


def test_the_script_bootstraps_an_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    with moto_server() as endpoint, aws_environment(AWS_ENDPOINT_URL=endpoint, **NAMES):
        assert bootstrap_aws.main(["--dry-run"]) == 0
        dry = capsys.readouterr().out
        assert bootstrap_aws.main([]) == 0
        created = capsys.readouterr().out
        assert bootstrap_aws.main([]) == 0
        again = capsys.readouterr().out

    assert "would create table script-content" in dry and "created" not in dry
    assert "created table script-content" in created and "created bucket script-files" in created
    assert "found table script-audit" in again and "created" not in again


def test_the_script_names_a_bad_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    with aws_environment(**{**NAMES, "DEMO_FACTORY_RESOURCE_PREFIX": "Demo_Factory"}):
        assert bootstrap_aws.main(["--dry-run"]) == 2

    assert "DEMO_FACTORY_RESOURCE_PREFIX" in capsys.readouterr().err


# --- names from the prefix ----------------------------------------------------------------

# Every resource variable unset: the first hour, with only a prefix.
NO_NAMES: dict[str, str | None] = {
    **dict.fromkeys(NAMES, None), "DEMO_FACTORY_BACKEND": None, "DEMO_FACTORY_AUTH": None,
    "DEMO_FACTORY_RESOURCE_PREFIX": None, "DEMO_FACTORY_COOKIE_KEY": None,
}


def test_the_bucket_is_named_after_the_prefix_account_and_region() -> None:
    with aws_environment(**NO_NAMES), mock_aws():
        settings = load_settings(backend="aws", aws_region="eu-west-1", resource_prefix="acme")

        resolved = resolve_aws_names(settings)

    assert resolved.bucket == f"acme-files-{ACCOUNT}-eu-west-1"
    assert resolved.content_table == "acme-content"
    assert settings.bucket is None  # the settings given are left alone


def test_a_bucket_set_by_hand_asks_aws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_client(service: str, settings: Settings) -> None:
        raise AssertionError(f"{service} asked")

    monkeypatch.setattr("services.bootstrap.aws_client", no_client)
    settings = load_settings(backend="aws", bucket="my-files")

    assert resolve_aws_names(settings).bucket == "my-files"


def test_aws_mode_builds_with_only_a_prefix(tmp_path: Path) -> None:
    with aws_environment(**NO_NAMES), mock_aws():
        settings = load_settings(backend="aws", resource_prefix="first-hour",
                                 cookie_key=secrets.token_urlsafe(48), data_dir=tmp_path)
        provision_aws(settings)

        services = build_services(settings)
        services.samples.ensure()  # sample files go into the derived bucket
        count = services.content.count()

    assert count > 0

    assert services.settings.bucket == f"first-hour-files-{ACCOUNT}-us-east-1"


def test_the_script_creates_the_derived_names_and_prints_settings_that_find_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = secrets.token_urlsafe(48)
    env_file = tmp_path / ".env"
    first_hour = {**NO_NAMES, "DEMO_FACTORY_RESOURCE_PREFIX": "paste-me",
                  "DEMO_FACTORY_COOKIE_KEY": secret}
    with moto_server() as endpoint, aws_environment(AWS_ENDPOINT_URL=endpoint, **first_hour):
        assert bootstrap_aws.main(["--write-env", str(env_file)]) == 0
        printed = capsys.readouterr().out
        dynamodb = make_client("dynamodb", load_settings())
        s3 = make_client("s3", load_settings())
        tables = set(dynamodb.list_tables()["TableNames"])
        buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}

    bucket = f"paste-me-files-{ACCOUNT}-us-east-1"
    assert {f"paste-me-{key}" for key in TABLE_SPECS} <= tables
    assert bucket in buckets
    pasted = settings_lines(printed)
    assert pasted == settings_lines(env_file.read_text())
    assert pasted["DEMO_FACTORY_BACKEND"] == "aws"
    assert pasted["DEMO_FACTORY_BUCKET"] == bucket
    # Loaded back (and nothing else set), the settings point at what was created.
    with aws_environment(**{**NO_NAMES, **pasted}):
        loaded = load_settings()
    assert {str(getattr(loaded, spec.setting)) for spec in TABLE_SPECS.values()} <= tables
    assert loaded.bucket == bucket and loaded.backend == "aws"
    assert secret not in printed and secret not in env_file.read_text()
    assert "DEMO_FACTORY_COOKIE_KEY" in printed  # said to be needed, not given


def test_the_script_keeps_an_existing_env_file_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEMO_FACTORY_COOKIE_KEY=mine\n")
    with moto_server() as endpoint, aws_environment(
        AWS_ENDPOINT_URL=endpoint, **{**NO_NAMES, "DEMO_FACTORY_RESOURCE_PREFIX": "keep-env"},
    ):
        assert bootstrap_aws.main(["--write-env", str(env_file)]) == 2
        refused = capsys.readouterr()
        tables = make_client("dynamodb", load_settings()).list_tables()["TableNames"]
        assert not [t for t in tables if t.startswith("keep-env-")]  # nothing created first
        assert bootstrap_aws.main(["--write-env", str(env_file), "--force"]) == 0

    assert str(env_file) in refused.err and "--force" in refused.err
    assert settings_lines(env_file.read_text())["DEMO_FACTORY_RESOURCE_PREFIX"] == "keep-env"


def settings_lines(text: str) -> dict[str, str]:
    """The ``DEMO_FACTORY_*=value`` lines of the output or of a .env file."""
    found = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.startswith("DEMO_FACTORY_"):
            found[name] = value
    return found
