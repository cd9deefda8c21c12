"""UserDirectory contract: every adapter registered in conftest must pass all of these.

Changing or deleting a user that does not exist is NotFound, like ``get``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ConflictError, NotFound

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
HASH = "$2b$12$abcdefghijklmnopqrstuuVGKq6pI0nU6u0pM9e0yV3pY0t8Xo1Fe"


def make_user(username: str = "kim", **fields: Any) -> User:
    values: dict[str, Any] = {
        "username": username,
        "name": "김민준",
        "email": f"{username}@example.com",
        "roles": frozenset({Role.AUTHOR}),
        "created_at": T0,
    }
    values.update(fields)
    return User(**values)


def test_create_then_get_round_trips(user_directory: Any) -> None:
    user = make_user(roles=frozenset({Role.AUTHOR, Role.ANALYST}), disabled=True)
    user_directory.create(user, HASH)

    stored = user_directory.get("kim")

    assert stored == user
    assert all(isinstance(role, Role) for role in stored.roles)
    assert stored.created_at.utcoffset() == timedelta(0)
    assert user_directory.password_hash("kim") == HASH


def test_a_user_without_roles(user_directory: Any) -> None:
    user_directory.create(make_user(roles=frozenset()), HASH)

    assert user_directory.get("kim").roles == frozenset()


def test_create_existing_username_conflicts(user_directory: Any) -> None:
    user_directory.create(make_user(name="first"), HASH)

    with pytest.raises(ConflictError):
        user_directory.create(make_user(name="second"), "other-hash")

    assert user_directory.get("kim").name == "first"
    assert user_directory.password_hash("kim") == HASH


def test_missing_user_is_not_found(user_directory: Any) -> None:
    with pytest.raises(NotFound):
        user_directory.get("ghost")
    with pytest.raises(NotFound):
        user_directory.password_hash("ghost")


def test_list_returns_every_user(user_directory: Any) -> None:
    for name in ("lee", "kim", "park"):
        user_directory.create(make_user(name), HASH)

    assert sorted(u.username for u in user_directory.list()) == ["kim", "lee", "park"]


def test_set_roles_replaces_them(user_directory: Any) -> None:
    user_directory.create(make_user(), HASH)

    user_directory.set_roles("kim", frozenset({Role.ADMIN, Role.VIEWER}))
    assert user_directory.get("kim").roles == {Role.ADMIN, Role.VIEWER}

    user_directory.set_roles("kim", frozenset({Role.VIEWER}))
    assert user_directory.get("kim").roles == {Role.VIEWER}


def test_set_password_hash(user_directory: Any) -> None:
    user_directory.create(make_user(), HASH)

    user_directory.set_password_hash("kim", "new-hash")

    assert user_directory.password_hash("kim") == "new-hash"


def test_disable_and_enable(user_directory: Any) -> None:
    user_directory.create(make_user(), HASH)

    user_directory.set_disabled("kim", True)
    assert user_directory.get("kim").disabled is True

    user_directory.set_disabled("kim", False)
    assert user_directory.get("kim").disabled is False


def test_delete(user_directory: Any) -> None:
    user_directory.create(make_user(), HASH)
    user_directory.create(make_user("lee"), HASH)

    user_directory.delete("kim")

    with pytest.raises(NotFound):
        user_directory.get("kim")
    assert [u.username for u in user_directory.list()] == ["lee"]
    user_directory.create(make_user(), "fresh-hash")  # the name is free again
    assert user_directory.password_hash("kim") == "fresh-hash"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.set_roles("ghost", frozenset({Role.ADMIN})),
        lambda d: d.set_password_hash("ghost", HASH),
        lambda d: d.set_disabled("ghost", True),
        lambda d: d.delete("ghost"),
    ],
    ids=["set_roles", "set_password_hash", "set_disabled", "delete"],
)
def test_changing_a_missing_user_is_not_found(user_directory: Any, change: Any) -> None:
    with pytest.raises(NotFound):
        change(user_directory)


def test_login_failures_are_counted_since_a_time(user_directory: Any) -> None:
    user_directory.create(make_user(), HASH)
    for minute in (0, 5, 10):
        user_directory.record_login_failure("kim", T0 + timedelta(minutes=minute))

    count = user_directory.login_failures_since
    assert count("kim", T0 - timedelta(minutes=1)) == 3
    assert count("kim", T0 + timedelta(minutes=5)) == 2  # inclusive
    assert count("kim", T0 + timedelta(minutes=6)) == 1
    assert count("kim", T0 + timedelta(minutes=11)) == 0


def test_login_failures_are_per_user_and_can_be_cleared(user_directory: Any) -> None:
    for name in ("kim", "lee"):
        user_directory.create(make_user(name), HASH)
    for _ in range(3):
        user_directory.record_login_failure("kim", T0)
    user_directory.record_login_failure("lee", T0)

    user_directory.clear_login_failures("kim")

    assert user_directory.login_failures_since("kim", T0) == 0
    assert user_directory.login_failures_since("lee", T0) == 1


def test_login_failures_of_unknown_usernames_are_counted(user_directory: Any) -> None:
    # Lockout must work the same whether or not the name exists, so it reveals nothing.
    user_directory.record_login_failure("ghost", T0)

    assert user_directory.login_failures_since("ghost", T0) == 1
