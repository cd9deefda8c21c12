"""Doctor checks of aws mode's resources (tables with their keys, indexes, TTL and point-in-time
recovery, the bucket's privacy, encryption and versioning: the two are aws mode's backups) and
of Bedrock, reusing the connectivity check's steps. They live with the adapters because they
read the adapters' schema and speak boto3; the clients come from the doctor's context (the
composition root's), else from ``make_client``.

``dynamodb_schema.TABLE_SPECS`` is the source of truth for what each table must have.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.adapters.aws.bedrock import check as bedrock_probe
from services.adapters.aws.bedrock.errors import diagnose
from services.adapters.aws.bedrock.lazy import bedrock_configured
from services.adapters.aws.common import error_code, make_client, translate_client_error
from services.adapters.aws.dynamodb.schema import TABLE_SPECS, TableSpec
from services.adapters.aws.dynamodb.schema_check import index_mismatches, table_keys_mismatch
from services.domain.checks import DoctorLine, Message, doctor_line, skipped_line
from services.ops.bedrock_check import emulated_without_bedrock
from services.ops.doctor.base import Check, ClientFactory, DoctorContext

AWS = frozenset({"aws"})
_AWS_ERRORS = (ClientError, BotoCoreError)
_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                "RestrictPublicBuckets")
# What a table without working TTL keeps for ever, by TABLE_SPECS key (a test checks that
# every table with a TTL attribute has its message).
TTL_OFF_DETAILS = {"sessions": "doc_ttl_off_sessions", "inquiries": "doc_ttl_off_inquiries",
                   "events": "doc_ttl_off_events"}


def client_of(factory: ClientFactory | None, service: str, context: DoctorContext) -> Any:
    """The context's client for ``service``, else one made from the settings."""
    return (factory or (lambda settings: make_client(service, settings)))(context.settings)


def aws_failure(check: str, exc: Exception, resource: str) -> DoctorLine:
    """An AWS error reading a resource: the project's message for it, and where to look."""
    error = translate_client_error(exc)
    detail = Message(error.key, dict(error.params))
    return DoctorLine(check, False, detail,
                      Message("admin_tools.fix_aws_read", {"resource": resource}))


# ---- names ------------------------------------------------------------------------------------


def check_names(context: DoctorContext) -> list[DoctorLine]:
    """Where the names come from: the prefix, and which ones their own variable overrides."""
    settings = context.settings
    overrides = settings.overridden_names()
    names = [str(getattr(settings, spec.setting)) for spec in TABLE_SPECS.values()]
    names += [settings.bucket] if settings.bucket else []
    derived = ", ".join(name for name in names if name not in overrides.values())
    if not overrides:
        return [doctor_line("aws.names", True, "doc_names", prefix=settings.resource_prefix,
                            names=derived)]
    return [doctor_line("aws.names", True, "doc_names_overridden",
                        prefix=settings.resource_prefix, names=derived or "-",
                        overrides=", ".join(f"{k}={v}" for k, v in overrides.items()))]


# ---- DynamoDB --------------------------------------------------------------------------------


def check_tables(context: DoctorContext) -> list[DoctorLine]:
    client = client_of(context.dynamodb, "dynamodb", context)
    lines: list[DoctorLine] = []
    for key, spec in TABLE_SPECS.items():
        name = getattr(context.settings, spec.setting, None)
        check = f"aws.table.{key}"
        if not name:
            lines.append(doctor_line(check, False, "doc_setting_missing", "fix_setting_missing",
                                     variable=f"DEMO_FACTORY_{spec.setting.upper()}"))
            continue
        lines.extend(_table_lines(client, key, str(name), spec))
    return lines


def _table_lines(client: Any, key: str, name: str, spec: TableSpec) -> list[DoctorLine]:
    check = f"aws.table.{key}"
    try:
        table = client.describe_table(TableName=name)["Table"]
    except _AWS_ERRORS as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return [doctor_line(check, False, "doc_table_missing", "fix_bootstrap", table=name)]
        return [aws_failure(check, exc, name)]
    status = str(table.get("TableStatus", "?"))
    lines = [doctor_line(check, status == "ACTIVE", "doc_table_ok" if status == "ACTIVE" else
                         "doc_table_not_active", "fix_table_not_active", table=name, status=status),
             _keys_line(check, name, spec, table)]
    if spec.indexes:
        lines.append(_index_line(check, name, spec, table))
    ttl_attribute = getattr(spec, "ttl_attribute", None)  # only tables with expiring items
    if ttl_attribute:
        lines.append(_ttl_line(client, key, name, str(ttl_attribute)))
    lines.append(_pitr_line(client, check, name))
    return lines


