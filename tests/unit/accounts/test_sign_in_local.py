"""Local sign-in behind the one sign-in interface: start, restore from the cookie, re-check,
revocation on every path (on SQLite and on DynamoDB), and the one password rule."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions, session_hash
from services.accounts.sign_in.base import Ended, SignedIn
from services.accounts.sign_in.local import LocalSignIn
from services.bootstrap import Services
from services.domain.identity import Challenge
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied
from tests.contract import aws_backends, local_backends

KEY = "a-cookie-key-of-plenty-of-random-looking-chars-0123"
SPACED = "  spaces around it  "
STORES = {**local_backends.SESSION_STORES, **aws_backends.SESSION_STORES}


@pytest.fixture(params=sorted(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with STORES[request.param](tmp_path / "sessions") as adapter:
        yield adapter


@pytest.fixture
def sessions(store: Any) -> LocalSessions:
    return LocalSessions(store, days=7)


@pytest.fixture
def accounts(services: Services, sessions: LocalSessions) -> AccountService:
    return AccountService(services.ports.users,
                          LocalPasswords(services.ports.users, rounds=4),  # type: ignore[arg-type]
                          services.ports.throttle, services.ports.audit, max_failures=3,
                          sessions=sessions)


@pytest.fixture
def sign_in(accounts: AccountService, sessions: LocalSessions) -> LocalSignIn:
    return LocalSignIn(accounts, sessions, cookie_key=lambda: KEY, cookie_name="df",
                       cookie_days=7)


@pytest.fixture
def root(accounts: AccountService) -> Actor:
    return accounts.create_first_admin("root", "Root", "r@example.com", SPACED).as_actor()


@pytest.fixture
def bob(accounts: AccountService, root: Actor) -> str:
    accounts.create_user(root, "bob", "Bob", "b@example.com", "bob-password-1",
                         frozenset({Role.VIEWER}), temporary=False)
    return "bob"


def signed_out(sign_in: LocalSignIn, session: SignedIn, cookie: str) -> bool:
    """Both ways back are closed: the next run of that browser session, and its cookie, which
    is known to name a sign-in that ended (the browser is told why)."""
    restored = sign_in.restore(cookie)
    return (sign_in.recheck(session) is None and restored.session is None
            and restored.forget_cookie and restored.ended)


def two_sessions(sign_in: LocalSignIn, user: str, password: str) -> list[tuple[SignedIn, str]]:
    started = [sign_in.sign_in(user, password) for _ in range(2)]
    return [(s, sign_in.cookie_value(s)) for s in started]


def test_a_sign_in_comes_back_from_its_cookie_with_directory_roles(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor
) -> None:
    accounts.create_user(root, "alice", "Alice", "a@example.com", "alice-password",
                         frozenset({Role.AUTHOR}), temporary=False)
    started = sign_in.sign_in(" Alice ", "alice-password")
    restored = sign_in.restore(sign_in.cookie_value(started))
    assert restored.session is not None and not restored.forget_cookie
    assert restored.session.actor.user_id == "alice"
    accounts.set_roles(root, "alice", frozenset({Role.ANALYST}))
    rechecked = sign_in.recheck(restored.session)
    assert rechecked is not None and rechecked.actor.roles == {Role.ANALYST}


def test_the_cookie_carries_a_random_session_id_not_the_user_name(
    sign_in: LocalSignIn, root: Actor, store: Any
) -> None:
    session = sign_in.sign_in("root", SPACED)
    claims = jwt.decode(sign_in.cookie_value(session), KEY, algorithms=["HS256"])
    assert set(claims) == {"sid", "exp"} and len(claims["sid"]) >= 43
    assert "root" not in claims["sid"]
    assert store.get(session_hash(claims["sid"])).username == "root"  # kept by its hash only


@pytest.mark.parametrize("case", ["garbage", "wrong-key", "expired", "unknown-session",
                                  "old-format", "no-expiry"])
def test_a_forged_or_stale_cookie_signs_nobody_in_and_is_forgotten(
    sign_in: LocalSignIn, root: Actor, case: str
) -> None:
    live = sign_in.sign_in("root", SPACED).session_id
    later = time.time() + 3600
    cookies = {
        "garbage": "not-a-jwt",
        "wrong-key": jwt.encode({"sid": live, "exp": later},
                                "another key that is long enough for HS256!", "HS256"),
        "expired": jwt.encode({"sid": live, "exp": time.time() - 1}, KEY, "HS256"),
        "unknown-session": jwt.encode({"sid": "made-up", "exp": later}, KEY, "HS256"),
        # streamlit-authenticator's cookie names a user, not a session: it cannot be revoked.
        "old-format": jwt.encode({"username": "root", "exp_date": later}, KEY, "HS256"),
        "no-expiry": jwt.encode({"sid": live}, KEY, "HS256"),
    }
    restored = sign_in.restore(cookies[case])
    assert restored.session is None and restored.forget_cookie
    # Only a cookie of ours naming a session that is gone is a sign-in ended elsewhere.
    assert restored.ended is (case == "unknown-session")


def test_signing_out_ends_that_session_only(sign_in: LocalSignIn, bob: str) -> None:
    (first, first_cookie), (second, second_cookie) = two_sessions(sign_in, bob,
                                                                  "bob-password-1")
    sign_in.sign_out(first)
    assert signed_out(sign_in, first, first_cookie)
    assert sign_in.recheck(second) is not None
    assert sign_in.restore(second_cookie).session is not None


def test_sign_out_everywhere_by_the_user_ends_every_session(
    sign_in: LocalSignIn, accounts: AccountService, bob: str, services: Services
) -> None:
    pairs = two_sessions(sign_in, bob, "bob-password-1")
    accounts.sign_out_everywhere(pairs[0][0].actor, bob)
    assert all(signed_out(sign_in, s, c) for s, c in pairs)
    assert sign_in.sign_in(bob, "bob-password-1")  # signing in again still works
    entry = services.ports.audit.entries(action="auth.sign_out_everywhere")[0]
    assert (entry.actor, entry.target) == ("bob", "bob")


def test_sign_out_everywhere_by_an_admin_ends_every_session_and_is_audited(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor, bob: str, services: Services
) -> None:
    pairs = two_sessions(sign_in, bob, "bob-password-1")
    accounts.sign_out_everywhere(root, bob)
    assert all(signed_out(sign_in, s, c) for s, c in pairs)
    entry = services.ports.audit.entries(action="auth.sign_out_everywhere")[0]
    assert (entry.actor, entry.target) == ("root", "bob")


def test_nobody_else_can_sign_a_user_out_everywhere(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor, bob: str
) -> None:
    session = sign_in.sign_in("root", SPACED)
    with pytest.raises(PermissionDenied):
        accounts.sign_out_everywhere(Actor(user_id=bob, name="Bob",
                                           roles=frozenset({Role.VIEWER})), "root")
    assert sign_in.recheck(session) is not None


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    sign_in: LocalSignIn, bob: str
) -> None:
    (here, here_cookie), (there, there_cookie) = two_sessions(sign_in, bob, "bob-password-1")
    sign_in.change_password(here, "bob-password-1", "bob-password-2")
    assert signed_out(sign_in, there, there_cookie)
    assert sign_in.recheck(here) is not None
    assert sign_in.restore(here_cookie).session is not None


def test_an_admin_reset_ends_every_session(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor, bob: str
) -> None:
    pairs = two_sessions(sign_in, bob, "bob-password-1")
    accounts.reset_password(root, bob)
    assert all(signed_out(sign_in, s, c) for s, c in pairs)


def test_disabling_ends_every_session_and_enabling_does_not_bring_them_back(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor, bob: str
) -> None:
    pairs = two_sessions(sign_in, bob, "bob-password-1")
    accounts.set_disabled(root, bob, True)
    assert all(signed_out(sign_in, s, c) for s, c in pairs)
    accounts.set_disabled(root, bob, False)
    assert all(signed_out(sign_in, s, c) for s, c in pairs)


def test_an_old_cookie_does_not_sign_in_a_new_account_of_the_same_name(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor, bob: str
) -> None:
    pairs = two_sessions(sign_in, bob, "bob-password-1")
    accounts.delete_user(root, bob)
    accounts.create_user(root, bob, "Another Bob", "b2@example.com", "new-bob-password",
                         frozenset({Role.ADMIN}), temporary=False)
    assert all(signed_out(sign_in, s, c) for s, c in pairs)
    assert sign_in.sign_in(bob, "new-bob-password").actor.name == "Another Bob"


def test_a_session_past_its_expiry_is_gone(
    accounts: AccountService, store: Any, bob: str
) -> None:
    now = [datetime(2026, 12, 1, tzinfo=UTC)]
    sessions = LocalSessions(store, days=1, clock=lambda: now[0])
    sign_in = LocalSignIn(accounts, sessions, cookie_key=lambda: KEY, cookie_name="df",
                          cookie_days=30)
    session = sign_in.sign_in(bob, "bob-password-1")
    cookie = sign_in.cookie_value(session)
    now[0] += timedelta(days=1, seconds=1)
    assert signed_out(sign_in, session, cookie)


@pytest.mark.parametrize("how", ["signed out everywhere", "past its lifetime",
                                 "past it, record gone"])
def test_a_held_sign_in_tells_whether_it_expired_or_was_ended(
    accounts: AccountService, store: Any, bob: str, how: str
) -> None:
    """What the tab that held it is told: "expired" only once the session's lifetime is over,
    even when its record is gone by then (SQLite drops expired records at any later sign-in,
    DynamoDB's TTL some time after)."""
    now = [datetime.now(UTC)]
    sessions = LocalSessions(store, days=1, clock=lambda: now[0])
    sign_in = LocalSignIn(accounts, sessions, cookie_key=lambda: KEY, cookie_name="df",
                          cookie_days=1)
    held = sign_in.recheck(sign_in.sign_in(bob, "bob-password-1"))  # as a tab holds it
    assert held is not None
    if how == "signed out everywhere":
        accounts.sign_out_everywhere(held.actor, bob)
    else:
        now[0] += timedelta(days=1, seconds=1)
    if how == "past it, record gone":
        store.delete(session_hash(held.session_id))

    assert sign_in.recheck(held) is None
    assert sign_in.why_ended(held) is (
        Ended.REVOKED if how == "signed out everywhere" else Ended.EXPIRED)


def test_passwords_are_used_exactly_as_typed_on_every_path(
    sign_in: LocalSignIn, accounts: AccountService, root: Actor
) -> None:
    # The first administrator set a password with surrounding spaces: it signs in as set.
    assert sign_in.sign_in("root", SPACED).actor.user_id == "root"
    with pytest.raises(PermissionDenied):
        sign_in.sign_in("root", SPACED.strip())
    accounts.create_user(root, "carol", "Carol", "c@example.com", SPACED,
                         frozenset({Role.VIEWER}))
    # An invited user's initial password, then the one set in its place, then a change.
    challenge = sign_in.sign_in("carol", SPACED)
    assert isinstance(challenge, Challenge)
    carol = sign_in.complete_new_password(challenge, f"{SPACED}!")
    sign_in.change_password(carol, f"{SPACED}!", f" {SPACED} ")
    assert sign_in.sign_in("carol", f" {SPACED} ").actor.user_id == "carol"


def test_a_reset_while_the_password_is_checked_ends_the_new_session(
    sign_in: LocalSignIn, accounts: AccountService, sessions: LocalSessions, bob: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The password was right when checked, but "sign out everywhere" (or a reset) came
    before the session was stored: the session is of the old epoch, so it is already over."""
    check = accounts.authenticate

    def checked_then_signed_out(login: str, password: str) -> Any:
        user = check(login, password)
        sessions.end_all(user.username)
        return user

    monkeypatch.setattr(accounts, "authenticate", checked_then_signed_out)
    session = sign_in.sign_in("bob", "bob-password-1")

    assert isinstance(session, SignedIn)
    assert signed_out(sign_in, session, sign_in.cookie_value(session))


def test_a_kept_session_ends_with_a_sign_out_everywhere_that_lands_meanwhile(
    sessions: LocalSessions, store: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Changing the password keeps the session it was changed in; an administrator's "sign
    out everywhere" between the change's bump and the kept session's rewrite ends it too."""
    kept = sessions.start("bob")
    bump = store.bump_user_epoch

    def bumped_twice(username: str) -> int:
        mine = bump(username)
        bump(username)  # the administrator's, a moment later
        return mine  # type: ignore[no-any-return]

    monkeypatch.setattr(store, "bump_user_epoch", bumped_twice)
    sessions.end_all("bob", keep=kept)

    assert sessions.live(kept) is None


def test_a_sign_in_stands_for_what_is_tied_to_it_until_it_is_signed_out(
    sign_in: LocalSignIn, sessions: LocalSessions, accounts: AccountService, bob: str
) -> None:
    """What a draft's file link asks (on SQLite and on DynamoDB): a plain sign-out ends that
    sign-in alone; "sign out everywhere" ends the rest."""
    (first, _), (second, _) = two_sessions(sign_in, bob, "bob-password-1")
    first_key, second_key = session_hash(first.session_id), session_hash(second.session_id)
    assert sessions.holder(first_key) == sessions.holder(second_key) == "bob"

    sign_in.sign_out(first)

    assert sessions.holder(first_key) is None and sessions.holder(second_key) == "bob"
    accounts.sign_out_everywhere(second.actor, "bob")
    assert sessions.holder(second_key) is None
    assert sessions.holder("not-a-sign-in") is None
