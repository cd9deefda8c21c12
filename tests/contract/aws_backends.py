"""AWS adapters on moto for the contract suites. See conftest.py.

Each factory starts one in-process ``mock_aws()``, creates every table and the bucket with
``ensure_resources`` (so the suites also exercise the real table definitions) and yields the
adapter. ``aws_environment`` and ``mocked_aws`` are reused by the aws-specific unit tests.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import boto3
import moto.dynamodb.models as moto_dynamodb_models
from moto import mock_aws
from moto.core.models import botocore_stubber
from moto.dynamodb.models.table import Table as MotoTable

from scripts.emulate import moto_server as moto_server  # one starter, shared with make emulate
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.audit import DynamoAuditLog
from services.adapters.aws.dynamodb.content import DynamoContentRepository
from services.adapters.aws.dynamodb.events import DynamoEventStore
from services.adapters.aws.dynamodb.inquiries import DynamoInquiryStore
from services.adapters.aws.dynamodb.reports import DynamoReportStore
from services.adapters.aws.dynamodb.sessions import DynamoSessionStore
from services.adapters.aws.dynamodb.tokens import DynamoAccountTokens
from services.adapters.aws.dynamodb.users import DynamoUserDirectory
from services.adapters.aws.provision import ensure_resources
from services.adapters.aws.s3 import S3BlobStore
from services.settings import Settings, load_settings
from tests.contract.local_backends import EVENT_RETENTION_DAYS, EVENT_TZ

Factory = Callable[[Path], AbstractContextManager[Any]]

REGION = "us-east-1"
# Fake credentials and no endpoint override: moto intercepts in-process, and nothing must reach
# a real account (or an emulator named by the developer's own AWS_ENDPOINT_URL).
_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
_CLEARED_ENV = (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_S3",
)


@contextmanager
def aws_environment(**overrides: str | None) -> Iterator[None]:
    """Fake AWS credentials and region in os.environ, restored afterwards; an override of
    None removes the variable."""
    wanted: dict[str, str | None] = {name: None for name in _CLEARED_ENV}
    wanted.update(_FAKE_ENV)
    wanted.update(overrides)
    saved = {name: os.environ.get(name) for name in wanted}
    try:
        for name, value in wanted.items():
            _set_env(name, value)
        yield
    finally:
        for name, value in saved.items():
            _set_env(name, value)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def aws_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "backend": "aws",
        "aws_region": REGION,
        "content_table": "df-content",
        "likes_table": "df-likes",
        "users_table": "df-users",
        "sessions_table": "df-sessions",
        "inquiries_table": "df-inquiries",
        "audit_table": "df-audit",
        "reports_table": "df-reports",
        "events_table": "df-events",
        "rollups_table": "df-rollups",
        "bucket": "df-files",
        # The suites make their first administrator with the service's own call.
        "first_admin_form": True,
    }
    values.update(overrides)
    return load_settings(**values)


# moto's in-process backends are not thread-safe: transact_write_items checks conditions, then
# writes, and rolls back by restoring a copy of each table, so concurrent requests can
# double-apply or lose writes. DynamoDB itself applies each request atomically; running moto's
# requests one at a time gives the same. Adapters still race *between* requests, so the
# concurrency contract tests keep their teeth (a read-modify-write counter would still fail).
_MOTO_LOCK = threading.RLock()


def _one_request_at_a_time(event_name: str, request: Any, **kwargs: Any) -> Any:
    with _MOTO_LOCK:
        return botocore_stubber(event_name, request, **kwargs)


def serialize_moto(client: Any) -> Any:
    """Have ``client``'s mocked requests handled one at a time: moto's handler is swapped for
    a locked call of it (botocore calls every before-send handler, so both cannot stay)."""
    client.meta.events.unregister("before-send", botocore_stubber)
    client.meta.events.register("before-send", _one_request_at_a_time)
    return client


@contextmanager
def serialized_clients() -> Iterator[None]:
    """``serialize_moto`` for every client made meanwhile, such as those ``build_services``
    makes (through boto3 sessions made earlier, whose handlers are set already)."""
    make = boto3.session.Session.client

    def serialized(self: boto3.session.Session, *args: Any, **kwargs: Any) -> Any:
        return serialize_moto(make(self, *args, **kwargs))

    with mock.patch.object(boto3.session.Session, "client", serialized):
        yield


class _TableBackups:
    """Stands in for the ``copy`` module inside moto.dynamodb.models while a transaction runs.

    moto 5.2.5's transact_write_items backs up each table it touches with ``deepcopy`` once per
    *action* (up to 100 per call), so a transaction costs 100 copies of the whole table and an
    event-store test with a few thousand events takes minutes. Copying each table once per
    transaction gives the same rollback; anything else is copied as before.
    """

    def __init__(self) -> None:
        self.copies: dict[int, tuple[Any, Any]] | None = None

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if self.copies is None or not isinstance(value, MotoTable):
            return copy.deepcopy(value, memo)
        # The original is kept alive with its copy, so its id() cannot be reused meanwhile.
        if id(value) not in self.copies:
            self.copies[id(value)] = (value, copy.deepcopy(value))
        return self.copies[id(value)][1]


@contextmanager
def one_backup_per_transaction() -> Iterator[None]:
    backups = _TableBackups()
    backend_class = moto_dynamodb_models.DynamoDBBackend
    original = backend_class.transact_write_items

    def transact_write_items(self: Any, transact_items: Any) -> Any:
        with _MOTO_LOCK:
            backups.copies = {}
            try:
                return original(self, transact_items)
            finally:
                backups.copies = None

    saved_copy = moto_dynamodb_models.copy
    moto_dynamodb_models.copy = backups  # type: ignore[assignment]
    backend_class.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        backend_class.transact_write_items = original  # type: ignore[method-assign]
        moto_dynamodb_models.copy = saved_copy


@dataclass(frozen=True)
class MockedAws:
    settings: Settings
    dynamodb: Any
    s3: Any


@contextmanager
def mocked_aws(bootstrap: bool = True) -> Iterator[MockedAws]:
    """moto with fake credentials; every table and the bucket created unless told otherwise."""
    with aws_environment(), mock_aws():
        settings = aws_settings()
        aws = MockedAws(
            settings,
            serialize_moto(make_client("dynamodb", settings)),
            serialize_moto(make_client("s3", settings)),
        )
        if bootstrap:
            ensure_resources(aws.dynamodb, aws.s3, settings)
        yield aws


@contextmanager
def dynamodb_content_repo(tmp_path: Path) -> Iterator[DynamoContentRepository]:
    with mocked_aws() as aws:
        yield DynamoContentRepository(
            aws.dynamodb, str(aws.settings.content_table), str(aws.settings.likes_table)
        )


@contextmanager
def s3_blob_store(tmp_path: Path) -> Iterator[S3BlobStore]:
    with mocked_aws() as aws:
        yield S3BlobStore(aws.s3, str(aws.settings.bucket))


@contextmanager
def dynamodb_user_directory(tmp_path: Path) -> Iterator[DynamoUserDirectory]:
    with mocked_aws() as aws:
        yield DynamoUserDirectory(aws.dynamodb, str(aws.settings.users_table))


@contextmanager
def dynamodb_session_store(tmp_path: Path) -> Iterator[DynamoSessionStore]:
    with mocked_aws() as aws:
        yield DynamoSessionStore(aws.dynamodb, str(aws.settings.sessions_table))


@contextmanager
def dynamodb_token_store(tmp_path: Path) -> Iterator[DynamoAccountTokens]:
    with mocked_aws() as aws:
        yield DynamoAccountTokens(aws.dynamodb, str(aws.settings.sessions_table))


@contextmanager
def dynamodb_inquiry_store(tmp_path: Path) -> Iterator[DynamoInquiryStore]:
    with mocked_aws() as aws:
        yield DynamoInquiryStore(aws.dynamodb, str(aws.settings.inquiries_table))


@contextmanager
def dynamodb_audit_log(tmp_path: Path) -> Iterator[DynamoAuditLog]:
    with mocked_aws() as aws:
        yield DynamoAuditLog(aws.dynamodb, str(aws.settings.audit_table))


@contextmanager
def dynamodb_event_store(tmp_path: Path, tz: ZoneInfo = EVENT_TZ) -> Iterator[DynamoEventStore]:
    with one_backup_per_transaction(), mocked_aws() as aws:
        yield DynamoEventStore(
            aws.dynamodb,
            str(aws.settings.events_table),
            str(aws.settings.rollups_table),
            tz,
            EVENT_RETENTION_DAYS,
            shards=4,  # still a merge of several partitions; each costs a Query per day
            sleep=lambda seconds: None,  # conflicts are retried at once on moto
        )


CONTENT_REPOS: dict[str, Factory] = {"dynamodb": dynamodb_content_repo}
BLOB_STORES: dict[str, Factory] = {"s3": s3_blob_store}
USER_DIRECTORIES: dict[str, Factory] = {
    "dynamodb": dynamodb_user_directory,
    "cognito": lambda tmp_path: _cognito_backend().cognito_user_directory(tmp_path),
}
PASSWORD_STORES: dict[str, Factory] = {"dynamodb": dynamodb_user_directory}
SIGNUP_DIRECTORIES: dict[str, Factory] = {"dynamodb": dynamodb_user_directory}
LOGIN_THROTTLES: dict[str, Factory] = {"dynamodb": dynamodb_user_directory}
SESSION_STORES: dict[str, Factory] = {"dynamodb": dynamodb_session_store}
TOKEN_STORES: dict[str, Factory] = {"dynamodb": dynamodb_token_store}
INQUIRY_STORES: dict[str, Factory] = {"dynamodb": dynamodb_inquiry_store}


def _cognito_backend() -> Any:
    from tests.contract import cognito_backend  # it imports this module

    return cognito_backend
AUDIT_LOGS: dict[str, Factory] = {"dynamodb": dynamodb_audit_log}
EVENT_STORES: dict[str, Factory] = {"dynamodb": dynamodb_event_store}


@contextmanager
def dynamodb_report_store(tmp_path: Path) -> Iterator[DynamoReportStore]:
    with mocked_aws() as aws:
        yield DynamoReportStore(aws.dynamodb, str(aws.settings.reports_table))


REPORT_STORES: dict[str, Factory] = {"dynamodb": dynamodb_report_store}


class NeverProcessing:
    """The moto client, but DynamoDB hands every BatchWriteItem request back unprocessed."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        return {"UnprocessedItems": RequestItems}
