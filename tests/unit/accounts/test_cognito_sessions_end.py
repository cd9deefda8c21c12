"""Ending a Cognito user's sign-ins (on moto): an administrator's reset, the user's own password
change or reset by code, and "sign out everywhere" end every sign-in the user had, also one
kept by a copied cookie, which would otherwise go on refreshing its stored refresh token for
the whole session length.

Two things end it: the pool's AdminUserGlobalSignOut (its refresh tokens stop working; moto
models that) and the app's own record of when the user's sign-ins last ended (the sessions
table's per-user epoch), which a resumed sign-in is checked against, so that the app refuses
it even when the pool could not be told (a missing IAM permission, an outage)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pymupdf
import pytest

from services.accounts.sign_in.base import Ended, SignedIn
from services.accounts.sign_in.cognito import CognitoSignIn, session_hash, token_cipher
from services.bootstrap import Services
from services.domain.identity import Challenge
from services.domain.models import ContentDraft, ContentItem, Status, Upload, utcnow
from services.domain.permissions import Actor, Role
from services.errors import NotFound, PermissionDenied
from tests.contract.cognito_backend import COOKIE_KEY
from tests.doubles.aws_faults import Fault, failing_everywhere

PASSWORD = "Correct-horse-1"
NEW_PASSWORD = "Battery-staple-2"


@pytest.fixture
def services(cognito_services: Services) -> Services:
    return cognito_services


@pytest.fixture
def sign_in(cognito_sign_in: CognitoSignIn) -> CognitoSignIn:
    return cognito_sign_in


@pytest.fixture
def root(services: Services) -> Actor:
    admin = services.accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD)
    services.accounts.create_user(admin.as_actor(), "alice", "Alice", "alice@example.com",
                                  PASSWORD, frozenset({Role.AUTHOR}), temporary=False)
    return admin.as_actor()


def _live(step: SignedIn | Challenge) -> SignedIn:
    assert isinstance(step, SignedIn), step
    return step


def _refresh_token(services: Services, live: SignedIn) -> str:
    """The refresh token the server keeps for this sign-in (what a copied cookie leads to)."""
    assert services.ports.cognito is not None
    record = services.ports.cognito.sessions.get(session_hash(live.session_id))
    return token_cipher(COOKIE_KEY).decrypt(record.encrypted_refresh_token.encode()).decode()


def _pool_refuses(services: Services, username: str, refresh_token: str) -> bool:
    assert services.ports.cognito is not None
    try:
        services.ports.cognito.identity.refresh(username, refresh_token)
    except PermissionDenied:
        return True
    return False


def _due(live: SignedIn) -> SignedIn:
    """The same sign-in once its recheck is due."""
    assert live.checked_at is not None
    return replace(live, checked_at=live.checked_at - timedelta(minutes=10))


def test_an_administrators_reset_ends_every_sign_in_of_the_user(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    stolen = _live(sign_in.sign_in("alice", PASSWORD))
    token = _refresh_token(services, stolen)
    assert sign_in.recheck(_due(stolen)) is not None  # stands before the reset

    services.accounts.reset_password(root, "alice")

    assert sign_in.recheck(_due(stolen)) is None
    assert sign_in.resume(stolen.session_id) is None
    assert _pool_refuses(services, "alice", token)  # AdminUserGlobalSignOut was called


def test_the_app_refuses_an_ended_sign_in_even_when_the_pool_could_not_be_told(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    """The deployment's role may lack cognito-idp:AdminUserGlobalSignOut: the reset still
    goes through, and the app's own check ends the sign-in."""
    stolen = _live(sign_in.sign_in("alice", PASSWORD))
    denied = Fault("AdminUserGlobalSignOut", "AccessDeniedException", status=400)

    with failing_everywhere(denied):
        services.accounts.reset_password(root, "alice")

    assert denied.failed == 1  # the pool was asked
    assert sign_in.resume(stolen.session_id) is None
    assert services.ports.audit.entries(action="user.reset_password")[0].outcome == "ok"


