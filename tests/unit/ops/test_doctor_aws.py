"""The config doctor in aws mode on moto: tables with their indexes and TTL (as TABLE_SPECS
says), the bucket's existence, privacy and encryption; each break reported with its fix."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from moto import mock_aws

from services.adapters.aws import doctor_checks as doctor_aws
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.schema import (
    DIRECTORY_INDEX,
    LIKES_USER_INDEX,
    REPORTS_ALL_INDEX,
    REPORTS_USER_INDEX,
    TABLE_SPECS,
    TableSpec,
)
from services.adapters.aws.provision import ensure_resources
from services.bootstrap import doctor_checks, doctor_context
from services.domain.checks import DoctorLine
from services.i18n import translate
from services.ops.doctor.base import DoctorContext, DoctorReport, run_doctor
from services.settings import AWS_REQUIRED, Settings, load_settings
from tests.doubles.bedrock import fake_client

REGION = "us-east-1"
HEALTHY_CONFIG = "[server]\nenableXsrfProtection = true\nmaxUploadSize = 100\n"


@dataclass
class Aws:
    settings: Settings
    dynamodb: Any
    s3: Any
    config: Path

    def doctor(self, **overrides: Any) -> DoctorReport:
        values: dict[str, Any] = {"streamlit_config": self.config, "env": {},
                                  "include_bedrock": False}
        values.update(overrides)
        settings = values.pop("settings", self.settings)
        return run_doctor(DoctorContext(settings, **values), doctor_checks())


@pytest.fixture
def aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB",
                 "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    names = {field: f"df-{field.removesuffix('_table')}" for field in AWS_REQUIRED}
    settings = load_settings(backend="aws", aws_region=REGION, data_dir=tmp_path / "data",
                             cookie_key=secrets.token_urlsafe(48), **names)
    config = tmp_path / "config.toml"
    config.write_text(HEALTHY_CONFIG)
    with mock_aws():
        dynamodb, s3 = make_client("dynamodb", settings), make_client("s3", settings)
        ensure_resources(dynamodb, s3, settings)
        yield Aws(settings, dynamodb, s3, config)


def line(report: DoctorReport, check: str) -> DoctorLine:
    found = [entry for entry in report.lines if entry.check == check]
    assert len(found) == 1, [entry.check for entry in report.lines]
    return found[0]


def failed_with(report: DoctorReport, check: str, detail: str, fix: str) -> DoctorLine:
    found = line(report, check)
    assert not found.ok and not report.ok
    assert found.detail.key == f"admin_tools.{detail}"
    assert found.fix is not None and found.fix.key == f"admin_tools.{fix}"
    return found


def test_a_bootstrapped_account_passes(aws: Aws) -> None:
    report = aws.doctor()

    assert report.ok, [(entry.check, entry.detail) for entry in report.failures]
    checks = [entry.check for entry in report.lines]
    assert not [c for c in checks if c.startswith("local.")]  # aws mode: no local storage
    for key, spec in TABLE_SPECS.items():
        assert f"aws.table.{key}" in checks
        assert (f"aws.table.{key}.indexes" in checks) == bool(spec.indexes)
        assert f"aws.table.{key}.pitr" in checks
    assert {"aws.bucket", "aws.bucket.private", "aws.bucket.encrypted",
            "aws.bucket.versioned"} <= set(checks)
    assert line(report, "bedrock").detail.key == "admin_tools.doc_bedrock_skipped"


def test_a_missing_table(aws: Aws) -> None:
    aws.dynamodb.delete_table(TableName=aws.settings.content_table)

    found = failed_with(aws.doctor(), "aws.table.content", "doc_table_missing", "fix_bootstrap")
    assert found.detail.params["table"] == "df-content"


def test_a_table_without_its_indexes(aws: Aws) -> None:
    name = str(aws.settings.users_table)
    aws.dynamodb.delete_table(TableName=name)
    aws.dynamodb.create_table(
        TableName=name, KeySchema=[{"AttributeName": "username", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "username", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    found = failed_with(aws.doctor(), "aws.table.users.indexes", "doc_indexes_missing",
                        "fix_indexes")
    assert found.fix is not None and found.fix.params["indexes"] == "directory-index"


def test_a_table_whose_items_should_expire_without_ttl(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A spec of our own (on the events table's setting), so the test holds whatever tables the
    # schema lists today; the table is made afresh, without TTL.
    name = str(aws.settings.events_table)
    if name in aws.dynamodb.list_tables()["TableNames"]:
        aws.dynamodb.delete_table(TableName=name)
    aws.dynamodb.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    spec = TableSpec(setting="events_table", hash_key="pk", attributes=(("pk", "S"),),
                     ttl_attribute="expires_at")
    monkeypatch.setattr(doctor_aws, "TABLE_SPECS", {"expiring": spec})

    found = failed_with(aws.doctor(), "aws.table.expiring.ttl", "doc_ttl_off", "fix_ttl")
    aws.dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires_at"})

    assert found.fix is not None and found.fix.params["attribute"] == "expires_at"
    assert line(aws.doctor(), "aws.table.expiring.ttl").ok


def test_a_table_without_point_in_time_recovery(aws: Aws) -> None:
    aws.dynamodb.update_continuous_backups(
        TableName=aws.settings.content_table,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})

    found = failed_with(aws.doctor(), "aws.table.content.pitr", "doc_pitr_off", "fix_pitr")

    assert found.detail.params["table"] == aws.settings.content_table
    assert [e.check for e in aws.doctor().failures] == ["aws.table.content.pitr"]


def test_a_bucket_without_versioning(aws: Aws) -> None:
    aws.s3.put_bucket_versioning(Bucket=aws.settings.bucket,
                                 VersioningConfiguration={"Status": "Suspended"})

    found = failed_with(aws.doctor(), "aws.bucket.versioned", "doc_bucket_unversioned",
                        "fix_bucket_versioning")

    assert found.detail.params["status"] == "Suspended"


def test_a_bucket_open_to_the_public(aws: Aws) -> None:
    aws.s3.delete_public_access_block(Bucket=aws.settings.bucket)

    found = failed_with(aws.doctor(), "aws.bucket.private", "doc_bucket_public",
                        "fix_bucket_private")
    assert found.detail.params["flags"] == ("BlockPublicAcls, IgnorePublicAcls, "
                                            "BlockPublicPolicy, RestrictPublicBuckets")


def test_a_bucket_without_default_encryption(aws: Aws) -> None:
    aws.s3.delete_bucket_encryption(Bucket=aws.settings.bucket)

    failed_with(aws.doctor(), "aws.bucket.encrypted", "doc_bucket_unencrypted",
                "fix_bucket_encryption")


def test_a_missing_bucket(aws: Aws) -> None:
    aws.s3.delete_bucket(Bucket=aws.settings.bucket)

    report = aws.doctor()

    failed_with(report, "aws.bucket", "doc_bucket_missing", "fix_bootstrap")
    assert not [e for e in report.lines if e.check.startswith("aws.bucket.")]


def test_a_missing_cookie_key_fails_in_aws_mode(aws: Aws) -> None:
    settings = aws.settings.model_copy(update={"cookie_key": None})

    report = run_doctor(DoctorContext(settings, streamlit_config=aws.config,
                                      include_bedrock=False), doctor_checks())

    failed_with(report, "cookie_key", "doc_key_missing", "fix_cookie_key")


def test_an_unreachable_aws_is_reported_per_resource(aws: Aws) -> None:
    closed = Config(retries={"max_attempts": 1}, connect_timeout=1)

    def unreachable(service: str) -> Any:
        return lambda settings: fake_client(service, REGION, endpoint_url="http://127.0.0.1:9",
                                            config=closed)

    report = aws.doctor(dynamodb=unreachable("dynamodb"), s3=unreachable("s3"))

    content = line(report, "aws.table.content")
    assert not content.ok and content.detail.key == "errors.service_unavailable"
    assert content.fix is not None and content.fix.key == "admin_tools.fix_aws_read"
    assert not line(report, "aws.bucket").ok


# ---- where the names come from ------------------------------------------------------------------


def test_the_names_line_says_which_names_are_set_one_by_one(aws: Aws) -> None:
    settings = aws.settings.model_copy(update={"content_table": "demo-factory-content"})

    found = line(aws.doctor(settings=settings), "aws.names")

    assert found.ok and found.detail.key == "admin_tools.doc_names_overridden"
    assert found.detail.params["prefix"] == "demo-factory"
    assert "demo-factory-content" in found.detail.params["names"]
    overrides = found.detail.params["overrides"]
    assert "DEMO_FACTORY_LIKES_TABLE=df-likes" in overrides
    assert f"DEMO_FACTORY_BUCKET={aws.settings.bucket}" in overrides
    assert "CONTENT_TABLE" not in overrides


def test_names_all_from_the_prefix_are_listed(aws: Aws) -> None:
    bucket = f"acme-files-123456789012-{REGION}"
    settings = load_settings(backend="aws", resource_prefix="acme", bucket=bucket)

    found = line(aws.doctor(settings=settings), "aws.names")

    assert found.ok and found.detail.key == "admin_tools.doc_names"
    assert found.detail.params["prefix"] == "acme"
    assert "acme-rollups" in found.detail.params["names"]
    assert bucket in found.detail.params["names"]


def test_the_doctor_derives_an_unset_bucket_name(aws: Aws) -> None:
    settings = aws.settings.model_copy(update={"bucket": None})

    context = doctor_context(settings, {}, include_bedrock=False)

    assert context.settings.bucket == f"demo-factory-files-123456789012-{REGION}"


def test_a_bucket_name_that_cannot_be_derived_says_why(aws: Aws) -> None:
    settings = aws.settings.model_copy(update={"bucket": None})

    failed_with(aws.doctor(settings=settings), "aws.bucket", "doc_bucket_unnamed",
                "fix_bucket_unnamed")


# ---- keys: a table or index keyed otherwise fails every read with a ValidationException -------


def recreate(aws: Aws, name: str, keys: list[tuple[str, str]],
             indexes: list[dict[str, Any]] | None = None) -> None:
    """Table ``name`` made again with ``keys`` (name, HASH/RANGE), every key a string."""
    aws.dynamodb.delete_table(TableName=name)
    attributes = {key for key, _ in keys} | {
        k["AttributeName"] for index in indexes or [] for k in index["KeySchema"]}
    extra: dict[str, Any] = {"GlobalSecondaryIndexes": indexes} if indexes else {}
    aws.dynamodb.create_table(
        TableName=name, KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in keys],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        BillingMode="PAY_PER_REQUEST", **extra)


def gsi(name: str, keys: list[tuple[str, str]], projection: str = "ALL") -> dict[str, Any]:
    return {"IndexName": name, "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in keys],
            "Projection": {"ProjectionType": projection}}


def test_every_table_is_keyed_as_the_schema_says(aws: Aws) -> None:
    report = aws.doctor()

    for key in TABLE_SPECS:
        found = line(report, f"aws.table.{key}.keys")
        assert found.ok and found.detail.key == "admin_tools.doc_keys_ok"


def test_a_table_keyed_otherwise_names_both_keys_and_says_to_recreate_it(aws: Aws) -> None:
    recreate(aws, str(aws.settings.sessions_table), [("id", "HASH")])

    found = failed_with(aws.doctor(), "aws.table.sessions.keys", "doc_keys_wrong",
                        "fix_keys_wrong")

    assert found.detail.params == {"table": "df-sessions", "expected": "HASH key (S)",
                                   "found": "HASH id (S)"}


def test_an_index_keyed_otherwise_is_named_with_its_keys(aws: Aws) -> None:
    recreate(aws, str(aws.settings.reports_table), [("id", "HASH")], [
        gsi(REPORTS_USER_INDEX, [("created_by", "HASH")]),
        gsi(REPORTS_ALL_INDEX, [("kind", "HASH"), ("created_id", "RANGE")])])

    report = aws.doctor()
    found = failed_with(report, "aws.table.reports.indexes", "doc_index_keys_wrong",
                        "fix_index_keys_wrong")

    assert line(report, "aws.table.reports.keys").ok
    assert found.detail.params["table"] == "df-reports"
    assert found.detail.params["indexes"] == (
        f"{REPORTS_USER_INDEX}: HASH created_by (S), RANGE created_id (S), projection ALL"
        " → HASH created_by (S), projection ALL")


def test_an_index_projecting_fewer_attributes_than_the_app_reads_fails(aws: Aws) -> None:
    recreate(aws, str(aws.settings.users_table), [("username", "HASH")], [
        gsi(DIRECTORY_INDEX, [("directory", "HASH"), ("username", "RANGE")], "KEYS_ONLY")])

    found = failed_with(aws.doctor(), "aws.table.users.indexes", "doc_index_keys_wrong",
                        "fix_index_keys_wrong")

    assert "projection ALL → " in found.detail.params["indexes"]
    assert found.detail.params["indexes"].endswith("projection KEYS_ONLY")


def test_an_index_projecting_more_than_the_app_reads_passes(aws: Aws) -> None:
    # ALL where KEYS_ONLY is enough costs storage, nothing more: the app's reads still work.
    recreate(aws, str(aws.settings.likes_table), [("content_id", "HASH"), ("user_id", "RANGE")],
             [gsi(LIKES_USER_INDEX, [("user_id", "HASH"), ("content_id", "RANGE")])])

    assert line(aws.doctor(), "aws.table.likes.indexes").ok


# ---- TTL: on the wrong attribute, and what each table would keep for ever ----------------------

TTL_TABLES = [key for key, spec in TABLE_SPECS.items() if spec.ttl_attribute]


def test_ttl_on_another_attribute_says_so_and_how_to_move_it(aws: Aws) -> None:
    name = str(aws.settings.sessions_table)
    recreate(aws, name, [("key", "HASH")])
    aws.dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "ttl"})

    found = failed_with(aws.doctor(), "aws.table.sessions.ttl", "doc_ttl_off_sessions",
                        "fix_ttl_wrong_attribute")

    assert found.detail.params["found"] == "ttl"
    assert found.detail.params["attribute"] == "expires_epoch"
    assert found.fix is not None
    fix = translate("en", found.fix.key, **found.fix.params)
    assert "one TTL attribute" in fix and "up to an hour" in fix
    assert "Enabled=false,AttributeName=ttl" in fix


@pytest.mark.parametrize("key", TTL_TABLES)
def test_ttl_off_says_what_that_table_would_keep_for_ever(aws: Aws, key: str) -> None:
    spec = TABLE_SPECS[key]
    aws.dynamodb.update_time_to_live(
        TableName=str(getattr(aws.settings, spec.setting)),
        TimeToLiveSpecification={"Enabled": False, "AttributeName": str(spec.ttl_attribute)})

    found = failed_with(aws.doctor(), f"aws.table.{key}.ttl", f"doc_ttl_off_{key}", "fix_ttl")

    for lang in ("en", "ko"):
        text = translate(lang, found.detail.key, **found.detail.params)
        assert text != found.detail.key and str(spec.ttl_attribute) in text
    said = translate("en", found.detail.key, **found.detail.params)
    assert ("raw events" in said) == (key == "events")
