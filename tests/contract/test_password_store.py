"""PasswordStore contract (local accounts: SQLite and the DynamoDB users table)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import bcrypt
import pytest

from services.accounts.passwords import LocalPasswords, check_password
from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ConflictError, NotFound, ValidationError

HASH = "$2b$12$abcdefghijklmnopqrstuuVGKq6pI0nU6u0pM9e0yV3pY0t8Xo1Fe"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _user(name: str = "kim") -> User:
    return User(name, "Kim", f"{name}@example.com", frozenset({Role.AUTHOR}), T0)


def test_a_new_account_has_the_empty_hash_that_matches_nothing(password_store: Any) -> None:
    password_store.create(_user())

    assert password_store.password_hash("kim") == ""
    assert not check_password("", password_store.password_hash("kim"))


def test_set_and_read_the_hash(password_store: Any) -> None:
    password_store.create(_user())

    password_store.set_password_hash("kim", HASH)

    assert password_store.password_hash("kim") == HASH
    password_store.set_roles("kim", frozenset({Role.ADMIN}))  # profile changes keep it
    assert password_store.password_hash("kim") == HASH


def test_missing_account_is_not_found(password_store: Any) -> None:
    with pytest.raises(NotFound):
        password_store.password_hash("ghost")
    with pytest.raises(NotFound):
        password_store.set_password_hash("ghost", HASH)


def test_a_deleted_and_recreated_account_has_no_old_hash(password_store: Any) -> None:
    password_store.create(_user())
    password_store.set_password_hash("kim", HASH)

    password_store.delete("kim")
    password_store.create(_user())

    assert password_store.password_hash("kim") == ""


def test_a_hash_made_elsewhere_is_kept_as_it_is(password_store: Any) -> None:
    """What an import from a streamlit-authenticator app stores: its bcrypt hash, unchanged."""
    password_store.create(_user())
    passwords = LocalPasswords(password_store)
    old_app_hash = bcrypt.hashpw(b"from the old app", bcrypt.gensalt(4)).decode()

    passwords.set_password_hash("kim", old_app_hash)

    assert password_store.password_hash("kim") == passwords.password_hash("kim") == old_app_hash
    assert passwords.check("kim", "from the old app")
    with pytest.raises(ValidationError):
        passwords.set_password_hash("kim", "from the old app")  # plain text is not a hash
    assert passwords.password_hash("kim") == old_app_hash


def test_a_temporary_hash_is_flagged_and_a_new_hash_clears_the_flag(password_store: Any) -> None:
    """An administrator's one-time password is stored with its "must change" mark."""
    password_store.create(_user())
    assert password_store.password_is_temporary("kim") is False

    password_store.set_password_hash("kim", HASH, temporary=True)

    assert password_store.password_is_temporary("kim") is True
    assert password_store.password_hash("kim") == HASH
    password_store.set_roles("kim", frozenset({Role.ADMIN}))  # profile changes keep it
    assert password_store.password_is_temporary("kim") is True
    password_store.set_password_hash("kim", HASH)
    assert password_store.password_is_temporary("kim") is False
    with pytest.raises(NotFound):
        password_store.password_is_temporary("ghost")
    with pytest.raises(NotFound):
        password_store.set_password_hash("ghost", HASH, temporary=True)


def test_a_recreated_account_has_no_old_temporary_mark(password_store: Any) -> None:
    password_store.create(_user())
    password_store.set_password_hash("kim", HASH, temporary=True)

    password_store.delete("kim")
    password_store.create(_user())

    assert password_store.password_is_temporary("kim") is False


def test_a_hash_replaces_only_the_one_its_caller_checked(password_store: Any) -> None:
    """A password change checked the old password against HASH; an administrator's reset
    wrote another hash meanwhile. The change must not overwrite the reset."""
    password_store.create(_user())
    password_store.set_password_hash("kim", HASH)
    reset = bcrypt.hashpw(b"one-time", bcrypt.gensalt(4)).decode()
    password_store.set_password_hash("kim", reset, temporary=True, replacing=HASH)

    changed = bcrypt.hashpw(b"mine", bcrypt.gensalt(4)).decode()
    with pytest.raises(ConflictError):
        password_store.set_password_hash("kim", changed, replacing=HASH)

    assert password_store.password_hash("kim") == reset
    assert password_store.password_is_temporary("kim")
    with pytest.raises(NotFound):
        password_store.set_password_hash("nobody", changed, replacing=HASH)