def _pitr_line(client: Any, check: str, name: str) -> DoctorLine:
    """Point-in-time recovery: the table can be restored to any second of the last 35 days."""
    try:
        backups = client.describe_continuous_backups(TableName=name)[
            "ContinuousBackupsDescription"]
    except _AWS_ERRORS as exc:
        return aws_failure(f"{check}.pitr", exc, name)
    status = str(backups.get("PointInTimeRecoveryDescription", {}).get(
        "PointInTimeRecoveryStatus", "DISABLED"))
    if status == "ENABLED":
        return doctor_line(f"{check}.pitr", True, "doc_pitr_ok", table=name)
    return doctor_line(f"{check}.pitr", False, "doc_pitr_off", "fix_pitr", table=name,
                       status=status)


def _keys_line(check: str, name: str, spec: TableSpec, table: dict[str, Any]) -> DoctorLine:
    """The table's own keys: found otherwise, every read of the app fails."""
    mismatch = table_keys_mismatch(spec, table)
    if mismatch is None:
        return doctor_line(f"{check}.keys", True, "doc_keys_ok", table=name,
                           keys=", ".join(k["AttributeName"] for k in table["KeySchema"]))
    return doctor_line(f"{check}.keys", False, "doc_keys_wrong", "fix_keys_wrong", table=name,
                       expected=mismatch.expected, found=mismatch.found)


def _index_line(check: str, name: str, spec: TableSpec, table: dict[str, Any]) -> DoctorLine:
    have = {str(i["IndexName"]): str(i.get("IndexStatus", "ACTIVE"))
            for i in table.get("GlobalSecondaryIndexes", [])}
    missing = [i.name for i in spec.indexes if i.name not in have]
    building = [i.name for i in spec.indexes if have.get(i.name, "ACTIVE") != "ACTIVE"]
    if missing:
        return doctor_line(f"{check}.indexes", False, "doc_indexes_missing", "fix_indexes",
                           table=name, indexes=", ".join(missing))
    wrong = index_mismatches(spec, table)
    if wrong:
        return doctor_line(f"{check}.indexes", False, "doc_index_keys_wrong",
                           "fix_index_keys_wrong", table=name,
                           indexes=" | ".join(m.describe() for m in wrong),
                           names=", ".join(str(m.index) for m in wrong))
    if building:
        return doctor_line(
            f"{check}.indexes", False, "doc_indexes_building", "fix_indexes_building",
            table=name, indexes=", ".join(building))
    return doctor_line(f"{check}.indexes", True, "doc_indexes_ok", table=name,
                       indexes=", ".join(i.name for i in spec.indexes))


def _ttl_line(client: Any, key: str, name: str, attribute: str) -> DoctorLine:
    check = f"aws.table.{key}.ttl"
    try:
        ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    except _AWS_ERRORS as exc:
        return aws_failure(check, exc, name)
    status = str(ttl.get("TimeToLiveStatus", "DISABLED"))
    found = str(ttl.get("AttributeName") or "-")
    on = status in ("ENABLED", "ENABLING")
    if on and found == attribute:
        return doctor_line(check, True, "doc_ttl_ok", table=name, attribute=attribute)
    # Each table says what it would keep for ever (its own message when it has one).
    detail = TTL_OFF_DETAILS.get(key, "doc_ttl_off")
    # On another attribute, bootstrap_aws changes nothing (one TTL attribute per table).
    fix = "fix_ttl_wrong_attribute" if on else "fix_ttl"
    return doctor_line(check, False, detail, fix, table=name, attribute=attribute,
                       status=status, found=found)


# ---- S3 --------------------------------------------------------------------------------------


def check_bucket(context: DoctorContext) -> list[DoctorLine]:
    name = context.settings.bucket
    if not name:
        # The composition root derives it from the account id, which AWS did not give.
        return [doctor_line("aws.bucket", False, "doc_bucket_unnamed", "fix_bucket_unnamed",
                            prefix=context.settings.resource_prefix)]
    client = client_of(context.s3, "s3", context)
    try:
        client.head_bucket(Bucket=name)
    except _AWS_ERRORS as exc:
        if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
            return [doctor_line("aws.bucket", False, "doc_bucket_missing", "fix_bootstrap",
                                bucket=name)]
        return [aws_failure("aws.bucket", exc, name)]
    return [doctor_line("aws.bucket", True, "doc_bucket_ok", bucket=name),
            _privacy_line(client, name), _encryption_line(client, name),
            _versioning_line(client, name)]


