"""Local sign-in behind the one sign-in interface: start, restore from the cookie, re-check,
and the one password rule on every path."""

from __future__ import annotations

import time

import jwt
import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.accounts.sign_in.local import LocalSignIn, cookie_token
from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied

KEY = "a-cookie-key-of-plenty-of-random-looking-chars-0123"
SPACED = "  spaces around it  "


@pytest.fixture
def accounts(services: Services) -> AccountService:
    return AccountService(services.ports.users,
                          LocalPasswords(services.ports.users, rounds=4),  # type: ignore[arg-type]
                          services.ports.throttle, services.ports.audit, max_failures=3)


@pytest.fixture
def sign_in(accounts: AccountService) -> LocalSignIn:
    return LocalSignIn(accounts, cookie_key=lambda: KEY, cookie_name="df", cookie_days=7)


@pytest.fixture
def root(accounts: AccountService) -> Actor:
    return accounts.create_first_admin("root", "Root", "r@example.com", SPACED).as_actor()


def test_a_sign_in_comes_back_from_its_cookie_with_directory_roles(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor
) -> None:
    accounts.create_user(root, "alice", "Alice", "a@example.com", "alice-password",
                         frozenset({Role.AUTHOR}))
    started = sign_in.sign_in(" Alice ", "alice-password")
    restored = sign_in.restore(sign_in.cookie_value(started))
    assert restored.session is not None and not restored.forget_cookie
    assert restored.session.actor.user_id == "alice"
    accounts.set_roles(root, "alice", frozenset({Role.ANALYST}))
    rechecked = sign_in.recheck(restored.session)
    assert rechecked is not None and rechecked.actor.roles == {Role.ANALYST}


@pytest.mark.parametrize("case", ["garbage", "wrong-key", "expired", "unknown-user"])
def test_a_forged_or_stale_cookie_signs_nobody_in_and_is_forgotten(
    sign_in: LocalSignIn, root: Actor, case: str
) -> None:
    later = time.time() + 3600
    cookies = {
        "garbage": "not-a-jwt",
        "wrong-key": jwt.encode({"username": "root", "exp_date": later},
                                "another key that is long enough for HS256!", "HS256"),
        "expired": cookie_token(KEY, "root", time.time() - 1),
        "unknown-user": cookie_token(KEY, "nobody", later),
    }
    restored = sign_in.restore(cookies[case])
    assert restored.session is None and restored.forget_cookie


def test_a_disabled_user_is_signed_out_on_the_next_run_and_by_cookie(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor
) -> None:
    accounts.create_user(root, "bob", "Bob", "b@example.com", "bob-password-1",
                         frozenset({Role.VIEWER}))
    session = sign_in.sign_in("bob", "bob-password-1")
    cookie = sign_in.cookie_value(session)
    accounts.set_disabled(root, "bob", True)
    assert sign_in.recheck(session) is None
    assert sign_in.restore(cookie).forget_cookie


def test_passwords_are_used_exactly_as_typed_on_every_path(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor
) -> None:
    # The first administrator set a password with surrounding spaces: it signs in as set.
    assert sign_in.sign_in("root", SPACED).actor.user_id == "root"
    with pytest.raises(PermissionDenied):
        sign_in.sign_in("root", SPACED.strip())
    accounts.create_user(root, "carol", "Carol", "c@example.com", SPACED,
                         frozenset({Role.VIEWER}))
    carol = sign_in.sign_in("carol", SPACED)
    sign_in.change_password(carol, SPACED, f" {SPACED} ")
    assert sign_in.sign_in("carol", f" {SPACED} ").actor.user_id == "carol"
