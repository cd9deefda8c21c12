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
from services.errors import ConflictError, NotFound, ValidationError


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


# ---- the administrator guards ----------------------------------------------------------------


def active_admins(user_directory: Any) -> set[str]:
    return {u.username for u in user_directory.list() if Role.ADMIN in u.roles and not u.disabled}


ADMIN = frozenset({Role.ADMIN})


def test_the_first_admin_only_while_no_active_admin_exists(user_directory: Any) -> None:
    assert user_directory.create_first_admin(make_user("root", roles=ADMIN))
    assert not user_directory.create_first_admin(make_user("other", roles=ADMIN))
    with pytest.raises(NotFound):
        user_directory.get("other")

    user_directory.set_disabled("root", True)  # a disabled admin is no active admin
    assert user_directory.create_first_admin(make_user("again", roles=ADMIN))
    assert active_admins(user_directory) == {"again"}


GUARDED = {
    "demote": lambda d, name: d.set_roles_guarded(name, frozenset({Role.VIEWER})),
    "disable": lambda d, name: d.set_disabled_guarded(name, True),
    "delete": lambda d, name: d.delete_guarded(name),
}


@pytest.mark.parametrize("removal", sorted(GUARDED))
def test_the_last_active_admin_cannot_be_removed(user_directory: Any, removal: str) -> None:
    user_directory.create(make_user("root", roles=ADMIN))
    user_directory.create(make_user("gone", roles=ADMIN, disabled=True))
    user_directory.create(make_user("kim"))

    with pytest.raises(ValidationError) as refused:
        GUARDED[removal](user_directory, "root")

    assert refused.value.key == "auth.err_last_admin"
    assert user_directory.get("root") == make_user("root", roles=ADMIN,
                                                   created_at=user_directory.get("root").created_at)
    GUARDED[removal](user_directory, "kim")  # not an admin: no guard
    GUARDED[removal](user_directory, "gone")  # a disabled admin: not the last active one


@pytest.mark.parametrize("removal", sorted(GUARDED))
def test_an_admin_may_go_while_another_remains(user_directory: Any, removal: str) -> None:
    for name in ("root", "lee"):
        user_directory.create(make_user(name, roles=ADMIN))

    GUARDED[removal](user_directory, "lee")

    assert active_admins(user_directory) == {"root"}
    with pytest.raises(ValidationError) as refused:
        GUARDED[removal](user_directory, "root")
    assert refused.value.key == "auth.err_last_admin"
    assert active_admins(user_directory) == {"root"}


def test_unguarded_changes_keep_the_guards_right(user_directory: Any) -> None:
    # Plain writes (a half-made account taken back, an operator's script) move the guards'
    # view of who is an active admin just as the guarded ones do.
    user_directory.create(make_user("root", roles=ADMIN))
    user_directory.create(make_user("lee", roles=ADMIN))
    user_directory.create(make_user("kim"))
    user_directory.set_roles("lee", frozenset({Role.VIEWER}))
    user_directory.set_roles("kim", ADMIN)
    user_directory.set_disabled("kim", True)
    user_directory.set_disabled("kim", False)
    user_directory.delete("kim")

    with pytest.raises(ValidationError) as refused:
        user_directory.set_disabled_guarded("root", True)
    assert refused.value.key == "auth.err_last_admin"
    assert active_admins(user_directory) == {"root"}
    user_directory.set_disabled_guarded("root", False)  # enabling is never refused
    user_directory.set_roles_guarded("lee", ADMIN)
    user_directory.delete_guarded("root")
    assert active_admins(user_directory) == {"lee"}


@pytest.mark.parametrize("removal", sorted(GUARDED))
def test_guarded_changes_to_a_missing_user_are_not_found(user_directory: Any,
                                                         removal: str) -> None:
    user_directory.create(make_user("root", roles=ADMIN))
    with pytest.raises(NotFound):
        GUARDED[removal](user_directory, "ghost")
