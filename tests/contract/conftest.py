"""Each port's contract suite runs against every adapter registered here.

``local_backends`` and ``aws_backends`` map a backend name to a context-manager factory that takes
pytest's ``tmp_path`` and yields a ready adapter; adding an adapter there adds it to every suite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from tests.contract import aws_backends, local_backends

Factory = Callable[[Path], AbstractContextManager[Any]]


def _registry(name: str) -> dict[str, Factory]:
    merged: dict[str, Factory] = {}
    for module in (local_backends, aws_backends):
        merged.update(getattr(module, name, {}))
    return merged


CONTENT_REPOS = _registry("CONTENT_REPOS")
BLOB_STORES = _registry("BLOB_STORES")
USER_DIRECTORIES = _registry("USER_DIRECTORIES")
PASSWORD_STORES = _registry("PASSWORD_STORES")
SIGNUP_DIRECTORIES = _registry("SIGNUP_DIRECTORIES")
LOGIN_THROTTLES = _registry("LOGIN_THROTTLES")
SESSION_STORES = _registry("SESSION_STORES")
TOKEN_STORES = _registry("TOKEN_STORES")
INQUIRY_STORES = _registry("INQUIRY_STORES")
AUDIT_LOGS = _registry("AUDIT_LOGS")
REPORT_STORES = _registry("REPORT_STORES")
EVENT_STORES = _registry("EVENT_STORES")


def _use(
    registry: dict[str, Factory], request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Any]:
    with registry[request.param](tmp_path) as adapter:
        yield adapter


@pytest.fixture(params=sorted(CONTENT_REPOS))
def content_repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(CONTENT_REPOS, request, tmp_path)


@pytest.fixture(params=sorted(BLOB_STORES))
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(BLOB_STORES, request, tmp_path)


@pytest.fixture(params=sorted(USER_DIRECTORIES))
def user_directory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(USER_DIRECTORIES, request, tmp_path)


@pytest.fixture(params=sorted(PASSWORD_STORES))
def password_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(PASSWORD_STORES, request, tmp_path)


@pytest.fixture(params=sorted(SIGNUP_DIRECTORIES))
def signup_directory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(SIGNUP_DIRECTORIES, request, tmp_path)


@pytest.fixture(params=sorted(LOGIN_THROTTLES))
def login_throttle(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(LOGIN_THROTTLES, request, tmp_path)


@pytest.fixture(params=sorted(SESSION_STORES))
def session_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(SESSION_STORES, request, tmp_path)


@pytest.fixture(params=sorted(TOKEN_STORES))
def token_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(TOKEN_STORES, request, tmp_path)


@pytest.fixture(params=sorted(INQUIRY_STORES))
def inquiry_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(INQUIRY_STORES, request, tmp_path)


@pytest.fixture(params=sorted(AUDIT_LOGS))
def audit_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(AUDIT_LOGS, request, tmp_path)


@pytest.fixture(params=sorted(EVENT_STORES))
def event_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(EVENT_STORES, request, tmp_path)


@pytest.fixture(params=sorted(REPORT_STORES))
def report_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    yield from _use(REPORT_STORES, request, tmp_path)
