"""The one composition root: ``build_services(settings) -> Services``.

Only this module knows which adapter serves which port in which mode; ``services/wiring.py``
wires the use cases to them without naming one. Clients are created here, never at import
time, so tests and scripts can build services against any endpoint. It also makes what scripts
and the admin tools need from adapters: the doctor's checks, AWS names and clients, backups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.accounts.passwords import LocalPasswords
from services.analytics.ingest import SinkedEventStore
from services.cookie_key_file import cookie_key
from services.domain.checks import CheckStep
from services.domain.email_claims import EmailClaimsReport
from services.errors import ConfigError, DemoFactoryError
from services.imports.legacy.source import ANALYTICS_TABLE, CONTENT_TABLE, LegacySource
from services.ops.audit_spool import SPOOL_FILE
from services.ops.backup import DatabaseCopier, Manifest, create_backup, restore_backup
from services.ops.doctor.base import Check, DoctorContext
from services.ports import (
    LLM,
    Mailer,
    PasswordAuthenticator,
    UserDirectory,
)
from services.reports.models import model_offer
from services.resource_names import bucket_name
from services.settings import Settings
from services.wiring import (
    AdapterTools,
    CognitoPorts,
    Ports,
    Services,
    first_admin_form,
    wire,
)

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

    from services.adapters.aws.cognito.signup import SignupRecords


__all__ = [
    "CognitoPorts", "Ports", "Services", "aws_client", "backup_local", "build_aws_ports",
    "build_local_ports", "build_services", "claim_pool_emails", "cookie_key", "database_copier",
    "doctor_checks", "doctor_context", "first_admin_form", "legacy_source", "provision_aws",
    "report_models", "resolve_aws_names", "restore_local",
]


def build_services(settings: Settings, ports: Ports | None = None) -> Services:
    """Wire use cases to the adapters of ``settings.backend`` (or to ``ports`` in tests)."""
    if ports is None and settings.backend == "local":
        ports = build_local_ports(settings)
    elif ports is None:
        # The services (and the doctor) see the bucket's name, derived once here if unset.
        settings = resolve_aws_names(settings)
        ports = build_aws_ports(settings)
    return wire(settings, ports, AdapterTools(
        models=report_models(settings), bedrock_probe=partial(_bedrock_probe, settings),
        doctor_checks=doctor_checks(), doctor_context=partial(doctor_context, settings)))


def _bedrock_probe(settings: Settings, model_id: str) -> tuple[str | None, list[CheckStep]]:
    from services.adapters.aws.bedrock import check

    return check.probe(settings, model_id, check.make_clients)


def build_local_ports(settings: Settings) -> Ports:
    from services.adapters.localfs import LocalBlobStore
    from services.adapters.sqlite.audit import SqliteAuditLog
    from services.adapters.sqlite.cohorts import SqliteCohortStore
    from services.adapters.sqlite.content import SqliteContentRepository
    from services.adapters.sqlite.db import SqliteDatabase
    from services.adapters.sqlite.events import SqliteEventStore
    from services.adapters.sqlite.follows import SqliteFollowStore
    from services.adapters.sqlite.funnels import SqliteFunnelStore
    from services.adapters.sqlite.inquiries import SqliteInquiryStore
    from services.adapters.sqlite.live import SqliteLiveWindow
    from services.adapters.sqlite.reports import SqliteReportStore
    from services.adapters.sqlite.sessions import SqliteSessionStore
    from services.adapters.sqlite.tokens import SqliteAccountTokens
    from services.adapters.sqlite.users import SqliteUserDirectory

    db = SqliteDatabase(settings.sqlite_path)
    db.migrate()
    users = SqliteUserDirectory(db)
    cohorts = SqliteCohortStore(db, settings.tz)
    live = SqliteLiveWindow(db)
    funnels = SqliteFunnelStore(db, settings.tz, settings.event_retention_days)
    return Ports(
        content=SqliteContentRepository(db),
        blobs=LocalBlobStore(settings.files_dir),
        users=users,
        audit=SqliteAuditLog(db),
        events=SinkedEventStore(
            SqliteEventStore(db, settings.tz, settings.event_retention_days),
            sinks=(cohorts, live, funnels),
        ),
        passwords=LocalPasswords(users),
        throttle=users,
        inquiries=SqliteInquiryStore(db),
        reports=SqliteReportStore(db),
        mailer=_mailer(settings),
        sessions=SqliteSessionStore(db),
        signup=users,
        tokens=SqliteAccountTokens(db),
        email_confirmation=users,
        cohorts=cohorts,
        live=live,
        funnels=funnels,
        follows=SqliteFollowStore(db),
    )


def build_aws_ports(settings: Settings) -> Ports:
    from services.adapters.aws.common import make_client
    from services.adapters.aws.dynamodb.audit import DynamoAuditLog
    from services.adapters.aws.dynamodb.cohorts import DynamoCohortStore
    from services.adapters.aws.dynamodb.content import DynamoContentRepository
    from services.adapters.aws.dynamodb.events import DynamoEventStore
    from services.adapters.aws.dynamodb.follows import DynamoFollowStore
    from services.adapters.aws.dynamodb.funnels import DynamoFunnelStore
    from services.adapters.aws.dynamodb.inquiries import DynamoInquiryStore
    from services.adapters.aws.dynamodb.live import DynamoLiveWindow
    from services.adapters.aws.dynamodb.reports import DynamoReportStore
    from services.adapters.aws.dynamodb.sessions import DynamoSessionStore
    from services.adapters.aws.dynamodb.tokens import DynamoAccountTokens
    from services.adapters.aws.dynamodb.users import DynamoUserDirectory
    from services.adapters.aws.s3 import S3BlobStore

    settings = resolve_aws_names(settings)
    settings.require_aws()
    dynamodb = make_client("dynamodb", settings)
    assert settings.content_table and settings.likes_table and settings.users_table
    assert settings.audit_table and settings.bucket and settings.inquiries_table
    assert settings.events_table and settings.rollups_table
    assert settings.reports_table and settings.sessions_table
    # With Cognito the pool's accounts own the emails; the table keeps sign-up records only.
    table_users = DynamoUserDirectory(dynamodb, settings.users_table,
                                      claims_emails=settings.auth != "cognito")
    cohorts = DynamoCohortStore(dynamodb, settings.rollups_table, settings.tz)
    users: UserDirectory = table_users
    passwords: PasswordAuthenticator = LocalPasswords(table_users)
    cognito = None
    if settings.auth == "cognito":
        # The pool is the directory and keeps the passwords; the users table keeps only the
        # login failures (LoginThrottle) in this mode.
        users, passwords, cognito = _cognito(settings, dynamodb, table_users)
    live = DynamoLiveWindow(dynamodb, settings.events_table)
    funnels = DynamoFunnelStore(dynamodb, settings.events_table, settings.rollups_table,
                                settings.tz, settings.event_retention_days)
    return Ports(
        content=DynamoContentRepository(dynamodb, settings.content_table, settings.likes_table),
        blobs=S3BlobStore(make_client("s3", settings), settings.bucket),
        users=users,
        audit=DynamoAuditLog(dynamodb, settings.audit_table),
        events=SinkedEventStore(
            DynamoEventStore(dynamodb, settings.events_table, settings.rollups_table,
                             settings.tz, settings.event_retention_days),
            sinks=(cohorts, live, funnels),
        ),
        passwords=passwords,
        throttle=table_users,
        inquiries=DynamoInquiryStore(dynamodb, settings.inquiries_table),
        reports=DynamoReportStore(dynamodb, settings.reports_table),
        mailer=_mailer(settings),
        cognito=cognito,
        sessions=DynamoSessionStore(dynamodb, settings.sessions_table),
        signup=table_users if cognito is None else cognito.signup_records,
        tokens=DynamoAccountTokens(dynamodb, settings.sessions_table) if cognito is None else None,
        email_confirmation=table_users if cognito is None else None,
        cohorts=cohorts,
        live=live,
        funnels=funnels,
        follows=DynamoFollowStore(dynamodb, settings.events_table),
    )


def _cognito(
    settings: Settings, dynamodb: DynamoDBClient, records: SignupRecords
) -> tuple[UserDirectory, PasswordAuthenticator, CognitoPorts]:
    from services.adapters.aws.cognito.auth import CognitoIdentityProvider, CognitoPasswords
    from services.adapters.aws.cognito.pool import pool_directory
    from services.adapters.aws.cognito.signup import CognitoSelfSignUp, CognitoSignupDirectory
    from services.adapters.aws.common import make_client
    from services.adapters.aws.dynamodb.admin_guard import ADMIN_LEASE_KEY
    from services.adapters.aws.dynamodb.lease import Lease
    from services.adapters.aws.dynamodb.sessions import DynamoSessionStore
    from services.adapters.jwt_verify import JwksTokenVerifier, cognito_issuers, jwks_url

    assert settings.cognito_user_pool_id and settings.cognito_app_client_id
    assert settings.sessions_table and settings.users_table
    client = make_client("cognito-idp", settings)
    pool, client_id = settings.cognito_user_pool_id, settings.cognito_app_client_id
    secret = settings.cognito_app_client_secret
    secret_text = secret.get_secret_value() if secret else None
    endpoint = str(client.meta.endpoint_url)
    region = str(client.meta.region_name)
    # The pool has no conditional writes: its administrator guards run under a lease that
    # holds across app servers.
    admin_lease = Lease(dynamodb, settings.users_table, {"username": ADMIN_LEASE_KEY})
    directory = pool_directory(settings, client, dynamodb, records, guard=admin_lease.held)
    identity = CognitoIdentityProvider(client, pool, client_id, secret_text)
    signup_records = CognitoSignupDirectory(records, directory)
    passwords = CognitoPasswords(
        client, pool, client_id, secret.get_secret_value() if secret else None
    )
    ports = CognitoPorts(
        identity=identity,
        tokens=JwksTokenVerifier(
            jwks_url(endpoint, region, pool), cognito_issuers(endpoint, region, pool), client_id
        ),
        sessions=DynamoSessionStore(dynamodb, settings.sessions_table),
        signup=CognitoSelfSignUp(client, pool, client_id, secret_text, directory),
        signup_records=signup_records,
        email_codes=identity,
        refresh_record=signup_records.refresh,
        sign_out=passwords,
    )
    return directory, passwords, ports


def claim_pool_emails(settings: Settings, *, dry_run: bool = False) -> EmailClaimsReport:
    """Cognito sign-in: claim the address of every pool account that holds no claim (made
    before claims existed, or in the console), as the app claims a new account's. Local
    accounts get theirs from ``provision_aws``."""
    from services.adapters.aws.cognito.pool import pool_directory
    from services.adapters.aws.common import make_client
    from services.adapters.aws.dynamodb.users import DynamoUserDirectory

    if settings.auth != "cognito":
        raise ConfigError("cognito.err_claims_pool_only")
    settings.require_aws(bucket=False)
    assert settings.users_table
    dynamodb = make_client("dynamodb", settings)
    records = DynamoUserDirectory(dynamodb, settings.users_table, claims_emails=False)
    directory = pool_directory(settings, make_client("cognito-idp", settings), dynamodb, records)
    return directory.claim_existing_emails(dry_run=dry_run)


def _mailer(settings: Settings) -> Mailer | None:
    """SES when a sender is set (the contact form also needs a recipient, account mails the
    public address: each use checks its own)."""
    if not settings.ses_sender:
        return None
    from services.adapters.aws.common import make_client
    from services.adapters.aws.ses import SesMailer

    region = settings.ses_region or settings.aws_region
    return SesMailer(make_client("ses", settings.model_copy(update={"aws_region": region})))


def report_models(settings: Settings, environ: Mapping[str, str] | None = None,
                  home: Path | None = None) -> dict[str, LLM]:
    """The offline narrator, and Bedrock where it is configured (as the doctor judges it).
    Nothing calls AWS here."""
    from services.adapters.aws.bedrock.lazy import LazyBedrock, bedrock_configured

    offered = bedrock_configured(settings, environ, home)
    return model_offer(settings, LazyBedrock(settings) if offered else None)


def doctor_checks() -> list[Check]:
    """Every check of the config doctor, in the order they are reported; each says its modes."""
    from services.adapters.aws.cognito.doctor_checks import COGNITO_CHECKS
    from services.adapters.aws.doctor_checks import AWS_CHECKS
    from services.adapters.sqlite.doctor_checks import SQLITE_CHECKS
    from services.ops.doctor.local import LOCAL_CHECKS
    from services.ops.doctor.oidc import OIDC_CHECKS

    data_dir, *settings_checks = LOCAL_CHECKS  # the database file right after its folder
    return [data_dir, *SQLITE_CHECKS, *settings_checks, *AWS_CHECKS, *COGNITO_CHECKS,
            *OIDC_CHECKS]


def doctor_context(settings: Settings, env: Mapping[str, str],
                   include_bedrock: bool) -> DoctorContext:
    """What the doctor reads, with this root's AWS clients (made only when a check asks)."""
    from services.adapters.aws.bedrock.check import make_clients
    from services.adapters.aws.common import make_client

    def factory(service: str) -> Callable[[Settings], Any]:
        return partial(make_client, service)

    if settings.backend == "aws":
        # Without a bucket name the bucket check says why; the table checks show the error.
        with suppress(DemoFactoryError):
            settings = resolve_aws_names(settings)

    return DoctorContext(settings, env=dict(env), include_bedrock=include_bedrock,
                         dynamodb=factory("dynamodb"), s3=factory("s3"),
                         cognito=factory("cognito-idp"), ses=factory("ses"),
                         bedrock_clients=make_clients)


