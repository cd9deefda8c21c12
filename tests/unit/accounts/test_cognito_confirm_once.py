"""A pool sign-up's confirmation (Cognito mode, on moto) is one conditional write of its record:
two confirmations at the same moment admit the account to the pool and audit it once, and the
record is there at every moment of a confirmation (a sign-in or an administrator's list reading
it meanwhile finds it; a crash in the middle loses nothing)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from services.accounts.sign_in.base import group_names
from services.accounts.signup import SignupService
from services.adapters.aws.cognito.directory import CognitoUserDirectory
from services.adapters.aws.cognito.signup import CognitoSelfSignUp, CognitoSignupDirectory
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.users import DynamoUserDirectory
from services.bootstrap import Services
from services.domain.analytics import Purpose
from services.domain.permissions import Role
from services.domain.signup import SignupDraft
from services.domain.users import AccountStatus, User
from services.errors import NotFound
from services.ports import PoolSignUp, SignupDirectory
from tests.contract.aws_backends import serialize_moto
from tests.contract.cognito_backend import MockedCognito
from tests.doubles.audit import MemoryAudit

PASSWORD = "violet-harbor-tunnel-42"
DRAFT = SignupDraft("이지원", "jiwon@example.com", "Jiwon", "Acme", Purpose.CUSTOMER_DEMO,
                    Role.AUTHOR, PASSWORD, PASSWORD, True)


class CountingPool:
    """The real pool (moto), counting admissions."""

    def __init__(self, real: PoolSignUp) -> None:
        self._real = real
        self._lock = threading.Lock()
        self.admitted: list[User] = []

    def admit(self, user: User) -> None:
        with self._lock:
            self.admitted.append(user)
        self._real.admit(user)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class WatchedRecords:
    """The sign-up directory, checking after each call that the record still exists in the
    users table (``stored``: the Cognito directory's own ``get`` would show the pool's account
    instead of a missing record), and able to run something between a confirmation's read of
    the record and its write (``after_first_read``)."""

    def __init__(self, real: SignupDirectory, stored: Callable[[], object]) -> None:
        self._real = real
        self._stored = stored
        self.absent_after: list[str] = []
        self.after_first_read: Callable[[], None] | None = None

    def record(self, username: str) -> User:
        user = self._real.record(username)
        hook, self.after_first_read = self.after_first_read, None
        if hook is not None:
            hook()
        return user

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._real, name)

        def watched(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            finally:
                try:
                    self._stored()
                except NotFound:
                    self.absent_after.append(name)

        return watched


@pytest.fixture
def cognito_settings() -> dict[str, Any]:
    return {"signup": "approval"}


@pytest.fixture
def world(cognito: MockedCognito,
          cognito_services: Services) -> tuple[Services, WatchedRecords, CountingPool, MemoryAudit]:
    """A signed-up, unconfirmed "jiwon" in approval mode, and Cognito mode's records and pool
    (as ``build_services`` makes them) that the test watches. Their clients hand moto one
    request at a time, as DynamoDB applies each atomically (``serialize_moto``): the requests
    of different threads still interleave."""
    services = cognito_services
    assert services.signup is not None
    services.signup.sign_up(DRAFT, "visit-1")
    settings = cognito.settings
    table = DynamoUserDirectory(serialize_moto(make_client("dynamodb", settings)),
                                str(settings.users_table), claims_emails=False)
    client = serialize_moto(make_client("cognito-idp", settings))
    in_pool = CognitoUserDirectory(client, cognito.pool_id, group_names(settings))
    records = WatchedRecords(CognitoSignupDirectory(table, in_pool),
                             lambda: table.get("jiwon"))
    pool = CountingPool(CognitoSelfSignUp(client, cognito.pool_id, cognito.client_id,
                                          cognito.client_secret, in_pool))
    return services, records, pool, MemoryAudit()


def _service(services: Services, records: WatchedRecords, pool: CountingPool,
             audit: MemoryAudit) -> SignupService:
    return SignupService(records, services.ports.passwords,  # type: ignore[arg-type]
                         services.ports.inquiries, audit, mode="approval",
                         pool=pool)  # type: ignore[arg-type]


def test_the_record_is_never_absent_during_a_confirmation(
    world: tuple[Services, WatchedRecords, CountingPool, MemoryAudit],
) -> None:
    services, records, pool, audit = world

    assert _service(services, records, pool, audit).confirm("jiwon", "123456") == (
        AccountStatus.PENDING)

    assert records.absent_after == []
    jiwon = records.get("jiwon")
    assert (jiwon.status, jiwon.pending_role, jiwon.company) == (
        AccountStatus.PENDING, Role.AUTHOR, "Acme")
    assert [u.username for u in pool.admitted] == ["jiwon"]
    assert audit.targets("user.signup_confirm") == ["jiwon:pending"]


def test_a_confirmation_that_read_before_another_wrote_admits_and_audits_once(
    world: tuple[Services, WatchedRecords, CountingPool, MemoryAudit],
) -> None:
    """The second request reads the record still waiting for its code, then the first one
    finishes: the second must not admit or audit again."""
    services, records, pool, audit = world
    service = _service(services, records, pool, audit)
    first: list[AccountStatus] = []
    records.after_first_read = lambda: first.append(service.confirm("jiwon", "123456"))

    second = service.confirm("jiwon", "123456")

    assert first == [AccountStatus.PENDING] and second == AccountStatus.PENDING
    assert len(pool.admitted) == 1
    assert audit.targets("user.signup_confirm") == ["jiwon:pending"]


def test_confirmations_at_the_same_moment_admit_and_audit_once(
    world: tuple[Services, WatchedRecords, CountingPool, MemoryAudit],
) -> None:
    services, records, pool, audit = world
    service = _service(services, records, pool, audit)
    count = 4
    start = threading.Barrier(count)

    def one(_: int) -> AccountStatus:
        start.wait()
        return service.confirm("jiwon", "123456")

    with ThreadPoolExecutor(count) as threads:
        answers = list(threads.map(one, range(count)))

    assert answers == [AccountStatus.PENDING] * count
    assert len(pool.admitted) == 1
    assert audit.targets("user.signup_confirm") == ["jiwon:pending"]
    assert records.absent_after == []