def _versioning_line(client: Any, name: str) -> DoctorLine:
    """Versioning keeps a deleted or overwritten file as an older version (restorable)."""
    try:
        status = str(client.get_bucket_versioning(Bucket=name).get("Status") or "Disabled")
    except _AWS_ERRORS as exc:
        return aws_failure("aws.bucket.versioned", exc, name)
    if status == "Enabled":
        return doctor_line("aws.bucket.versioned", True, "doc_bucket_versioned", bucket=name)
    return doctor_line("aws.bucket.versioned", False, "doc_bucket_unversioned",
                       "fix_bucket_versioning", bucket=name, status=status)


def _privacy_line(client: Any, name: str) -> DoctorLine:
    try:
        config = client.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    except _AWS_ERRORS as exc:
        if error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
            return aws_failure("aws.bucket.private", exc, name)
        config = {}
    open_flags = [flag for flag in _BLOCK_FLAGS if not config.get(flag)]
    if open_flags:
        return doctor_line("aws.bucket.private", False, "doc_bucket_public", "fix_bucket_private",
                           bucket=name, flags=", ".join(open_flags))
    return doctor_line("aws.bucket.private", True, "doc_bucket_private", bucket=name)


def _encryption_line(client: Any, name: str) -> DoctorLine:
    try:
        rules = client.get_bucket_encryption(Bucket=name)[
            "ServerSideEncryptionConfiguration"].get("Rules", [])
    except _AWS_ERRORS as exc:
        if error_code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            return aws_failure("aws.bucket.encrypted", exc, name)
        rules = []
    algorithms = [str(r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", ""))
                  for r in rules]
    algorithms = [a for a in algorithms if a]
    if not algorithms:
        return doctor_line("aws.bucket.encrypted", False, "doc_bucket_unencrypted",
                           "fix_bucket_encryption", bucket=name)
    return doctor_line("aws.bucket.encrypted", True, "doc_bucket_encrypted", bucket=name,
                       algorithm=", ".join(algorithms))


# ---- Bedrock ---------------------------------------------------------------------------------


def check_bedrock(context: DoctorContext) -> list[DoctorLine]:
    settings = context.settings
    # The emulation's reason first, ticked or not: "left out of this run" would invite a tick
    # that can only say the emulation has no Bedrock. Not a fault of this set-up either way.
    if emulated_without_bedrock(settings):
        return [skipped_line("bedrock", "doc_bedrock_emulated")]
    if not context.include_bedrock:
        return [skipped_line("bedrock", "doc_bedrock_skipped")]
    if not bedrock_configured(settings, context.env, context.home):
        return [skipped_line("bedrock", "doc_bedrock_not_configured")]
    # The probe's own client factory is looked up at call time: tests replace it.
    factory = context.bedrock_clients or bedrock_probe.make_clients
    try:
        clients = factory(settings)
    except _AWS_ERRORS as exc:  # e.g. AWS_PROFILE names a profile that does not exist
        found = diagnose(exc, model_id=settings.bedrock_model_id, service="sts")
        return [DoctorLine("bedrock", False, Message(found.message_key, found.params),
                           Message(found.fix_key, found.params))]
    return [
        DoctorLine(f"bedrock.{step.name}", step.ok, step.detail, step.fix)
        for step in bedrock_probe.bedrock_steps(clients, settings.bedrock_model_id)
        if not step.skipped
    ]


# ---- SES --------------------------------------------------------------------------------------


def check_sender(context: DoctorContext) -> list[DoctorLine]:
    """The mail sender is a verified SES identity (the address, or its domain): otherwise SES
    refuses every mail, and sign-ups, reset links and notifications go nowhere. No line
    without a sender: nothing is mailed then."""
    settings = context.settings
    if not settings.ses_sender:
        return []
    address = parseaddr(settings.ses_sender)[1] or settings.ses_sender
    domain = address.rpartition("@")[2]
    region = settings.ses_region or settings.aws_region
    client = (context.ses or (lambda s: make_client("ses", s)))(
        settings.model_copy(update={"aws_region": region}))
    try:
        answer = client.get_identity_verification_attributes(Identities=[address, domain])
    except _AWS_ERRORS as exc:
        return [aws_failure("mail.sender", exc, address)]
    found: dict[str, Any] = answer["VerificationAttributes"]
    statuses = {name: str(found.get(name, {}).get("VerificationStatus", "NotStarted"))
                for name in (address, domain)}
    if "Success" in statuses.values():
        return [doctor_line("mail.sender", True, "doc_sender_ok", sender=address,
                            region=region or "-")]
    return [doctor_line("mail.sender", False, "doc_sender_unverified", "fix_sender_unverified",
                        sender=address, domain=domain, region=region or "-",
                        status=statuses[address])]


AWS_CHECKS = [
    Check("aws.names", check_names, AWS),
    Check("aws.tables", check_tables, AWS),
    Check("aws.bucket", check_bucket, AWS),
    Check("bedrock", check_bedrock),
    Check("mail.sender", check_sender),
]
