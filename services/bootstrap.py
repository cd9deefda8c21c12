"""The one composition root: ``build_services(settings) -> Services``.

Only this module knows which adapter serves which port in which mode. Clients are created here,
never at import time, so tests and scripts can build services against any endpoint.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.accounts.deletion import AccountRemoval
from services.accounts.mail import AccountMail
from services.accounts.passwords import LocalPasswords
from services.accounts.profile import ProfileService
from services.accounts.reset import PasswordResetService
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions
from services.accounts.sign_in.base import SignInMode, group_names
from services.accounts.sign_in.cognito import CognitoSignIn
from services.accounts.sign_in.local import LocalSignIn
from services.accounts.sign_in.oidc import OidcSignIn
from services.accounts.signup import SignupService
from services.analytics.cohorts import CohortService
from services.analytics.funnels import FunnelService
from services.analytics.ingest import SinkedEventStore
from services.analytics.service import AnalyticsService
from services.analytics.tracker import Tracker
from services.contact.service import InquiryService
from services.content.samples import SampleContent
from services.content.service import ContentService
from services.domain.checks import CheckStep
from services.errors import ConfigError, DemoFactoryError
from services.imports.events import EventImporter
from services.imports.legacy.importer import LegacyImporter
from services.imports.legacy.source import ANALYTICS_TABLE, CONTENT_TABLE, LegacySource
from services.insights.digests import DigestSender
from services.insights.follows import FollowService
from services.insights.service import InsightsService
from services.ops.backup import DatabaseCopier, Manifest, create_backup, restore_backup
from services.ops.doctor.base import Check, DoctorContext
from services.ops.service import OpsService
from services.ports import (
    LLM,
    AccountTokenStore,
    AuditLog,
    BlobStore,
    CohortStore,
    ContentRepository,
    EmailCodes,
    EventStore,
    FollowStore,
    FunnelStore,
    IdentityProvider,
    InquiryStore,
    LiveWindow,
    LoginThrottle,
    Mailer,
    PasswordAuthenticator,
    PoolSignUp,
    ReportStore,
    SessionStore,
    SignupDirectory,
    TokenVerifier,
    UserDirectory,
)
from services.reports.models import model_offer
from services.reports.service import ReportService
from services.settings import Settings, bucket_name

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

    from services.adapters.aws.cognito.signup import SignupRecords


@dataclass(frozen=True)
class CognitoPorts:
    """Sign-in through a Cognito user pool (``DEMO_FACTORY_AUTH=cognito``)."""

    identity: IdentityProvider
    tokens: TokenVerifier
    sessions: SessionStore
    # Self-service sign-up: the pool's SignUp/ConfirmSignUp, and the app's records of it.
    signup: PoolSignUp | None = None
    signup_records: SignupDirectory | None = None
    # A changed email's code, checked by the pool with the user's access token.
    email_codes: EmailCodes | None = None
    # At sign-in: the app's record (users table) takes the pool's name and roles.
    refresh_record: Callable[[str], None] | None = None


@dataclass(frozen=True)
class Ports:
    content: ContentRepository
    blobs: BlobStore
    users: UserDirectory
    audit: AuditLog
    events: EventStore
    passwords: PasswordAuthenticator
    throttle: LoginThrottle
    inquiries: InquiryStore
    reports: ReportStore
    mailer: Mailer | None = None
    cognito: CognitoPorts | None = None
    # Server-side sessions of local sign-ins (every backend has one; None: no local sign-in).
    sessions: SessionStore | None = None
    # The records of self-service sign-ups: the local accounts' store, or in Cognito mode the
    # users table beside the pool (None: no sign-up, as with OIDC).
    signup: SignupDirectory | None = None
    # Single-use tokens of mailed links (verification, password reset) of local accounts.
    tokens: AccountTokenStore | None = None
    # Returning signed-in users, counted at ingest (a sink of ``events``).
    cohorts: CohortStore | None = None
    # The last minutes of real traffic (the dashboard's "now" panel), fed as an event sink.
    live: LiveWindow | None = None
    # Funnel definitions and the visits counted into them at ingest (a sink of ``events``).
    funnels: FunnelStore | None = None
    # Followed metrics, digest frequencies and the digests kept in the app.
    follows: FollowStore | None = None


@dataclass(frozen=True)
class Services:
    settings: Settings
    ports: Ports
    content: ContentService
    accounts: AccountService
    tracker: Tracker
    analytics: AnalyticsService
    insights: InsightsService
    reports: ReportService
    inquiries: InquiryService
    samples: SampleContent
    event_import: EventImporter
    legacy_import: LegacyImporter
    ops: OpsService
    sign_in: SignInMode
    # The Cognito mode's own forms (first-password challenge, forgot password) need it.
    cognito: CognitoSignIn | None = None
    # Self-service sign-up (local and Cognito sign-in; None with OIDC).
    signup: SignupService | None = None
    # Forgot password by a mailed link (local sign-in only; None in the other modes).
    password_reset: PasswordResetService | None = None
    # The profile page's edits and role requests (local and Cognito accounts, as sign-up).
    profile: ProfileService | None = None
    # Returning users (None when the ports have no cohort store).
    cohorts: CohortService | None = None
    # Funnels on the dashboard (every backend has a funnel store; None only in test wiring).
    funnels: FunnelService | None = None
    # "My insights" and digests (None when the ports have no follow store).
    follows: FollowService | None = None
    digests: DigestSender | None = None


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
    table_users = DynamoUserDirectory(dynamodb, settings.users_table)
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
        cohorts=cohorts,
        live=live,
        funnels=funnels,
        follows=DynamoFollowStore(dynamodb, settings.events_table),
    )


def _cognito(
    settings: Settings, dynamodb: DynamoDBClient, records: SignupRecords
) -> tuple[UserDirectory, PasswordAuthenticator, CognitoPorts]:
    from services.adapters.aws.cognito.auth import CognitoIdentityProvider, CognitoPasswords
    from services.adapters.aws.cognito.directory import CognitoUserDirectory
    from services.adapters.aws.cognito.signup import CognitoSelfSignUp, CognitoSignupDirectory
    from services.adapters.aws.common import make_client
    from services.adapters.aws.dynamodb.sessions import DynamoSessionStore
    from services.adapters.jwt_verify import JwksTokenVerifier, cognito_issuers, jwks_url

    assert settings.cognito_user_pool_id and settings.cognito_app_client_id
    assert settings.sessions_table
    client = make_client("cognito-idp", settings)
    pool, client_id = settings.cognito_user_pool_id, settings.cognito_app_client_id
    secret = settings.cognito_app_client_secret
    secret_text = secret.get_secret_value() if secret else None
    endpoint = str(client.meta.endpoint_url)
    region = str(client.meta.region_name)
    directory = CognitoUserDirectory(client, pool, group_names(settings))
    identity = CognitoIdentityProvider(client, pool, client_id, secret_text)
    signup_records = CognitoSignupDirectory(records, directory)
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
    )
    passwords = CognitoPasswords(
        client, pool, client_id, secret.get_secret_value() if secret else None
    )
    return directory, passwords, ports


def _mailer(settings: Settings) -> Mailer | None:
    """SES when a sender is set (the contact form also needs a recipient, account mails the
    public address: each use checks its own)."""
    if not settings.ses_sender:
        return None
    from services.adapters.aws.common import make_client
    from services.adapters.aws.ses import SesMailer

    region = settings.ses_region or settings.aws_region
    return SesMailer(make_client("ses", settings.model_copy(update={"aws_region": region})))


def build_services(settings: Settings, ports: Ports | None = None) -> Services:
    """Wire use cases to the adapters of ``settings.backend`` (or to ``ports`` in tests)."""
    if ports is None and settings.backend == "local":
        ports = build_local_ports(settings)
    elif ports is None:
        # The services (and the doctor) see the bucket's name, derived once here if unset.
        settings = resolve_aws_names(settings)
        ports = build_aws_ports(settings)
    content = ContentService(
        ports.content, ports.blobs, ports.audit,
        max_upload_bytes=settings.max_upload_bytes, url_seconds=settings.presigned_url_seconds,
        events=ports.events,
    )
    local_sessions = None
    if settings.auth == "local" and ports.cognito is None:
        if ports.sessions is None:
            raise ConfigError("errors.config_missing", names="DEMO_FACTORY_SESSIONS_TABLE")
        local_sessions = LocalSessions(ports.sessions, days=settings.cookie_expiry_days)
    removal = AccountRemoval(ports.users, ports.content, ports.events, ports.throttle,
                             local_sessions, settings.event_retention_days,
                             records=ports.signup if ports.cognito is not None else None,
                             cohorts=ports.cohorts, follows=ports.follows)
    accounts = AccountService(
        ports.users, ports.passwords, ports.throttle, ports.audit,
        max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes,
        sessions=local_sessions, removal=removal,
    )
    inquiries = InquiryService(
        ports.inquiries, ports.audit, mailer=ports.mailer, sender=settings.ses_sender,
        recipient=settings.ses_recipient, limit=settings.inquiry_limit,
        window_minutes=settings.inquiry_window_minutes,
        global_limit=settings.inquiry_global_limit, instance_limit=settings.inquiry_instance_limit,
    )
    cognito = None
    sign_in: SignInMode
    if ports.cognito is not None:
        cognito = CognitoSignIn(
            ports.cognito.identity, ports.cognito.tokens, ports.cognito.sessions, accounts,
            group_names(settings), session_key=cookie_key(settings),
            cookie_name=f"{settings.cookie_name}_sid", audit=ports.audit,
            session_days=settings.session_days, recheck_seconds=settings.cognito_recheck_seconds,
            on_sign_in=ports.cognito.refresh_record,
        )
        sign_in = cognito
    elif settings.auth == "oidc":
        sign_in = OidcSignIn(group_names(settings), settings.oidc_groups_claim,
                             recheck_seconds=settings.cognito_recheck_seconds)
    else:
        assert local_sessions is not None
        sign_in = LocalSignIn(accounts, local_sessions, cookie_key=partial(cookie_key, settings),
                              cookie_name=settings.cookie_name,
                              cookie_days=settings.cookie_expiry_days, audit=ports.audit)
    tracker = Tracker(
        ports.events, settings.tracker_flush_seconds, settings.tracker_buffer_max,
        # A store without a TTL (SQLite) drops expired raw events on the tracker's thread.
        housekeeping=getattr(ports.events, "prune", None),
    )
    # Sign-up's company and purpose live with local accounts (the sign-up store); a Cognito
    # or OIDC directory has neither, so their users' events carry none.
    profiles = ports.signup if ports.signup is not None else ports.users
    analytics = AnalyticsService(ports.events, ports.content, tracker, settings.tz,
                                 find_user=profiles.get, live=ports.live, funnels=ports.funnels)
    insights = InsightsService(ports.events, ports.content, settings.tz)
    # Models are offered from settings and the environment; none is called here.
    reports = ReportService(ports.reports, ports.events, ports.content,
                            report_models(settings), settings, analytics=analytics,
                            audit=ports.audit)
    imports = _importers(settings, ports)
    follows, digests = _follows(settings, ports)
    mail = _account_mail(settings, ports) if local_sessions is not None else None
    signup = (_signup(settings, ports, mail)
              if local_sessions is not None or ports.cognito is not None else None)
    password_reset = (_password_reset(settings, ports, local_sessions, mail)
                      if local_sessions is not None else None)
    return Services(settings=settings, ports=ports, content=content, accounts=accounts,
                    samples=SampleContent(content, ports.audit), event_import=imports[0],
                    legacy_import=imports[1], ops=_ops(settings, ports),
                    inquiries=inquiries, sign_in=sign_in, cognito=cognito, tracker=tracker,
                    analytics=analytics, signup=signup, password_reset=password_reset,
                    profile=_profile(ports, removal), reports=reports,
                    cohorts=CohortService(ports.cohorts, analytics.today)
                    if ports.cohorts is not None else None,
                    funnels=_funnels(settings, ports), insights=insights,
                    follows=follows, digests=digests)


def _follows(settings: Settings,
             ports: Ports) -> tuple[FollowService | None, DigestSender | None]:
    if ports.follows is None:
        return None, None
    return (FollowService(ports.follows, ports.events, ports.content, settings.tz),
            DigestSender(ports.follows, ports.events, ports.content, ports.users, settings.tz,
                         mailer=ports.mailer, sender=settings.ses_sender,
                         default_language=settings.default_language))


def _funnels(settings: Settings, ports: Ports) -> FunnelService | None:
    if ports.funnels is None:
        return None
    return FunnelService(ports.funnels, ports.events, ports.audit, settings.tz,
                         settings.event_retention_days)


def _account_mail(settings: Settings, ports: Ports) -> AccountMail | None:
    if not settings.account_mail_on or ports.mailer is None or ports.tokens is None:
        return None
    assert settings.ses_sender and settings.public_url
    return AccountMail(ports.mailer, settings.ses_sender, settings.public_url,
                       default_language=settings.default_language)


def _password_reset(settings: Settings, ports: Ports, sessions: LocalSessions,
                    mail: AccountMail | None) -> PasswordResetService | None:
    """Forgot password of local accounts (the page explains the way without mail)."""
    if ports.signup is None or ports.tokens is None:
        return None
    return PasswordResetService(
        ports.signup, ports.passwords, sessions, ports.tokens, ports.inquiries, ports.audit,
        mail=mail, limit=settings.signup_limit, instance_limit=settings.signup_instance_limit,
        window_minutes=settings.signup_window_minutes,
    )


def _profile(ports: Ports, removal: AccountRemoval) -> ProfileService | None:
    """Local accounts, and Cognito's (the pool keeps name and email, the users table the
    rest); OIDC's provider keeps its users' details."""
    if ports.signup is None or (removal.sessions is None and ports.cognito is None):
        return None
    codes = ports.cognito.email_codes if ports.cognito is not None else None
    return ProfileService(ports.signup, ports.audit, removal=removal, content=ports.content,
                          email_codes=codes)


def _signup(settings: Settings, ports: Ports, mail: AccountMail | None) -> SignupService | None:
    """Sign-up of local accounts, or through the Cognito pool's own sign-up; the contact
    form's store keeps its rate counters."""
    if ports.signup is None:
        return None
    return SignupService(
        ports.signup, ports.passwords, ports.inquiries, ports.audit, mode=settings.signup,
        auto_domains=settings.signup_auto_domains, limit=settings.signup_limit,
        instance_limit=settings.signup_instance_limit,
        window_minutes=settings.signup_window_minutes, mail=mail, tokens=ports.tokens,
        pool=ports.cognito.signup if ports.cognito else None,
    )