def aws_client(service: str, settings: Settings) -> Any:
    """A boto3 client for the scripts that set up or emulate aws mode."""
    from services.adapters.aws.common import make_client

    return make_client(service, settings)


def resolve_aws_names(settings: Settings) -> Settings:
    """``settings`` with the bucket named: DEMO_FACTORY_BUCKET, else the name derived from the
    prefix, the account (one STS GetCallerIdentity, which needs no permission) and the region.
    The tables are named by the settings themselves."""
    if settings.bucket:
        return settings
    from services.adapters.aws.common import aws_errors

    sts = aws_client("sts", settings)
    with aws_errors():
        account = str(sts.get_caller_identity()["Account"])
    region = settings.aws_region or str(sts.meta.region_name)
    return settings.model_copy(
        update={"bucket": bucket_name(settings.resource_prefix, account, region)})


def provision_aws(settings: Settings, *, dry_run: bool = False,
                  cors_origins: Sequence[str] = ("*",)) -> list[str]:
    """Create the tables and the bucket aws mode needs (idempotent); what was done, a line each."""
    from services.adapters.aws.provision import ensure_resources

    settings = resolve_aws_names(settings)
    return ensure_resources(aws_client("dynamodb", settings), aws_client("s3", settings),
                            settings, dry_run=dry_run, cors_origins=cors_origins)


