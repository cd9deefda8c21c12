"""One email, one account, on both stores that keep local accounts (SQLite and the DynamoDB
users table): creating an account and changing a profile check the address and write in one
step, so two sign-ups or two profile changes at the same moment cannot both take it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ConflictError, NotFound

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _user(name: str, email: str, roles: frozenset[Role] = frozenset({Role.VIEWER})) -> User:
    return User(name, name.title(), email, roles, T0)


def _profile(directory: Any, name: str, email: str) -> None:
    directory.update_profile(name, name=name.title(), email=email, company="")


def test_an_email_in_use_in_any_case_is_refused(signup_directory: Any) -> None:
    signup_directory.create(_user("kim", "Kim@Example.com"))

    with pytest.raises(ConflictError) as taken:
        signup_directory.create(_user("lee", "kim@example.COM"))

    assert taken.value.key == "auth.err_email_taken"
    with pytest.raises(NotFound):
        signup_directory.get("lee")


def test_an_administrator_account_is_held_to_it_too(signup_directory: Any) -> None:
    signup_directory.create(_user("kim", "kim@example.com"))
    with pytest.raises(ConflictError) as taken:
        signup_directory.create(_user("root", "kim@example.com", frozenset({Role.ADMIN})))
    assert taken.value.key == "auth.err_email_taken"


def test_accounts_without_an_email_do_not_collide(signup_directory: Any) -> None:
    signup_directory.create(_user("kim", ""))
    signup_directory.create(_user("lee", ""))
    assert {u.username for u in signup_directory.list()} == {"kim", "lee"}


def test_a_profile_cannot_take_another_account_s_email(signup_directory: Any) -> None:
    signup_directory.create(_user("kim", "kim@example.com"))
    signup_directory.create(_user("lee", "lee@example.com"))

    with pytest.raises(ConflictError) as taken:
        _profile(signup_directory, "lee", "KIM@example.com")

    assert taken.value.key == "auth.err_email_taken"
    assert signup_directory.get("lee").email == "lee@example.com"
    _profile(signup_directory, "lee", "LEE@example.com")  # its own address, in another case
    assert signup_directory.get("lee").email == "LEE@example.com"


def test_an_address_given_up_or_deleted_is_free_again(signup_directory: Any) -> None:
    signup_directory.create(_user("kim", "kim@example.com"))
    signup_directory.create(_user("lee", "lee@example.com"))

    _profile(signup_directory, "kim", "kim.new@example.com")
    signup_directory.create(_user("park", "kim@example.com"))
    signup_directory.delete("lee")
    _profile(signup_directory, "park", "lee@example.com")

    assert signup_directory.get("park").email == "lee@example.com"
    with pytest.raises(ConflictError):
        signup_directory.create(_user("choi", "kim.new@example.com"))


def _succeeded_at_once(count: int, attempt: Callable[[int], None]) -> int:
    """Run ``attempt(0..count-1)`` in threads released together; how many ended without a
    ConflictError."""
    start = threading.Barrier(count)

    def one(n: int) -> bool:
        start.wait()
        try:
            attempt(n)
        except ConflictError:
            return False
        return True

    with ThreadPoolExecutor(count) as pool:
        return sum(pool.map(one, range(count)))


def test_sign_ups_at_the_same_moment_get_the_address_once(signup_directory: Any) -> None:
    created = _succeeded_at_once(
        8, lambda n: signup_directory.create(_user(f"user{n}", "same@example.com")))

    assert created == 1
    owners = [u for u in signup_directory.list() if u.email == "same@example.com"]
    assert len(owners) == 1


def test_profile_changes_at_the_same_moment_get_the_address_once(
        signup_directory: Any) -> None:
    for n in range(6):
        signup_directory.create(_user(f"user{n}", f"user{n}@example.com"))

    changed = _succeeded_at_once(
        6, lambda n: _profile(signup_directory, f"user{n}", "wanted@example.com"))

    assert changed == 1
    holders = [u for u in signup_directory.list() if u.email == "wanted@example.com"]
    assert len(holders) == 1