def _ops(settings: Settings, ports: Ports) -> OpsService:
    def probe(model_id: str) -> tuple[str | None, list[CheckStep]]:
        from services.adapters.aws.bedrock import check

        return check.probe(settings, model_id, check.make_clients)

    return OpsService(settings, ports.audit, bedrock_probe=probe, doctor_checks=doctor_checks(),
                      doctor_context=partial(doctor_context, settings), content=ports.content)


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
                         cognito=factory("cognito-idp"), bedrock_clients=make_clients)


def report_models(settings: Settings, environ: Mapping[str, str] | None = None,
                  home: Path | None = None) -> dict[str, LLM]:
    """The offline narrator, and Bedrock where AWS credentials look configured and this is no
    emulation (whose Bedrock endpoint is unreachable). Nothing calls AWS here."""
    from services.adapters.aws.bedrock.lazy import LazyBedrock, credentials_configured

    offered = not settings.emulation and credentials_configured(settings, environ, home)
    return model_offer(settings, LazyBedrock(settings) if offered else None)


def _importers(settings: Settings, ports: Ports) -> tuple[EventImporter, LegacyImporter]:
    """Event files and the previous platform, written into these stores with their limits."""
    events = EventImporter(ports.events, ports.audit, settings.tz, settings.event_retention_days,
                           content=ports.content)
    legacy = LegacyImporter(content=ports.content, blobs=ports.blobs, users=ports.users,
                            events=ports.events, audit=ports.audit,
                            max_upload_bytes=settings.max_upload_bytes, tz=settings.tz,
                            retention_days=settings.event_retention_days)
    return events, legacy


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


