"""Sign-up rate limits on both stores: the per-visit limit is one atomic step in the store
(many sign-ups of one visit at the same moment let exactly the limit through) and the
per-instance limit holds however many visit ids a client makes up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.signup import SignupService
from services.adapters.aws.dynamodb.audit import DynamoAuditLog
from services.adapters.aws.dynamodb.inquiries import DynamoInquiryStore
from services.adapters.aws.dynamodb.users import DynamoUserDirectory
from services.adapters.sqlite.audit import SqliteAuditLog
from services.adapters.sqlite.inquiries import SqliteInquiryStore
from services.adapters.sqlite.users import SqliteUserDirectory
from services.domain.analytics import Purpose
from services.domain.models import new_id
from services.domain.permissions import Role
from services.domain.signup import SignupDraft
from services.errors import QuotaExceeded
from tests.contract.aws_backends import mocked_aws
from tests.contract.local_backends import _database
from tests.doubles.clock import Clock

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DRAFT = SignupDraft("Lee", "lee@example.com", "lee", "", Purpose.RESEARCH, Role.VIEWER,
                    "violet-harbor-tunnel-42", "violet-harbor-tunnel-42", True)


@contextmanager
def sqlite_stores(tmp_path: Path) -> Iterator[tuple[Any, Any, Any]]:
    with _database(tmp_path) as db:
        yield SqliteUserDirectory(db), SqliteInquiryStore(db), SqliteAuditLog(db)


@contextmanager
def dynamodb_stores(tmp_path: Path) -> Iterator[tuple[Any, Any, Any]]:
    with mocked_aws() as aws:
        yield (DynamoUserDirectory(aws.dynamodb, str(aws.settings.users_table)),
               DynamoInquiryStore(aws.dynamodb, str(aws.settings.inquiries_table)),
               DynamoAuditLog(aws.dynamodb, str(aws.settings.audit_table)))


BACKENDS = {"sqlite": sqlite_stores, "dynamodb": dynamodb_stores}


@pytest.fixture(params=sorted(BACKENDS))
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Any, Any]]:
    with BACKENDS[request.param](tmp_path) as found:
        yield found


def service(stores: tuple[Any, Any, Any], clock: Clock | None = None,
            **limits: int) -> SignupService:
    users, slots, audit = stores
    return SignupService(users, LocalPasswords(users, rounds=4), slots, audit, mode="open",
                         window_minutes=60, clock=clock or Clock(T0), **limits)


def draft(n: int) -> SignupDraft:
    return replace(DRAFT, username=f"user{n}", email=f"user{n}@example.com")


def sign_up_all(signup: SignupService, visits: list[str]) -> list[bool]:
    """One sign-up per entry, all at the same moment; True for each not rate-limited."""
    start = threading.Barrier(len(visits))

    def one(n: int) -> bool:
        start.wait()
        try:
            signup.sign_up(draft(n), visits[n])
        except QuotaExceeded:
            return False
        return True

    with ThreadPoolExecutor(len(visits)) as pool:
        return list(pool.map(one, range(len(visits))))


def test_twelve_concurrent_sign_ups_of_one_visit_with_a_limit_of_3_make_3_accounts(
    stores: tuple[Any, Any, Any]
) -> None:
    signup = service(stores, limit=3, instance_limit=100)

    accepted = sign_up_all(signup, ["same-visit"] * 12)

    assert accepted.count(True) == 3
    assert len(stores[0].list()) == 3


def test_a_new_visit_id_per_request_still_meets_the_instance_limit(
    stores: tuple[Any, Any, Any]
) -> None:
    clock = Clock(T0)
    signup = service(stores, clock, limit=3, instance_limit=4)

    accepted = sign_up_all(signup, [new_id() for _ in range(10)])

    assert accepted.count(True) == 4
    with pytest.raises(QuotaExceeded):
        signup.sign_up(draft(50), new_id())
    clock.now += timedelta(minutes=60)  # the next window
    signup.sign_up(draft(51), new_id())
    assert len(stores[0].list()) == 5
