"""Local adapters (SQLite file, folder on disk) for the contract suites. See conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from services.adapters.localfs import LocalBlobStore
from services.adapters.sqlite.audit import SqliteAuditLog
from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.adapters.sqlite.inquiries import SqliteInquiryStore
from services.adapters.sqlite.reports import SqliteReportStore
from services.adapters.sqlite.sessions import SqliteSessionStore
from services.adapters.sqlite.tokens import SqliteAccountTokens
from services.adapters.sqlite.users import SqliteUserDirectory

Factory = Callable[[Path], AbstractContextManager[Any]]


@contextmanager
def _database(tmp_path: Path) -> Iterator[SqliteDatabase]:
    # A folder that does not exist yet: the database must create it.
    db = SqliteDatabase(tmp_path / "data" / "demo_factory.sqlite3")
    db.migrate()
    try:
        yield db
    finally:
        db.close()


@contextmanager
def sqlite_content_repo(tmp_path: Path) -> Iterator[SqliteContentRepository]:
    with _database(tmp_path) as db:
        yield SqliteContentRepository(db)


@contextmanager
def sqlite_user_directory(tmp_path: Path) -> Iterator[SqliteUserDirectory]:
    with _database(tmp_path) as db:
        yield SqliteUserDirectory(db)


@contextmanager
def sqlite_session_store(tmp_path: Path) -> Iterator[SqliteSessionStore]:
    with _database(tmp_path) as db:
        yield SqliteSessionStore(db)


@contextmanager
def sqlite_token_store(tmp_path: Path) -> Iterator[SqliteAccountTokens]:
    with _database(tmp_path) as db:
        yield SqliteAccountTokens(db)


@contextmanager
def sqlite_inquiry_store(tmp_path: Path) -> Iterator[SqliteInquiryStore]:
    with _database(tmp_path) as db:
        yield SqliteInquiryStore(db)


@contextmanager
def sqlite_audit_log(tmp_path: Path) -> Iterator[SqliteAuditLog]:
    with _database(tmp_path) as db:
        yield SqliteAuditLog(db)


# Event stores bucket rollups by local day in this zone (UTC+9, no DST) unless told otherwise;
# retention is long so that fixed test dates are never "expired".
EVENT_TZ = ZoneInfo("Asia/Seoul")
EVENT_RETENTION_DAYS = 36500


@contextmanager
def sqlite_event_store(tmp_path: Path, tz: ZoneInfo = EVENT_TZ) -> Iterator[SqliteEventStore]:
    with _database(tmp_path) as db:
        yield SqliteEventStore(db, tz, EVENT_RETENTION_DAYS)


@contextmanager
def local_blob_store(tmp_path: Path) -> Iterator[LocalBlobStore]:
    yield LocalBlobStore(tmp_path / "files")


CONTENT_REPOS: dict[str, Factory] = {"sqlite": sqlite_content_repo}
BLOB_STORES: dict[str, Factory] = {"localfs": local_blob_store}
USER_DIRECTORIES: dict[str, Factory] = {"sqlite": sqlite_user_directory}
PASSWORD_STORES: dict[str, Factory] = {"sqlite": sqlite_user_directory}
SIGNUP_DIRECTORIES: dict[str, Factory] = {"sqlite": sqlite_user_directory}
LOGIN_THROTTLES: dict[str, Factory] = {"sqlite": sqlite_user_directory}
SESSION_STORES: dict[str, Factory] = {"sqlite": sqlite_session_store}
TOKEN_STORES: dict[str, Factory] = {"sqlite": sqlite_token_store}
INQUIRY_STORES: dict[str, Factory] = {"sqlite": sqlite_inquiry_store}
AUDIT_LOGS: dict[str, Factory] = {"sqlite": sqlite_audit_log}
EVENT_STORES: dict[str, Factory] = {"sqlite": sqlite_event_store}


@contextmanager
def sqlite_report_store(tmp_path: Path) -> Iterator[SqliteReportStore]:
    with _database(tmp_path) as db:
        yield SqliteReportStore(db)


REPORT_STORES: dict[str, Factory] = {"sqlite": sqlite_report_store}
