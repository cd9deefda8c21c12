"""Doctor checks of aws mode's resources (tables with their indexes and TTL, the bucket's
privacy and encryption) and of Bedrock, reusing the connectivity check's steps.

``dynamodb_schema.TABLE_SPECS`` is the source of truth for what each table must have.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.adapters.aws.bedrock.errors import diagnose
from services.adapters.aws.common import error_code, translate_client_error
from services.adapters.aws.dynamodb.schema import TABLE_SPECS, TableSpec
from services.ops.bedrock_check import Message, bedrock_configured, bedrock_steps
from services.ops.doctor.base import Check, DoctorContext, DoctorLine

AWS = frozenset({"aws"})
_AWS_ERRORS = (ClientError, BotoCoreError)
_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                "RestrictPublicBuckets")


def _line(check: str, ok: bool, detail: str, fix: str | None = None,
          **params: Any) -> DoctorLine:
    prefix = "admin_tools."
    return DoctorLine(check, ok, Message(prefix + detail, params),
                      Message(prefix + fix, params) if fix else None)


def _aws_failure(check: str, exc: Exception, resource: str) -> DoctorLine:
    """An AWS error reading a resource: the project's message for it, and where to look."""
    error = translate_client_error(exc)
    detail = Message(error.key, dict(error.params))
    return DoctorLine(check, False, detail,
                      Message("admin_tools.fix_aws_read", {"resource": resource}))


# ---- DynamoDB --------------------------------------------------------------------------------


def check_tables(context: DoctorContext) -> list[DoctorLine]:
    client = context.dynamodb(context.settings)
    lines: list[DoctorLine] = []
    for key, spec in TABLE_SPECS.items():
        name = getattr(context.settings, spec.setting, None)
        check = f"aws.table.{key}"
        if not name:
            lines.append(_line(check, False, "doc_setting_missing", "fix_setting_missing",
                               variable=f"DEMO_FACTORY_{spec.setting.upper()}"))
            continue
        lines.extend(_table_lines(client, check, str(name), spec))
    return lines


def _table_lines(client: Any, check: str, name: str, spec: TableSpec) -> list[DoctorLine]:
    try:
        table = client.describe_table(TableName=name)["Table"]
    except _AWS_ERRORS as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return [_line(check, False, "doc_table_missing", "fix_bootstrap", table=name)]
        return [_aws_failure(check, exc, name)]
    status = str(table.get("TableStatus", "?"))
    lines = [_line(check, status == "ACTIVE", "doc_table_ok" if status == "ACTIVE" else
                   "doc_table_not_active", "fix_table_not_active", table=name, status=status)]
    if spec.indexes:
        lines.append(_index_line(check, name, spec, table))
    ttl_attribute = getattr(spec, "ttl_attribute", None)  # only tables with expiring items
    if ttl_attribute:
        lines.append(_ttl_line(client, check, name, str(ttl_attribute)))
    return lines


def _index_line(check: str, name: str, spec: TableSpec, table: dict[str, Any]) -> DoctorLine:
    have = {str(i["IndexName"]): str(i.get("IndexStatus", "ACTIVE"))
            for i in table.get("GlobalSecondaryIndexes", [])}
    missing = [i.name for i in spec.indexes if i.name not in have]
    building = [i.name for i in spec.indexes if have.get(i.name, "ACTIVE") != "ACTIVE"]
    if missing:
        return _line(f"{check}.indexes", False, "doc_indexes_missing", "fix_indexes",
                     table=name, indexes=", ".join(missing))
    if building:
        return _line(f"{check}.indexes", False, "doc_indexes_building", "fix_indexes_building",
                     table=name, indexes=", ".join(building))
    return _line(f"{check}.indexes", True, "doc_indexes_ok", table=name,
                 indexes=", ".join(i.name for i in spec.indexes))


def _ttl_line(client: Any, check: str, name: str, attribute: str) -> DoctorLine:
    try:
        ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    except _AWS_ERRORS as exc:
        return _aws_failure(f"{check}.ttl", exc, name)
    status = str(ttl.get("TimeToLiveStatus", "DISABLED"))
    on_attribute = ttl.get("AttributeName") == attribute
    if status in ("ENABLED", "ENABLING") and on_attribute:
        return _line(f"{check}.ttl", True, "doc_ttl_ok", table=name, attribute=attribute)
    return _line(f"{check}.ttl", False, "doc_ttl_off", "fix_ttl", table=name,
                 attribute=attribute, status=status)


# ---- S3 --------------------------------------------------------------------------------------


def check_bucket(context: DoctorContext) -> list[DoctorLine]:
    name = context.settings.bucket
    if not name:
        return [_line("aws.bucket", False, "doc_setting_missing", "fix_setting_missing",
                      variable="DEMO_FACTORY_BUCKET")]
    client = context.s3(context.settings)
    try:
        client.head_bucket(Bucket=name)
    except _AWS_ERRORS as exc:
        if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
            return [_line("aws.bucket", False, "doc_bucket_missing", "fix_bootstrap",
                          bucket=name)]
        return [_aws_failure("aws.bucket", exc, name)]
    return [_line("aws.bucket", True, "doc_bucket_ok", bucket=name),
            _privacy_line(client, name), _encryption_line(client, name)]


def _privacy_line(client: Any, name: str) -> DoctorLine:
    try:
        config = client.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    except _AWS_ERRORS as exc:
        if error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
            return _aws_failure("aws.bucket.private", exc, name)
        config = {}
    open_flags = [flag for flag in _BLOCK_FLAGS if not config.get(flag)]
    if open_flags:
        return _line("aws.bucket.private", False, "doc_bucket_public", "fix_bucket_private",
                     bucket=name, flags=", ".join(open_flags))
    return _line("aws.bucket.private", True, "doc_bucket_private", bucket=name)


def _encryption_line(client: Any, name: str) -> DoctorLine:
    try:
        rules = client.get_bucket_encryption(Bucket=name)[
            "ServerSideEncryptionConfiguration"].get("Rules", [])
    except _AWS_ERRORS as exc:
        if error_code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            return _aws_failure("aws.bucket.encrypted", exc, name)
        rules = []
    algorithms = [str(r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", ""))
                  for r in rules]
    algorithms = [a for a in algorithms if a]
    if not algorithms:
        return _line("aws.bucket.encrypted", False, "doc_bucket_unencrypted",
                     "fix_bucket_encryption", bucket=name)
    return _line("aws.bucket.encrypted", True, "doc_bucket_encrypted", bucket=name,
                 algorithm=", ".join(algorithms))


# ---- Bedrock ---------------------------------------------------------------------------------


def check_bedrock(context: DoctorContext) -> list[DoctorLine]:
    settings = context.settings
    if not context.include_bedrock:
        return [_line("bedrock", True, "doc_bedrock_skipped")]
    if not bedrock_configured(settings):
        return [_line("bedrock", True, "doc_bedrock_not_configured")]
    try:
        clients = context.bedrock_clients(settings)
    except _AWS_ERRORS as exc:  # e.g. AWS_PROFILE names a profile that does not exist
        found = diagnose(exc, model_id=settings.bedrock_model_id)
        return [DoctorLine("bedrock", False, Message(found.message_key, found.params),
                           Message(found.fix_key, found.params))]
    return [
        DoctorLine(f"bedrock.{step.name}", step.ok, step.detail, step.fix)
        for step in bedrock_steps(clients, settings.bedrock_model_id)
        if not step.skipped
    ]


AWS_CHECKS = [
    Check("aws.tables", check_tables, AWS),
    Check("aws.bucket", check_bucket, AWS),
    Check("bedrock", check_bedrock),
]