def test_changing_ones_password_ends_the_other_sign_ins_and_keeps_this_one(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    stolen = _live(sign_in.sign_in("alice", PASSWORD))
    token = _refresh_token(services, stolen)
    own = _live(sign_in.sign_in("alice", PASSWORD))

    sign_in.change_password(own, PASSWORD, NEW_PASSWORD)

    assert sign_in.resume(stolen.session_id) is None
    assert _pool_refuses(services, "alice", token)
    kept = sign_in.recheck(_due(own))  # this browser goes on, on tokens of the new password
    assert kept is not None and kept.actor.user_id == "alice"
    assert kept.access_token != own.access_token


def test_a_password_set_with_a_mailed_code_ends_every_sign_in(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    stolen = _live(sign_in.sign_in("alice", PASSWORD))
    token = _refresh_token(services, stolen)

    sign_in.forgot_password("alice@example.com")
    sign_in.confirm_forgot_password("alice@example.com", "123456", NEW_PASSWORD)

    assert sign_in.resume(stolen.session_id) is None
    assert _pool_refuses(services, "alice", token)


def test_a_sign_in_after_the_change_is_not_ended_by_it(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    services.accounts.reset_password(root, "alice")
    sign_in.confirm_forgot_password("alice", "123456", NEW_PASSWORD)

    fresh = _live(sign_in.sign_in("alice", NEW_PASSWORD))

    resumed = sign_in.resume(fresh.session_id)
    assert resumed is not None and resumed.actor.user_id == "alice"


@pytest.mark.parametrize("by", ["user", "admin"])
def test_sign_out_everywhere_ends_every_sign_in(
    sign_in: CognitoSignIn, services: Services, root: Actor, by: str
) -> None:
    laptop = _live(sign_in.sign_in("alice", PASSWORD))
    phone = _live(sign_in.sign_in("alice", PASSWORD))
    token = _refresh_token(services, phone)
    assert services.accounts.ends_sessions  # the buttons are offered in this mode too

    actor = laptop.actor if by == "user" else root
    services.accounts.sign_out_everywhere(actor, "alice")

    assert sign_in.resume(laptop.session_id) is None
    assert sign_in.resume(phone.session_id) is None
    assert _pool_refuses(services, "alice", token)
    entry = services.ports.audit.entries(action="auth.sign_out_everywhere")[0]
    assert (entry.actor, entry.target) == (actor.user_id, "alice")
    root_session = _live(sign_in.sign_in("root", PASSWORD))  # other users are untouched
    assert sign_in.resume(root_session.session_id) is not None


def test_disabling_the_account_ends_its_sign_ins_at_the_next_check(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    stolen = _live(sign_in.sign_in("alice", PASSWORD))

    services.accounts.set_disabled(root, "alice", True)

    assert sign_in.recheck(_due(stolen)) is None


@pytest.mark.parametrize("how", ["disabled", "past its lifetime", "past it, record gone"])
def test_a_held_sign_in_tells_whether_it_expired_or_was_ended(
    sign_in: CognitoSignIn, services: Services, root: Actor, monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    """What the tab that held it is told: "expired" only once the session's lifetime
    (``DEMO_FACTORY_SESSION_DAYS``) is over, even when its record is gone by then."""
    held = _live(sign_in.sign_in("alice", PASSWORD))
    if how == "disabled":
        services.accounts.set_disabled(root, "alice", True)
    else:
        later = utcnow() + timedelta(days=services.settings.session_days, minutes=1)
        monkeypatch.setattr(sign_in, "_clock", lambda: later)
    if how == "past it, record gone":  # DynamoDB's TTL
        services.ports.cognito.sessions.delete(  # type: ignore[union-attr]
            session_hash(held.session_id))

    assert sign_in.recheck(_due(held)) is None
    assert sign_in.why_ended(held) is (Ended.REVOKED if how == "disabled" else Ended.EXPIRED)


def _pdf() -> bytes:
    """A real one-page PDF (an upload must open with a page)."""
    with pymupdf.open() as doc:
        doc.new_page()
        return bytes(doc.tobytes())


def _draft_link(services: Services, live: SignedIn) -> tuple[ContentItem, str]:
    """A draft of ``live``'s user and the token of the link a page of ``live`` draws."""
    draft = ContentDraft(title="Draft", summary="", body="", category="Generative AI",
                         tags=(), status=Status.DRAFT)
    item = services.content.create(draft, [Upload("guide.pdf", _pdf())],
                                   live.actor)
    return item, _link(services, item, live)


def _link(services: Services, item: ContentItem, live: SignedIn) -> str:
    assert services.file_links is not None
    link = services.file_links.link(item, item.assets[0].id, live.actor,
                                    sign_in=live.session_id)
    return link.removeprefix("files/")


def test_a_drafts_file_link_ends_with_the_sign_ins(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    """A copied address of a draft's file is worth no more than the sign-in it was drawn in:
    a password change ends the other sign-ins' links; this browser's sign-in goes on, and so
    do its links."""
    alice = _live(sign_in.sign_in("alice", PASSWORD))
    elsewhere = _live(sign_in.sign_in("alice", PASSWORD))
    item, token = _draft_link(services, alice)
    other = _link(services, item, elsewhere)
    links = services.file_links
    assert links is not None and links.resolve(token) and links.resolve(other)

    sign_in.change_password(alice, PASSWORD, NEW_PASSWORD)

    with pytest.raises(NotFound):
        links.resolve(other)
    assert links.resolve(token)


def test_a_plain_sign_out_ends_that_sign_ins_file_links_and_cookie_only(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    """Signing out in one browser: its draft links and a copy of its cookie open nothing;
    the links of the user's other browser go on. (Whether the pool keeps that browser's
    refresh token is the pool's: RevokeToken ends this one alone; moto, lacking it, signs the
    user out globally instead, so its cookie is not checked here.)"""
    alice = _live(sign_in.sign_in("alice", PASSWORD))
    elsewhere = _live(sign_in.sign_in("alice", PASSWORD))
    item, token = _draft_link(services, alice)
    other = _link(services, item, elsewhere)
    cookie = sign_in.cookie_value(alice)
    links = services.file_links
    assert links is not None

    sign_in.sign_out(alice)

    with pytest.raises(NotFound):
        links.resolve(token)
    replayed = sign_in.restore(cookie)
    assert replayed.session is None and replayed.forget_cookie
    assert links.resolve(other)


@pytest.mark.usefixtures("root")  # who makes alice
def test_a_refresh_token_the_pool_says_expired_reads_as_expired(
    sign_in: CognitoSignIn, services: Services, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pool client whose refresh tokens last less than the session: before the session's
    end the pool refuses the token as expired, and the tab is told that, not that someone
    ended its sign-in. Another tab's sign-in, refused otherwise, still reads as ended."""
    held = _live(sign_in.sign_in("alice", PASSWORD))
    other = _live(sign_in.sign_in("alice", PASSWORD))
    assert services.ports.cognito is not None
    identity = services.ports.cognito.identity
    expired = _refresh_token(services, held)

    def pool(username: str, token: str) -> object:
        if token == expired:
            raise PermissionDenied("cognito.err_session_expired")
        raise PermissionDenied("auth.err_bad_credentials")

    monkeypatch.setattr(identity, "refresh", pool)
    assert sign_in.recheck(_due(held)) is None and sign_in.recheck(_due(other)) is None
    assert sign_in.why_ended(held) is Ended.EXPIRED
    assert sign_in.why_ended(other) is Ended.REVOKED
