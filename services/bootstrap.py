"""The one composition root: ``build_services(settings) -> Services``.

Only this module knows which adapter serves which port in which mode. Clients are created here,
never at import time, so tests and scripts can build services against any endpoint.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from services.content import ContentService
from services.ports import AuditLog, BlobStore, ContentRepository, UserDirectory
from services.settings import Settings
from services.users import AccountService


@dataclass(frozen=True)
class Ports:
    content: ContentRepository
    blobs: BlobStore
    users: UserDirectory
    audit: AuditLog


@dataclass(frozen=True)
class Services:
    settings: Settings
    ports: Ports
    content: ContentService
    accounts: AccountService


def build_local_ports(settings: Settings) -> Ports:
    from services.adapters.localfs import LocalBlobStore
    from services.adapters.sqlite_audit import SqliteAuditLog
    from services.adapters.sqlite_content import SqliteContentRepository
    from services.adapters.sqlite_db import SqliteDatabase
    from services.adapters.sqlite_users import SqliteUserDirectory

    db = SqliteDatabase(settings.sqlite_path)
    db.migrate()
    return Ports(
        content=SqliteContentRepository(db),
        blobs=LocalBlobStore(settings.files_dir),
        users=SqliteUserDirectory(db),
        audit=SqliteAuditLog(db),
    )


def build_aws_ports(settings: Settings) -> Ports:
    from services.adapters.aws_common import make_client
    from services.adapters.dynamodb_audit import DynamoAuditLog
    from services.adapters.dynamodb_content import DynamoContentRepository
    from services.adapters.dynamodb_users import DynamoUserDirectory
    from services.adapters.s3 import S3BlobStore

    settings.require_aws()
    dynamodb = make_client("dynamodb", settings)
    assert settings.content_table and settings.likes_table and settings.users_table
    assert settings.audit_table and settings.bucket
    return Ports(
        content=DynamoContentRepository(dynamodb, settings.content_table, settings.likes_table),
        blobs=S3BlobStore(make_client("s3", settings), settings.bucket),
        users=DynamoUserDirectory(dynamodb, settings.users_table),
        audit=DynamoAuditLog(dynamodb, settings.audit_table),
    )


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
        ports.users, ports.audit,
        max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes,
    )
    return Services(settings=settings, ports=ports, content=content, accounts=accounts)


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