def database_copier(settings: Settings) -> DatabaseCopier:
    """Local mode's database, copied online (for backups) and read back."""
    from services.adapters.sqlite import backup as sqlite_backup

    return DatabaseCopier(snapshot=partial(sqlite_backup.snapshot, settings.sqlite_path),
                          counts=sqlite_backup.counts, storage_keys=sqlite_backup.storage_keys)


def backup_local(settings: Settings, dest: Path) -> Manifest:
    """Write a backup of local mode's database and files into the new or empty ``dest``."""
    from services.adapters.localfs import LocalBlobStore
    from services.errors import ConfigError

    if settings.backend != "local":
        raise ConfigError("backup.err_local_only")
    if not settings.sqlite_path.is_file():
        raise ConfigError("backup.err_no_database", path=str(settings.sqlite_path))
    return create_backup(dest, database_copier(settings), LocalBlobStore(settings.files_dir))


def restore_local(settings: Settings, src: Path) -> Manifest:
    """Bring the backup in ``src`` into local mode's data folder, which must be empty."""
    from services.adapters.localfs import LocalBlobStore
    from services.errors import ConfigError

    if settings.backend != "local":
        raise ConfigError("backup.err_local_only")
    return restore_backup(src, settings.data_dir, settings.sqlite_path,
                          partial(LocalBlobStore, settings.files_dir))


def cookie_key(settings: Settings) -> str:
    """The sign-in cookie's signing key: from settings, else generated once per data dir.

    Never a built-in default: a shared default key would let anyone forge sign-in cookies.
    """
    if settings.cookie_key is not None:
        return settings.cookie_key.get_secret_value()
    if settings.backend == "aws":
        # Several containers must share one key, so aws mode cannot invent its own.
        raise ConfigError("errors.config_missing", names="DEMO_FACTORY_COOKIE_KEY")
    path = settings.data_dir / ".cookie_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
