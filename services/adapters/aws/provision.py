"""Create the aws-mode tables and bucket if they are missing (idempotent).

Used by ``scripts/bootstrap_aws.py``, by the tests (on moto) and by any emulation mode. The
CloudFormation template is the production path; this creates the same resources for a dev
account or an emulator (``AWS_ENDPOINT_URL``). Tables follow ``dynamodb_schema.TABLE_SPECS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    error_code,
    translate_client_error,
)
from services.adapters.aws.dynamodb.schema import TABLE_SPECS, TableSpec
from services.adapters.aws.dynamodb.schema_check import index_mismatches, table_keys_mismatch
from services.adapters.aws.dynamodb.users import DynamoUserDirectory
from services.settings import Settings

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_s3.client import S3Client
    from types_boto3_s3.type_defs import (
        BucketLifecycleConfigurationTypeDef,
        CORSConfigurationTypeDef,
        PublicAccessBlockConfigurationTypeDef,
        ServerSideEncryptionConfigurationTypeDef,
    )

PUBLIC_ACCESS_BLOCK: PublicAccessBlockConfigurationTypeDef = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
DEFAULT_ENCRYPTION: ServerSideEncryptionConfigurationTypeDef = {
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
}

NONCURRENT_DAYS = 30
LIFECYCLE: BucketLifecycleConfigurationTypeDef = {
    "Rules": [
        {"ID": "abort-incomplete-multipart-uploads", "Status": "Enabled",
         "Filter": {"Prefix": ""}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
        {"ID": "expire-noncurrent-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
         "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_DAYS}},
        {"ID": "remove-expired-delete-markers", "Status": "Enabled", "Filter": {"Prefix": ""},
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ]
}


def cors_rules(origins: Sequence[str]) -> CORSConfigurationTypeDef:
    """CORS that lets a browser PUT (upload) and GET through presigned URLs.

    A wildcard origin grants nothing by itself: every request still needs a valid signature.
    """
    return {
        "CORSRules": [
            {
                "AllowedMethods": ["GET", "PUT", "HEAD"],
                "AllowedOrigins": list(origins),
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3000,
            }
        ]
    }


def ensure_resources(
    dynamodb_client: DynamoDBClient,
    s3_client: S3Client,
    settings: Settings,
    *,
    dry_run: bool = False,
    cors_origins: Sequence[str] = ("*",),
) -> list[str]:
    """Create what is missing; one line per resource saying what was created or found.

    ConfigError if a resource name is missing from settings; project errors for AWS failures.
    """
    settings.require_aws()
    lines: list[str] = []
    for spec in TABLE_SPECS.values():
        table_name = str(getattr(settings, spec.setting))
        lines.extend(_ensure_table(dynamodb_client, spec, table_name, dry_run))
    assert settings.bucket is not None  # require_aws checked it
    lines.extend(_ensure_bucket(s3_client, settings.bucket, dry_run, cors_origins))
    if not dry_run and settings.auth != "cognito":  # with Cognito the pool owns the emails
        users = DynamoUserDirectory(dynamodb_client, str(settings.users_table))
        claimed = users.claim_existing_emails()
        if claimed:
            lines.append(f"claimed the email of {claimed} existing accounts")
    return lines


def _ensure_table(client: DynamoDBClient, spec: TableSpec, name: str, dry_run: bool) -> list[str]:
    existing = _describe_table(client, name)
    if existing is not None:
        lines = [f"found table {name}", *_schema_warnings(spec, name, existing)]
    elif dry_run:
        return [f"would create table {name}"]
    else:
        with aws_errors():
            client.create_table(**spec.create_table_kwargs(name))
            client.get_waiter("table_exists").wait(
                TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
            )
        lines = [f"created table {name}"]
    if not dry_run:
        lines.append(_ensure_point_in_time_recovery(client, name))
        if spec.ttl_attribute:
            lines.append(_ensure_ttl(client, name, spec.ttl_attribute))
    return lines


def _schema_warnings(spec: TableSpec, name: str, existing: dict[str, Any]) -> list[str]:
    """What differs from the spec in a table found: nothing here changes it, since keys cannot
    change in place and DynamoDB adds one GSI at a time after a backfill (a human decision)."""
    warnings = []
    keys = table_keys_mismatch(spec, existing)
    if keys:
        warnings.append(f"WARNING table {name} is keyed otherwise: expected {keys.expected},"
                        f" found {keys.found}; every read fails until the table is recreated"
                        " (keys cannot be changed in place: delete it, run this again)")
    have = {index["IndexName"] for index in existing.get("GlobalSecondaryIndexes", [])}
    missing = [index.name for index in spec.indexes if index.name not in have]
    if missing:
        warnings.append(f"WARNING table {name} lacks indexes: {', '.join(missing)}")
    warnings += [f"WARNING table {name} index {m.index} differs: expected {m.expected},"
                 f" found {m.found}; delete the index and add it again (it cannot be changed"
                 " in place)" for m in index_mismatches(spec, existing)]
    return warnings


def _ensure_ttl(client: DynamoDBClient, name: str, attribute: str) -> str:
    """Turn on expiry by ``attribute`` (epoch seconds). Only when off: DynamoDB refuses to
    change TTL settings again within an hour."""
    with aws_errors():
        status = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        found = status.get("AttributeName")
        if status.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            if found == attribute:
                return f"table {name}: TTL on {attribute} already on"
            # One TTL attribute per table: moving it is off, up to an hour, then on.
            return (f"WARNING table {name}: TTL is on {found}, but the app writes expiry times"
                    f" to {attribute}, so nothing expires; turn TTL off (it takes up to an"
                    " hour), then run this again")
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
        )
    return f"table {name}: TTL on {attribute} turned on"


def _describe_table(client: DynamoDBClient, name: str) -> dict[str, Any] | None:
    try:
        return dict(client.describe_table(TableName=name)["Table"])
    except AWS_ERRORS as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise translate_client_error(exc) from exc


def _ensure_point_in_time_recovery(client: DynamoDBClient, name: str) -> str:
    try:
        description = client.describe_continuous_backups(TableName=name)
        status = description["ContinuousBackupsDescription"]
        pitr = status.get("PointInTimeRecoveryDescription", {})
        if pitr.get("PointInTimeRecoveryStatus") == "ENABLED":
            return f"table {name}: point-in-time recovery already on"
        client.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
        return f"table {name}: point-in-time recovery turned on"
    except (*AWS_ERRORS, NotImplementedError) as exc:
        # Some emulators lack continuous backups; the tables work without it.
        return f"table {name}: point-in-time recovery not available here ({type(exc).__name__})"


def _ensure_bucket(
    client: S3Client, name: str, dry_run: bool, cors_origins: Sequence[str]
) -> list[str]:
    exists = _bucket_exists(client, name)
    if dry_run:
        return [f"found bucket {name}" if exists else f"would create bucket {name}"]
    lines = [f"found bucket {name}"]
    with aws_errors():
        if not exists:
            client.create_bucket(Bucket=name, **_location(client))
            lines = [f"created bucket {name}"]
        # Re-applied on every run: a bucket found open or unencrypted is made private again.
        client.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK
        )
        client.put_bucket_encryption(
            Bucket=name, ServerSideEncryptionConfiguration=DEFAULT_ENCRYPTION
        )
        client.put_bucket_cors(Bucket=name, CORSConfiguration=cors_rules(cors_origins))
        # Versioning is aws mode's file backup: a deleted or overwritten file stays restorable
        # for NONCURRENT_DAYS, as in the CloudFormation template.
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        client.put_bucket_lifecycle_configuration(Bucket=name,
                                                  LifecycleConfiguration=LIFECYCLE)
    lines.append(f"bucket {name}: public access blocked, AES256 default, CORS for presigned URLs,"
                 f" versioning on (older versions kept {NONCURRENT_DAYS} days)")
    return lines


def _bucket_exists(client: S3Client, name: str) -> bool:
    try:
        client.head_bucket(Bucket=name)
    except AWS_ERRORS as exc:
        if error_code(exc) in {"404", "NoSuchBucket", "NotFound"}:
            return False
        raise translate_client_error(exc) from exc
    return True


def _location(client: S3Client) -> dict[str, Any]:
    """us-east-1 takes no LocationConstraint (and rejects one); every other region needs it."""
    region = client.meta.region_name
    if region in (None, "us-east-1"):
        return {}
    return {"CreateBucketConfiguration": {"LocationConstraint": region}}
