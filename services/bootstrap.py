"""The one composition root: ``build_services(settings) -> Services``.

Only this module knows which adapter serves which port in which mode. Clients are created here,
never at import time, so tests and scripts can build services against any endpoint.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.accounts.cognito import CognitoSignIn, group_names
from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.analytics.service import AnalyticsService
from services.analytics.tracker import Tracker
from services.contact.service import InquiryService
from services.content.service import ContentService
from services.ports import (
    AuditLog,
    BlobStore,
    ContentRepository,
    EventStore,
    IdentityProvider,
    InquiryStore,
    LoginThrottle,
    Mailer,
    PasswordAuthenticator,
    ReportStore,
    SessionStore,
    TokenVerifier,
    UserDirectory,
)
from services.reports.models import report_models
from services.reports.service import ReportService
from services.settings import Settings

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


@dataclass(frozen=True)
class CognitoPorts:
    """Sign-in through a Cognito user pool (``DEMO_FACTORY_AUTH=cognito``)."""

    identity: IdentityProvider
    tokens: TokenVerifier
    sessions: SessionStore


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


@dataclass(frozen=True)
class Services:
    settings: Settings
    ports: Ports
    content: ContentService
    accounts: AccountService
    tracker: Tracker
    analytics: AnalyticsService
    reports: ReportService
    inquiries: InquiryService
    cognito: CognitoSignIn | None = None


def build_local_ports(settings: Settings) -> Ports:
    from services.adapters.localfs import LocalBlobStore
    from services.adapters.sqlite.audit import SqliteAuditLog
    from services.adapters.sqlite.content import SqliteContentRepository
    from services.adapters.sqlite.db import SqliteDatabase
    from services.adapters.sqlite.events import SqliteEventStore
    from services.adapters.sqlite.inquiries import SqliteInquiryStore
    from services.adapters.sqlite.reports import SqliteReportStore
    from services.adapters.sqlite.users import SqliteUserDirectory

    db = SqliteDatabase(settings.sqlite_path)
    db.migrate()
    users = SqliteUserDirectory(db)
    return Ports(
        content=SqliteContentRepository(db),
        blobs=LocalBlobStore(settings.files_dir),
        users=users,
        audit=SqliteAuditLog(db),
        events=SqliteEventStore(db, settings.tz, settings.event_retention_days),
        passwords=LocalPasswords(users),
        throttle=users,
        inquiries=SqliteInquiryStore(db),
        reports=SqliteReportStore(db),
        mailer=_mailer(settings),
    )


def build_aws_ports(settings: Settings) -> Ports:
    from services.adapters.aws.common import make_client
    from services.adapters.aws.dynamodb.audit import DynamoAuditLog
    from services.adapters.aws.dynamodb.content import DynamoContentRepository
    from services.adapters.aws.dynamodb.events import DynamoEventStore
    from services.adapters.aws.dynamodb.inquiries import DynamoInquiryStore
    from services.adapters.aws.dynamodb.reports import DynamoReportStore
    from services.adapters.aws.dynamodb.users import DynamoUserDirectory
    from services.adapters.aws.s3 import S3BlobStore

    settings.require_aws()
    dynamodb = make_client("dynamodb", settings)
    assert settings.content_table and settings.likes_table and settings.users_table
    assert settings.audit_table and settings.bucket and settings.inquiries_table
    assert settings.events_table and settings.rollups_table
    assert settings.reports_table
    table_users = DynamoUserDirectory(dynamodb, settings.users_table)
    users: UserDirectory = table_users
    passwords: PasswordAuthenticator = LocalPasswords(table_users)
    cognito = None
    if settings.auth == "cognito":
        # The pool is the directory and keeps the passwords; the users table keeps only the
        # login failures (LoginThrottle) in this mode.
        users, passwords, cognito = _cognito(settings, dynamodb)
    return Ports(
        content=DynamoContentRepository(dynamodb, settings.content_table, settings.likes_table),
        blobs=S3BlobStore(make_client("s3", settings), settings.bucket),
        users=users,
        audit=DynamoAuditLog(dynamodb, settings.audit_table),
        events=DynamoEventStore(dynamodb, settings.events_table, settings.rollups_table,
                                settings.tz, settings.event_retention_days),
        passwords=passwords,
        throttle=table_users,
        inquiries=DynamoInquiryStore(dynamodb, settings.inquiries_table),
        reports=DynamoReportStore(dynamodb, settings.reports_table),
        mailer=_mailer(settings),
        cognito=cognito,
    )


def _cognito(
    settings: Settings, dynamodb: DynamoDBClient
) -> tuple[UserDirectory, PasswordAuthenticator, CognitoPorts]:
    from services.adapters.aws.cognito.auth import CognitoIdentityProvider, CognitoPasswords
    from services.adapters.aws.cognito.directory import CognitoUserDirectory
    from services.adapters.aws.common import make_client
    from services.adapters.aws.dynamodb.sessions import DynamoSessionStore
    from services.adapters.jwt_verify import JwksTokenVerifier, cognito_issuers, jwks_url

    assert settings.cognito_user_pool_id and settings.cognito_app_client_id
    assert settings.sessions_table
    client = make_client("cognito-idp", settings)
    pool, client_id = settings.cognito_user_pool_id, settings.cognito_app_client_id
    secret = settings.cognito_app_client_secret
    endpoint = str(client.meta.endpoint_url)
    region = str(client.meta.region_name)
    ports = CognitoPorts(
        identity=CognitoIdentityProvider(
            client, pool, client_id, secret.get_secret_value() if secret else None
        ),
        tokens=JwksTokenVerifier(
            jwks_url(endpoint, region, pool), cognito_issuers(endpoint, region, pool), client_id
        ),
        sessions=DynamoSessionStore(dynamodb, settings.sessions_table),
    )
    directory = CognitoUserDirectory(client, pool, group_names(settings))
    passwords = CognitoPasswords(
        client, pool, client_id, secret.get_secret_value() if secret else None
    )
    return directory, passwords, ports


def _mailer(settings: Settings) -> Mailer | None:
    if not settings.notifications_on:
        return None
    from services.adapters.aws.common import make_client
    from services.adapters.aws.ses import SesMailer

    region = settings.ses_region or settings.aws_region
    return SesMailer(make_client("ses", settings.model_copy(update={"aws_region": region})))


def build_services(settings: Settings, ports: Ports | None = None) -> Services:
    """Wire use cases to the adapters of ``settings.backend`` (or to ``ports`` in tests)."""
    if ports is None:
        ports = build_local_ports(settings) if settings.backend == "local" else build_aws_ports(
            settings
        )
    content = ContentService(
        ports.content, ports.blobs, ports.audit,
        max_upload_bytes=settings.max_upload_bytes, url_seconds=settings.presigned_url_seconds,
    )
    accounts = AccountService(
        ports.users, ports.passwords, ports.throttle, ports.audit,
        max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes,
    )
    inquiries = InquiryService(
        ports.inquiries, ports.audit, mailer=ports.mailer, sender=settings.ses_sender,
        recipient=settings.ses_recipient, limit=settings.inquiry_limit,
        window_minutes=settings.inquiry_window_minutes,
    )
    cognito = None
    if ports.cognito is not None:
        cognito = CognitoSignIn(
            ports.cognito.identity, ports.cognito.tokens, ports.cognito.sessions, accounts,
            group_names(settings), session_key=cookie_key(settings), audit=ports.audit,
            session_days=settings.session_days, recheck_seconds=settings.cognito_recheck_seconds,
        )
    tracker = Tracker(
        ports.events, settings.tracker_flush_seconds, settings.tracker_buffer_max,
        # A store without a TTL (SQLite) drops expired raw events on the tracker's thread.
        housekeeping=getattr(ports.events, "prune", None),
    )
    analytics = AnalyticsService(ports.events, ports.content, tracker, settings.tz)
    # Models are offered from settings and the environment; none is called here.
    reports = ReportService(ports.reports, ports.events, ports.content,
                            report_models(settings), settings, analytics=analytics)
    return Services(settings=settings, ports=ports, content=content, accounts=accounts,
                    inquiries=inquiries, cognito=cognito, tracker=tracker, analytics=analytics,
                    reports=reports)


def cookie_key(settings: Settings) -> str:
    """The sign-in cookie's signing key: from settings, else generated once per data dir.

    Never a built-in default: a shared default key would let anyone forge sign-in cookies.
    """
    if settings.cookie_key is not None:
        return settings.cookie_key.get_secret_value()
    if settings.backend == "aws":
        from services.errors import ConfigError

        # Several containers must share one key, so aws mode cannot invent its own.
        raise ConfigError("errors.config_missing", names="DEMO_FACTORY_COOKIE_KEY")
    path = settings.data_dir / ".cookie_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
