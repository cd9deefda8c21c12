"""SqliteUserDirectory specifics: stored forms and persistence (behaviour: contract suite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.users import SqliteUserDirectory
from services.domain.permissions import Role
from services.domain.users import User

T0 = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "app.sqlite3")
    database.migrate()
    yield database
    database.close()


def user(username: str = "kim", roles: frozenset[Role] = frozenset()) -> User:
    return User(username=username, name="Kim", email=f"{username}@example.com", roles=roles,
                created_at=T0)


def test_roles_are_a_sorted_comma_list(db: SqliteDatabase) -> None:
    SqliteUserDirectory(db).create(user(roles=frozenset({Role.VIEWER, Role.ADMIN})))

    stored = db.connection().execute("SELECT roles FROM users").fetchone()[0]

    assert stored == "admin,viewer"


def test_deleting_a_user_forgets_their_login_failures(db: SqliteDatabase) -> None:
    users = SqliteUserDirectory(db)
    users.create(user())
    users.record_login_failure("kim", T0)

    users.delete("kim")

    assert db.connection().execute("SELECT COUNT(*) FROM login_failures").fetchone()[0] == 0


def test_list_is_sorted_by_username(db: SqliteDatabase) -> None:
    users = SqliteUserDirectory(db)
    for name in ("lee", "kim", "park"):
        users.create(user(name))

    assert [u.username for u in users.list()] == ["kim", "lee", "park"]


def test_users_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    first = SqliteDatabase(path)
    first.migrate()
    SqliteUserDirectory(first).create(user(roles=frozenset({Role.AUTHOR})))
    SqliteUserDirectory(first).set_password_hash("kim", "hash")
    first.close()

    second = SqliteDatabase(path)
    reopened = SqliteUserDirectory(second)
    assert reopened.get("kim") == user(roles=frozenset({Role.AUTHOR}))  # created_at exactly
    assert reopened.password_hash("kim") == "hash"
    second.close()


def test_accounts_that_shared_an_email_before_the_check_can_save_their_details(
        db: SqliteDatabase) -> None:
    users = SqliteUserDirectory(db)
    users.create(user("kim"))
    users.create(user("lee"))
    db.connection().execute("UPDATE users SET email = 'shared@example.com'")  # an old pair

    users.update_profile("lee", name="Lee J", email="SHARED@example.com", company="")

    assert users.get("lee").name == "Lee J"
