"""The adapters behind each port, per backend: ``build_local_ports`` (SQLite and a folder) and
``build_aws_ports`` (DynamoDB, S3, Cognito, SES). Clients are made here, never at import time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.accounts.passwords import LocalPasswords
from services.accounts.sign_in.base import group_names
from services.analytics.ingest import SinkedEventStore
from services.bootstrap.aws import resolve_aws_names
from services.ports import (
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
from services.settings import Settings

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
