"""An administrator's one-time password (reset, or the initial password of a created user)
works exactly once, and only to set the user's own password: on SQLite and on DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions
from services.accounts.sign_in.base import SignedIn
from services.accounts.sign_in.local import LocalSignIn
from services.domain.identity import Challenge, ChallengeName
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied, ValidationError
from tests.contract import aws_backends, local_backends

KEY = "a-cookie-key-of-plenty-of-random-looking-chars-0123"
ROOT_PASSWORD = "root-password-1"
OWN = "my own password 1"
BACKENDS = ("sqlite", "dynamodb")


def _factories(name: str) -> tuple[Any, Any, Any]:
    module: Any = local_backends if name == "sqlite" else aws_backends
    return (module.PASSWORD_STORES[name], module.SESSION_STORES[name], module.AUDIT_LOGS[name])


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, ...]]:
    users_f, sessions_f, audit_f = _factories(request.param)
    with users_f(tmp_path / "u") as users, sessions_f(tmp_path / "s") as store, \
            audit_f(tmp_path / "a") as audit:
        sessions = LocalSessions(store, days=7)
        accounts = AccountService(users, LocalPasswords(users, rounds=4), users, audit,
                                  max_failures=5, sessions=sessions)
        sign_in = LocalSignIn(accounts, sessions, cookie_key=lambda: KEY, cookie_name="df",
                              cookie_days=7)
        yield accounts, sign_in, audit, sessions


@pytest.fixture
def root(world: tuple[Any, ...]) -> Actor:
    accounts: AccountService = world[0]
    return accounts.create_first_admin("root", "Root", "r@example.com", ROOT_PASSWORD).as_actor()


def _reset_kim(accounts: AccountService, root: Actor) -> str:
    accounts.create_user(root, "kim", "Kim", "k@example.com", "initial-pass-1",
                         frozenset({Role.AUTHOR}))
    one_time = accounts.reset_password(root, "kim").one_time_password
    assert one_time
    return one_time


def test_the_first_administrators_password_signs_in_directly(world: Any, root: Actor) -> None:
    _, sign_in, *_ = world
    assert isinstance(sign_in.sign_in("root", ROOT_PASSWORD), SignedIn)


def test_an_invited_users_initial_password_must_be_changed(world: Any, root: Actor) -> None:
    accounts, sign_in, *_ = world
    accounts.create_user(root, "lee", "Lee", "l@example.com", "initial-pass-1",
                         frozenset({Role.AUTHOR}))

    step = sign_in.sign_in("lee", "initial-pass-1")

    assert isinstance(step, Challenge)
    assert step.name == ChallengeName.NEW_PASSWORD_REQUIRED
    assert step.username == "lee"


def test_the_one_time_password_gives_a_challenge_not_a_session(world: Any, root: Actor) -> None:
    accounts, sign_in, *_ = world
    one_time = _reset_kim(accounts, root)

    first = sign_in.sign_in("kim", one_time)
    again = sign_in.sign_in("kim", one_time)  # asking twice still gives no session

    assert isinstance(first, Challenge) and isinstance(again, Challenge)
    assert first.name == ChallengeName.NEW_PASSWORD_REQUIRED


def test_setting_the_new_password_signs_in_and_the_one_time_one_is_spent(
    world: Any, root: Actor,
) -> None:
    accounts, sign_in, audit, _ = world
    one_time = _reset_kim(accounts, root)
    challenge = sign_in.sign_in("kim", one_time)

    signed_in = sign_in.complete_new_password(challenge, OWN)

    assert isinstance(signed_in, SignedIn)
    assert signed_in.actor.user_id == "kim"
    assert sign_in.recheck(signed_in) is not None
    assert not accounts.password_must_change("kim")
    with pytest.raises(PermissionDenied):
        sign_in.sign_in("kim", one_time)
    with pytest.raises(PermissionDenied):  # the old challenge cannot be answered again
        sign_in.complete_new_password(challenge, "another password 2")
    assert isinstance(sign_in.sign_in("kim", OWN), SignedIn)
    done = audit.entries(action="user.password_set_after_reset")
    assert [(e.actor, e.target) for e in done] == [("kim", "kim")]


def test_the_new_password_follows_the_rule_and_differs(world: Any, root: Actor) -> None:
    accounts, sign_in, *_ = world
    one_time = _reset_kim(accounts, root)
    challenge = sign_in.sign_in("kim", one_time)

    with pytest.raises(ValidationError):
        sign_in.complete_new_password(challenge, "short")
    with pytest.raises(ValidationError):
        sign_in.complete_new_password(challenge, one_time)
    assert accounts.password_must_change("kim")  # nothing changed


def test_setting_the_new_password_ends_other_sessions(world: Any, root: Actor) -> None:
    accounts, sign_in, _, sessions = world
    one_time = _reset_kim(accounts, root)
    elsewhere = sessions.start("kim")  # any session of the account, however it came to be
    challenge = sign_in.sign_in("kim", one_time)

    signed_in = sign_in.complete_new_password(challenge, OWN)

    assert sessions.live(elsewhere) is None
    live = sessions.live(signed_in.session_id)
    assert live is not None and live.username == "kim"
