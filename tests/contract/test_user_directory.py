"""UserDirectory contract: every adapter registered in conftest must pass all of these
(SQLite, DynamoDB and a Cognito pool on moto).

Changing or deleting a user that does not exist is NotFound, like ``get``. A Cognito pool keeps
its own creation time, so ``created_at`` is compared within a few seconds of "now".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ConflictError, NotFound


def make_user(username: str = "kim", **fields: Any) -> User:
    values: dict[str, Any] = {
        "username": username,
        "name": "김민준",
        "email": f"{username}@example.com",
        "roles": frozenset({Role.AUTHOR}),
        "created_at": datetime.now(UTC).replace(microsecond=0),
    }
    values.update(fields)
    return User(**values)


def test_create_then_get_round_trips(user_directory: Any) -> None:
    user = make_user(roles=frozenset({Role.AUTHOR, Role.ANALYST}), disabled=True)
    user_directory.create(user)

    stored = user_directory.get("kim")

    assert replace(stored, created_at=user.created_at) == user
    assert abs(stored.created_at - user.created_at) < timedelta(seconds=5)
    assert all(isinstance(role, Role) for role in stored.roles)
    assert stored.created_at.utcoffset() == timedelta(0)


def test_list_shows_the_same_users_as_get(user_directory: Any) -> None:
    user_directory.create(make_user(roles=frozenset({Role.ADMIN, Role.VIEWER})))
    user_directory.create(make_user("lee", roles=frozenset(), disabled=True, email=""))

    listed = {u.username: u for u in user_directory.list()}

    assert listed == {"kim": user_directory.get("kim"), "lee": user_directory.get("lee")}
    assert listed["lee"].email == "" and listed["lee"].disabled


def test_a_user_without_roles(user_directory: Any) -> None:
    user_directory.create(make_user(roles=frozenset()))

    assert user_directory.get("kim").roles == frozenset()


def test_create_existing_username_conflicts(user_directory: Any) -> None:
    user_directory.create(make_user(name="first"))

    with pytest.raises(ConflictError):
        user_directory.create(make_user(name="second"))

    assert user_directory.get("kim").name == "first"


def test_missing_user_is_not_found(user_directory: Any) -> None:
    with pytest.raises(NotFound):
        user_directory.get("ghost")


def test_list_returns_every_user(user_directory: Any) -> None:
    for name in ("lee", "kim", "park"):
        user_directory.create(make_user(name))

    assert sorted(u.username for u in user_directory.list()) == ["kim", "lee", "park"]


def test_set_roles_replaces_them(user_directory: Any) -> None:
    user_directory.create(make_user())

    user_directory.set_roles("kim", frozenset({Role.ADMIN, Role.VIEWER}))
    assert user_directory.get("kim").roles == {Role.ADMIN, Role.VIEWER}

    user_directory.set_roles("kim", frozenset({Role.VIEWER}))
    assert user_directory.get("kim").roles == {Role.VIEWER}

    user_directory.set_roles("kim", frozenset())
    assert user_directory.get("kim").roles == frozenset()


def test_disable_and_enable(user_directory: Any) -> None:
    user_directory.create(make_user())

    user_directory.set_disabled("kim", True)
    assert user_directory.get("kim").disabled is True

    user_directory.set_disabled("kim", False)
    assert user_directory.get("kim").disabled is False


def test_delete(user_directory: Any) -> None:
    user_directory.create(make_user())
    user_directory.create(make_user("lee"))

    user_directory.delete("kim")

    with pytest.raises(NotFound):
        user_directory.get("kim")
    assert [u.username for u in user_directory.list()] == ["lee"]
    user_directory.create(make_user(roles=frozenset({Role.VIEWER})))  # the name is free again
    assert user_directory.get("kim").roles == {Role.VIEWER}


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.set_roles("ghost", frozenset({Role.ADMIN})),
        lambda d: d.set_disabled("ghost", True),
        lambda d: d.delete("ghost"),
    ],
    ids=["set_roles", "set_disabled", "delete"],
)
def test_changing_a_missing_user_is_not_found(user_directory: Any, change: Any) -> None:
    with pytest.raises(NotFound):
        change(user_directory)
