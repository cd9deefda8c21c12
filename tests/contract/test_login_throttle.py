"""LoginThrottle contract: failed sign-ins per typed name (SQLite and DynamoDB users table;
with Cognito sign-in the DynamoDB table keeps them, with no account items at all)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from services.domain.permissions import Role
from services.domain.users import User

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _user(name: str) -> User:
    return User(name, name.title(), f"{name}@example.com", frozenset({Role.AUTHOR}), T0)


def test_login_failures_are_counted_since_a_time(login_throttle: Any) -> None:
    login_throttle.create(_user("kim"))
    for minute in (0, 5, 10):
        login_throttle.record_login_failure("kim", T0 + timedelta(minutes=minute))

    count = login_throttle.login_failures_since
    assert count("kim", T0 - timedelta(minutes=1)) == 3
    assert count("kim", T0 + timedelta(minutes=5)) == 2  # inclusive
    assert count("kim", T0 + timedelta(minutes=6)) == 1
    assert count("kim", T0 + timedelta(minutes=11)) == 0


def test_login_failures_are_per_user_and_can_be_cleared(login_throttle: Any) -> None:
    for name in ("kim", "lee"):
        login_throttle.create(_user(name))
    for _ in range(3):
        login_throttle.record_login_failure("kim", T0)
    login_throttle.record_login_failure("lee", T0)

    login_throttle.clear_login_failures("kim")

    assert login_throttle.login_failures_since("kim", T0) == 0
    assert login_throttle.login_failures_since("lee", T0) == 1


def test_login_failures_of_unknown_usernames_are_counted_and_cleared(login_throttle: Any) -> None:
    # Lockout must work the same whether or not the name exists, so it reveals nothing.
    login_throttle.record_login_failure("ghost", T0)
    login_throttle.record_login_failure("ghost", T0)

    assert login_throttle.login_failures_since("ghost", T0) == 2
    login_throttle.clear_login_failures("ghost")
    assert login_throttle.login_failures_since("ghost", T0) == 0


def test_reserving_an_attempt_counts_it_as_a_failure_until_cleared(login_throttle: Any) -> None:
    reserve = login_throttle.reserve_login_attempt
    since = T0 - timedelta(minutes=15)

    assert [reserve("kim", T0, since, 3) for _ in range(4)] == [True, True, True, False]
    assert login_throttle.login_failures_since("kim", since) == 3  # the refused one is not

    login_throttle.clear_login_failures("kim")
    assert reserve("kim", T0, since, 3)


def test_a_reservation_counts_only_failures_in_the_window(login_throttle: Any) -> None:
    login_throttle.create(_user("kim"))
    for minute in (0, 1, 2):
        login_throttle.record_login_failure("kim", T0 + timedelta(minutes=minute))
    later = T0 + timedelta(minutes=20)

    assert not login_throttle.reserve_login_attempt("kim", later, T0, 3)
    # Two of the three are older than the window: room for one more, then none.
    assert login_throttle.reserve_login_attempt("kim", later, T0 + timedelta(minutes=2), 3)
    assert login_throttle.reserve_login_attempt("kim", later, T0 + timedelta(minutes=2), 3)
    assert not login_throttle.reserve_login_attempt("kim", later, T0 + timedelta(minutes=2), 3)


def test_parallel_reservations_never_pass_the_limit(login_throttle: Any) -> None:
    since = T0 - timedelta(minutes=15)
    start = threading.Barrier(20)
    granted: list[bool] = []

    def attempt() -> None:
        start.wait()
        granted.append(login_throttle.reserve_login_attempt("kim", T0, since, 5))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert granted.count(True) == 5 and len(granted) == 20
    assert login_throttle.login_failures_since("kim", since) == 5
