"""Local adapters (SQLite file, folder on disk) for the contract suites. See conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from services.adapters.localfs import LocalBlobStore
from services.adapters.sqlite_audit import SqliteAuditLog
from services.adapters.sqlite_content import SqliteContentRepository
from services.adapters.sqlite_db import SqliteDatabase
from services.adapters.sqlite_inquiries import SqliteInquiryStore
from services.adapters.sqlite_reports import SqliteReportStore
from services.adapters.sqlite_sessions import SqliteSessionStore
from services.adapters.sqlite_users import SqliteUserDirectory

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
def sqlite_inquiry_store(tmp_path: Path) -> Iterator[SqliteInquiryStore]:
    with _database(tmp_path) as db:
        yield SqliteInquiryStore(db)


@contextmanager
def sqlite_audit_log(tmp_path: Path) -> Iterator[SqliteAuditLog]:
    with _database(tmp_path) as db:
        yield SqliteAuditLog(db)


@contextmanager
def local_blob_store(tmp_path: Path) -> Iterator[LocalBlobStore]:
    yield LocalBlobStore(tmp_path / "files")


CONTENT_REPOS: dict[str, Factory] = {"sqlite": sqlite_content_repo}
BLOB_STORES: dict[str, Factory] = {"localfs": local_blob_store}
USER_DIRECTORIES: dict[str, Factory] = {"sqlite": sqlite_user_directory}
PASSWORD_STORES: dict[str, Factory] = {"sqlite": sqlite_user_directory}
LOGIN_THROTTLES: dict[str, Factory] = {"sqlite": sqlite_user_directory}
SESSION_STORES: dict[str, Factory] = {"sqlite": sqlite_session_store}
INQUIRY_STORES: dict[str, Factory] = {"sqlite": sqlite_inquiry_store}
AUDIT_LOGS: dict[str, Factory] = {"sqlite": sqlite_audit_log}


@contextmanager
def sqlite_report_store(tmp_path: Path) -> Iterator[SqliteReportStore]:
    with _database(tmp_path) as db:
        yield SqliteReportStore(db)


REPORT_STORES: dict[str, Factory] = {"sqlite": sqlite_report_store}
