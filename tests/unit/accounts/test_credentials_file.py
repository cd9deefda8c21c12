"""Reading and making streamlit-authenticator credentials files (pure: no YAML, no store)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.accounts.credentials_file import (
    Entry,
    Problem,
    credentials_config,
    read_credentials,
    split_name,
)
from services.domain.permissions import Role
from services.domain.users import AccountStatus, User
from services.errors import ValidationError

HASH = "$2b$04$XwrUKjEzb4Ga7E4pG.cvCuPvVvL3m8bVxMqUcMTE8f0Aztl1vJMNC"
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def read(usernames: Any, **config: Any) -> tuple[list[Entry], list[Problem]]:
    credentials = read_credentials({"credentials": {"usernames": usernames}, **config})
    return credentials.entries, credentials.problems


def test_fields_names_and_passwords() -> None:
    entries, problems = read({
        "Ada": {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace",
                "password": HASH, "roles": ["admin"], "failed_login_attempts": 0,
                "logged_in": False},
        "old": {"name": "Old Style", "password": 1234567890},  # before first/last names
        "kim": {"first_name": "김민지", "last_name": None, "password": "plain-enough-1"},
    })
    assert problems == []
    ada, old, kim = entries
    assert (ada.username, ada.name, ada.email, ada.roles) == (
        "Ada", "Ada Lovelace", "ada@example.com", frozenset({Role.ADMIN}))
    assert ada.hashed and not old.hashed and not kim.hashed
    assert (old.name, old.password, old.email) == ("Old Style", "1234567890", "")
    assert kim.name == "김민지"


def test_roles_map_to_ours_unknown_ones_are_dropped_none_is_viewer() -> None:
    entries, _ = read({
        "a": {"password": HASH, "roles": ["Admin", " analyst ", "editor", 7]},
        "b": {"password": HASH, "roles": "author"},
        "c": {"password": HASH, "roles": ["superuser"]},
        "d": {"password": HASH},
    })
    a, b, c, d = entries
    assert a.roles == {Role.ADMIN, Role.ANALYST} and a.unknown_roles == ("editor", "7")
    assert not a.no_role
    assert b.roles == {Role.AUTHOR} and b.unknown_roles == ()
    assert c.roles == {Role.VIEWER} and c.no_role and c.unknown_roles == ("superuser",)
    assert d.roles == {Role.VIEWER} and d.no_role and d.unknown_roles == ()


def test_entries_that_cannot_be_read_are_problems_the_rest_is_read() -> None:
    entries, problems = read({"ok": {"password": HASH}, "x": 3,
                              "y": {"password": ["not", "text"]}, 42: {"password": HASH}})
    assert [e.username for e in entries] == ["ok", "42"]
    assert problems == [Problem("x", "auth.credentials_err_entry"),
                        Problem("y", "auth.credentials_err_field", {"field": "password"})]


@pytest.mark.parametrize("config", [None, [], "text", {"cookie": {}}, {"credentials": {}},
                                    {"credentials": {"usernames": ["ada"]}}])
def test_not_a_credentials_file(config: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        read_credentials(config)
    assert refused.value.key == "auth.credentials_err_file"


def test_an_empty_user_list_and_the_cookie_section() -> None:
    credentials = read_credentials({"credentials": {"usernames": None},
                                    "cookie": {"name": "c", "key": "secret", "expiry_days": 30}})
    assert credentials.entries == [] and credentials.cookie_name == "c"
    assert read_credentials({"credentials": {"usernames": {}}}).cookie_name is None


@pytest.mark.parametrize(("name", "parts"), [("Ada Lovelace", ("Ada", "Lovelace")),
                                             ("김민지", ("김민지", "")),
                                             ("Jean Paul Sartre", ("Jean", "Paul Sartre"))])
def test_a_name_split_into_first_and_last_reads_back_the_same(
    name: str, parts: tuple[str, str]
) -> None:
    assert split_name(name) == parts
    first, last = parts
    (entry,), _ = read({"u": {"first_name": first, "last_name": last, "password": HASH}})
    assert entry.name == name


def test_the_export_leaves_out_disabled_users_and_users_without_a_password() -> None:
    def user(name: str, *roles: Role, disabled: bool = False) -> User:
        return User(name, name.title(), f"{name}@example.com", frozenset(roles), T0, disabled)

    config, left_out = credentials_config(
        [(user("ada", Role.ANALYST, Role.ADMIN), HASH), (user("bo", Role.VIEWER), ""),
         (user("cy", Role.AUTHOR, disabled=True), HASH)],
        "demo_factory_auth", 7,
    )
    assert config["credentials"]["usernames"] == {"ada": {
        "email": "ada@example.com", "first_name": "Ada", "last_name": "", "password": HASH,
        "roles": ["admin", "analyst"]}}
    assert config["cookie"] == {"name": "demo_factory_auth", "key": "", "expiry_days": 7}
    assert left_out == [Problem("bo", "auth.credentials_left_out_no_password"),
                        Problem("cy", "auth.credentials_left_out_disabled")]


@pytest.mark.parametrize("status", [AccountStatus.PENDING, AccountStatus.DECLINED])
def test_the_export_leaves_out_sign_ups_that_may_not_sign_in(status: AccountStatus) -> None:
    waiting = User("dee", "Dee", "dee@example.com", frozenset({Role.VIEWER}), T0, status=status)

    config, left_out = credentials_config([(waiting, HASH)], "demo_factory_auth", 7)

    assert config["credentials"]["usernames"] == {}  # the other app would let them in
    assert left_out == [Problem("dee", "auth.credentials_left_out_not_approved")]