def legacy_source(
    settings: Settings, *, folder: Path | None = None, bucket: str | None = None,
    region: str | None = None, content_table: str = CONTENT_TABLE,
    analytics_table: str = ANALYTICS_TABLE,
) -> LegacySource:
    """The previous platform's data: an exported folder, else its tables and bucket (in
    ``region``, else the configured one; ``AWS_ENDPOINT_URL`` honoured)."""
    if folder is not None:
        from services.adapters.legacy_folder import FolderSource

        return FolderSource(folder, content_table=content_table, analytics_table=analytics_table)
    from services.adapters.aws.common import make_client
    from services.adapters.aws.legacy_source import DynamoDBSource

    where = settings.model_copy(update={"aws_region": region or settings.aws_region})
    return DynamoDBSource(make_client("dynamodb", where), make_client("s3", where),
                          content_table=content_table, analytics_table=analytics_table,
                          bucket=bucket)


def database_copier(settings: Settings) -> DatabaseCopier:
    """Local mode's database, copied online (for backups) and read back."""
    from services.adapters.sqlite import backup as sqlite_backup

    return DatabaseCopier(snapshot=partial(sqlite_backup.snapshot, settings.sqlite_path),
                          counts=sqlite_backup.counts, storage_keys=sqlite_backup.storage_keys)


def backup_local(settings: Settings, dest: Path) -> Manifest:
    """Write a backup of local mode's database and files into the new or empty ``dest``."""
    from services.adapters.localfs import LocalBlobStore

    if settings.backend != "local":
        raise ConfigError("backup.err_local_only")
    if not settings.sqlite_path.is_file():
        raise ConfigError("backup.err_no_database", path=str(settings.sqlite_path))
    return create_backup(dest, database_copier(settings), LocalBlobStore(settings.files_dir),
                         spool=settings.data_dir / SPOOL_FILE)


def restore_local(settings: Settings, src: Path) -> Manifest:
    """Bring the backup in ``src`` into local mode's data folder, which must be empty."""
    from services.adapters.localfs import LocalBlobStore

    if settings.backend != "local":
        raise ConfigError("backup.err_local_only")

    def at(root: Path) -> Settings:
        # The restore is built in a staging folder renamed to data_dir at the end: the database
        # file and the files go where these settings would put them with that folder as data_dir.
        return settings.model_copy(update={"data_dir": root})

    return restore_backup(src, settings.data_dir, database=lambda root: at(root).sqlite_path,
                          blobs=lambda root: LocalBlobStore(at(root).files_dir))
