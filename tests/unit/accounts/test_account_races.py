"""Account guards under concurrency, on SQLite (threads) and DynamoDB (moto; each request runs
alone, as DynamoDB applies it, but requests of different threads interleave).

- Parallel wrong guesses for one name: at most ``max_failures`` of them reach bcrypt.
- An unknown or disabled name costs one bcrypt check, like a known one.
- Two admins removing each other at the same moment leave one active administrator.
- Simultaneous first-administrator submissions create exactly one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from services.accounts import passwords
from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.domain.permissions import Actor, Role
from services.errors import ConflictError, PermissionDenied, QuotaExceeded, ValidationError
from tests.contract.aws_backends import dynamodb_user_directory
from tests.contract.local_backends import sqlite_user_directory
from tests.doubles.audit import MemoryAudit
from tests.doubles.concurrency import in_parallel

PASSWORD = "correct horse battery"
MAX_FAILURES = 5
BACKENDS: dict[str, Callable[[Path], AbstractContextManager[Any]]] = {
    "sqlite": sqlite_user_directory,
    "dynamodb": dynamodb_user_directory,
}


class CountingChecker:
    """Stands in for the bcrypt comparison: counts calls and takes a while, as bcrypt does
    (a real check costs a quarter of a second), so that parallel requests overlap."""

    def __init__(self, real: Callable[[str, str], bool]) -> None:
        self._real = real
        self._lock = threading.Lock()
        self.hashes: list[str] = []

    @property
    def calls(self) -> int:
        return len(self.hashes)

    def __call__(self, password: str, password_hash: str) -> bool:
        with self._lock:
            self.hashes.append(password_hash)
        time.sleep(0.02)
        return self._real(password, password_hash)


@pytest.fixture(params=sorted(BACKENDS))
def directory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with BACKENDS[request.param](tmp_path) as adapter:
        yield adapter


@pytest.fixture
def accounts(directory: Any) -> AccountService:
    return AccountService(directory, LocalPasswords(directory, rounds=4), directory,
                          MemoryAudit(), max_failures=MAX_FAILURES)


@pytest.fixture
def checker(monkeypatch: pytest.MonkeyPatch) -> CountingChecker:
    counting = CountingChecker(passwords.check_password)
    monkeypatch.setattr(passwords, "check_password", counting)
    return counting


class SlowReads:
    """The directory, with reads that take a while (a loaded database, a remote directory):
    whatever a caller decides from a read must still hold when it writes."""

    def __init__(self, directory: Any) -> None:
        self._directory = directory

    def __getattr__(self, name: str) -> Any:
        return getattr(self._directory, name)

    def get(self, username: str) -> Any:
        found = self._directory.get(username)
        time.sleep(0.01)
        return found

    def list(self) -> Any:
        found = self._directory.list()
        time.sleep(0.01)
        return found


@pytest.fixture
def slow_accounts(directory: Any) -> AccountService:
    slow = SlowReads(directory)
    return AccountService(slow, LocalPasswords(directory, rounds=4), directory, MemoryAudit())


def active_admins(directory: Any) -> list[str]:
    return [u.username for u in directory.list() if Role.ADMIN in u.roles and not u.disabled]


# ---- sign-in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("guesses", [20, 60])
def test_parallel_wrong_guesses_reach_bcrypt_at_most_max_failures_times(
    accounts: AccountService, checker: CountingChecker, guesses: int
) -> None:
    accounts.create_first_admin("kim", "Kim", "kim@example.com", PASSWORD)

    outcomes = in_parallel([lambda: accounts.authenticate("kim", "wrong password")] * guesses)

    assert checker.calls <= MAX_FAILURES
    assert all(isinstance(o, PermissionDenied | QuotaExceeded) for o in outcomes)
    assert sum(isinstance(o, PermissionDenied) for o in outcomes) == checker.calls
    with pytest.raises(QuotaExceeded):
        accounts.authenticate("kim", PASSWORD)  # locked, even with the right password


def test_a_right_password_clears_the_reserved_attempts(
    accounts: AccountService, checker: CountingChecker
) -> None:
    accounts.create_first_admin("kim", "Kim", "kim@example.com", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(PermissionDenied):
            accounts.authenticate("kim", "wrong password")

    assert accounts.authenticate("kim", PASSWORD).username == "kim"

    for _ in range(MAX_FAILURES - 1):  # the count started again
        with pytest.raises(PermissionDenied):
            accounts.authenticate("kim", "wrong password")
    assert accounts.authenticate("kim", PASSWORD).username == "kim"


@pytest.mark.parametrize("name", ["ghost", "kim-disabled"])
def test_unknown_and_disabled_names_cost_one_bcrypt_check_like_known_ones(
    accounts: AccountService, checker: CountingChecker, name: str
) -> None:
    root = accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
    accounts.create_user(root, "kim-disabled", "Kim", "k@example.com", PASSWORD,
                         frozenset({Role.AUTHOR}))
    accounts.set_disabled(root, "kim-disabled", True)
    with pytest.raises(PermissionDenied):
        accounts.authenticate("root", "wrong password")
    known = checker.hashes[-1]

    with pytest.raises(PermissionDenied):
        accounts.authenticate(name, PASSWORD)

    assert checker.calls == 2
    compared = checker.hashes[-1]
    assert passwords.is_password_hash(compared)
    assert compared[:7] == known[:7]  # same algorithm and work factor: the same cost


def test_the_dummy_hash_has_the_work_factor_of_real_hashes() -> None:
    assert passwords.DUMMY_HASH.startswith(f"$2b${passwords.BCRYPT_ROUNDS:02d}$")
    assert passwords.dummy_hash(4).startswith("$2b$04$")


# ---- the last administrator ------------------------------------------------------------------

REMOVALS: dict[str, Callable[[AccountService, Actor, str], None]] = {
    "demote": lambda a, actor, name: a.set_roles(actor, name, frozenset({Role.VIEWER})),
    "disable": lambda a, actor, name: a.set_disabled(actor, name, True),
    "delete": lambda a, actor, name: a.delete_user(actor, name),
}


@pytest.mark.parametrize("removal", sorted(REMOVALS))
def test_two_admins_removing_each_other_at_once_leave_one_active_admin(
    slow_accounts: AccountService, directory: Any, removal: str
) -> None:
    accounts = slow_accounts
    remove = REMOVALS[removal]
    survivor = accounts.create_first_admin("admin0", "A0", "a0@example.com", PASSWORD).as_actor()
    for round_ in range(1, 11):
        newcomer = accounts.create_user(
            survivor, f"admin{round_}", "A", f"a{round_}@example.com", PASSWORD,
            frozenset({Role.ADMIN})
        ).as_actor()
        assert survivor.user_id and newcomer.user_id
        pair = (survivor, newcomer)

        outcomes = in_parallel([
            partial(remove, accounts, survivor, newcomer.user_id),
            partial(remove, accounts, newcomer, survivor.user_id),
        ])

        left = active_admins(directory)
        assert len(left) == 1, f"round {round_}: {left} after {outcomes}"
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], ValidationError)
        assert refused[0].key == "auth.err_last_admin"
        survivor = next(a for a in pair if a.user_id == left[0])


def test_simultaneous_first_admin_submissions_create_exactly_one(
    slow_accounts: AccountService, directory: Any
) -> None:
    accounts = slow_accounts
    outcomes = in_parallel([
        partial(accounts.create_first_admin, f"admin{i}", "A", f"a{i}@example.com", PASSWORD)
        for i in range(10)
    ])

    assert len(active_admins(directory)) == 1
    assert len(directory.list()) == 1
    assert sum(isinstance(o, PermissionDenied) for o in outcomes) == 9


def test_first_admin_after_all_admins_were_disabled(accounts: AccountService,
                                                    directory: Any) -> None:
    # "Until an active administrator exists": a disabled one does not count.
    accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD)
    directory.set_disabled("root", True)
    fresh = AccountService(directory, LocalPasswords(directory, rounds=4), directory,
                           MemoryAudit())

    fresh.create_first_admin("again", "Again", "a@example.com", PASSWORD)

    assert active_admins(directory) == ["again"]
    with pytest.raises(PermissionDenied):
        fresh.create_first_admin("third", "T", "t@example.com", PASSWORD)



# ---- passwords -------------------------------------------------------------------------------


def test_a_password_change_does_not_undo_a_reset_made_while_it_checked_the_old_password(
    accounts: AccountService, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
    kim = accounts.create_user(root, "kim", "Kim", "kim@example.com", PASSWORD,
                               frozenset({Role.AUTHOR}), temporary=False).as_actor()
    one_time: list[str | None] = []
    real_check = passwords.check_password

    def reset_meanwhile(password: str, password_hash: str) -> bool:
        if not one_time:  # the administrator resets while kim's old password is checked
            one_time.append(accounts.reset_password(root, "kim").one_time_password)
        return real_check(password, password_hash)

    monkeypatch.setattr(passwords, "check_password", reset_meanwhile)
    with pytest.raises(ConflictError) as refused:
        accounts.change_password(kim, PASSWORD, "a new password of mine")
    monkeypatch.setattr(passwords, "check_password", real_check)

    assert refused.value.key == "auth.err_password_changed"
    assert one_time[0] and accounts.password_must_change("kim")
    assert accounts.authenticate("kim", one_time[0]).username == "kim"
    with pytest.raises(PermissionDenied):
        accounts.authenticate("kim", "a new password of mine")


def test_a_one_time_password_used_twice_at_once_sets_one_password(
    accounts: AccountService,
) -> None:
    root = accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
    accounts.create_user(root, "kim", "Kim", "kim@example.com", PASSWORD,
                         frozenset({Role.AUTHOR}))
    one_time = accounts.reset_password(root, "kim").one_time_password
    assert one_time is not None
    choices = [f"kim's own password {n}" for n in range(4)]

    outcomes = in_parallel([partial(accounts.set_password_after_reset, "kim", one_time, new)
                            for new in choices])

    set_by = [new for new, outcome in zip(choices, outcomes, strict=True)
              if not isinstance(outcome, Exception)]
    assert len(set_by) == 1, outcomes
    assert all(isinstance(o, PermissionDenied) for o in outcomes if isinstance(o, Exception))
    assert accounts.authenticate("kim", set_by[0]).username == "kim"
