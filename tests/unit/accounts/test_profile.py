"""The profile page's service: a user edits only their own details, asks for the author role
with a reason, and sees the outcome; every action is audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.profile import ProfileService, RequestOutcome, request_outcome
from services.accounts.service import AccountService
from services.accounts.signup import SignupService
from services.bootstrap import Services
from services.domain.models import ContentDraft, Status
from services.domain.permissions import Actor, Role
from services.domain.users import User
from services.errors import ConflictError, PermissionDenied, ValidationError
from tests.doubles.concurrency import meanwhile_after_read

PASSWORD = "violet-harbor-tunnel-42"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def profiles(services: Services) -> ProfileService:
    return ProfileService(services.ports.users, services.ports.audit,  # type: ignore[arg-type]
                          clock=lambda: T0)


@pytest.fixture
def signups(services: Services) -> SignupService:
    users = services.ports.users
    return SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                         services.ports.inquiries, services.ports.audit, clock=lambda: T0)


@pytest.fixture
def root(accounts: AccountService) -> Actor:
    return accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()


@pytest.fixture
def vera(accounts: AccountService, root: Actor) -> Actor:
    accounts.create_user(root, "vera", "Vera", "vera@example.com", PASSWORD,
                         frozenset({Role.VIEWER}), temporary=False)
    return accounts.get("vera").as_actor()


def _audit(services: Services) -> list[tuple[str, str, str, str]]:
    entries = services.ports.audit.entries(limit=50)
    return [(e.actor, e.action, e.target, e.outcome) for e in entries]


def test_a_user_edits_their_own_details(profiles: ProfileService, vera: Actor,
                                        services: Services) -> None:
    saved = profiles.update_profile(vera, "vera", name=" Vera Kim ", email="vk@example.com",
                                    company="Acme")

    assert (saved.name, saved.email, saved.company) == ("Vera Kim", "vk@example.com", "Acme")
    assert profiles.profile(vera, "vera") == saved
    assert ("vera", "user.profile_update", "vera", "ok") in _audit(services)


def test_a_bad_email_or_an_empty_name_is_refused(profiles: ProfileService, vera: Actor) -> None:
    with pytest.raises(ValidationError):
        profiles.update_profile(vera, "vera", name="Vera", email="not-an-email", company="")
    with pytest.raises(ValidationError):
        profiles.update_profile(vera, "vera", name="  ", email="v@example.com", company="")
    assert profiles.profile(vera, "vera").email == "vera@example.com"


def test_nobody_edits_somebody_elses_profile(profiles: ProfileService, vera: Actor,
                                             root: Actor, services: Services) -> None:
    with pytest.raises(PermissionDenied):
        profiles.update_profile(root, "vera", name="X", email="x@example.com", company="")
    with pytest.raises(PermissionDenied):
        profiles.profile(root, "vera")
    assert profiles.profile(vera, "vera").name == "Vera"
    assert ("root", "user.profile_update", "vera", "denied") in _audit(services)


def test_the_preferred_language_is_kept(profiles: ProfileService, vera: Actor) -> None:
    profiles.set_language(vera, "vera", "en")

    assert profiles.profile(vera, "vera").language == "en"
    with pytest.raises(ValidationError):
        profiles.set_language(vera, "vera", "fr")


def test_a_language_saved_in_one_tab_keeps_the_email_another_tab_just_saved(
    profiles: ProfileService, vera: Actor, services: Services,
) -> None:
    """Tab B reads the profile, tab A saves a new email, tab B saves the language: the new
    email stays (B used to write back every detail it had read)."""
    def other_tab_saves() -> None:
        profiles.update_profile(vera, "vera", name="Vera", email="vera.new@example.com",
                                company="")

    with meanwhile_after_read(services.ports.users, "get", other_tab_saves):
        profiles.set_language(vera, "vera", "en")

    saved = profiles.profile(vera, "vera")
    assert (saved.email, saved.language) == ("vera.new@example.com", "en")


def test_a_viewer_asks_for_the_author_role_and_an_admin_approves(
    profiles: ProfileService, signups: SignupService, vera: Actor, root: Actor,
    accounts: AccountService, services: Services,
) -> None:
    asked = profiles.request_author(vera, "vera", "I present the retail demos")

    assert (asked.pending_role, asked.request_reason, asked.requested_at) == (
        Role.AUTHOR, "I present the retail demos", T0)
    assert request_outcome(asked) == RequestOutcome.WAITING
    assert [u.username for u in signups.pending(root)] == ["vera"]
    signups.approve(root, "vera")

    vera_now = accounts.get("vera")
    assert Role.AUTHOR in vera_now.roles
    assert request_outcome(vera_now) == RequestOutcome.APPROVED
    assert ("vera", "user.role_request", "vera:author", "ok") in _audit(services)


def test_a_declined_request_is_shown_as_declined(
    profiles: ProfileService, signups: SignupService, vera: Actor, root: Actor,
    accounts: AccountService,
) -> None:
    profiles.request_author(vera, "vera", "please")
    signups.decline(root, "vera")

    assert request_outcome(accounts.get("vera")) == RequestOutcome.DECLINED
    assert accounts.get("vera").roles == frozenset({Role.VIEWER})


def test_one_request_at_a_time_and_a_reason_is_needed(profiles: ProfileService,
                                                     vera: Actor) -> None:
    with pytest.raises(ValidationError):
        profiles.request_author(vera, "vera", "   ")
    profiles.request_author(vera, "vera", "first")
    with pytest.raises(ConflictError):
        profiles.request_author(vera, "vera", "second")


def test_an_author_has_nothing_to_ask_for(profiles: ProfileService, accounts: AccountService,
                                          root: Actor) -> None:
    accounts.create_user(root, "alice", "Alice", "a@example.com", PASSWORD,
                         frozenset({Role.AUTHOR}))
    alice = accounts.get("alice").as_actor()

    with pytest.raises(PermissionDenied):
        profiles.request_author(alice, "alice", "more")


def test_no_request_no_outcome() -> None:
    user = User("kim", "Kim", "k@example.com", frozenset({Role.VIEWER}), T0)
    assert request_outcome(user) is None


def _item(services: Services, author: Actor, title: str, status: Status) -> str:
    return services.content.create(
        ContentDraft(title=title, summary="", body="", category="Retail/CPG", tags=(),
                     status=status), [], author).id


def test_the_items_i_liked_that_i_may_open_are_listed_the_others_counted(
        services: Services, vera: Actor, root: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    liked = _item(services, root, "좋은 데모", Status.PUBLISHED)
    draft = _item(services, root, "초안", Status.DRAFT)
    services.content.set_like(liked, vera, True)
    services.ports.content.add_like(draft, "vera")  # liked before it went back to draft
    likes = services.ports.content.liked_by
    # An item deleted between the list of likes and its reading.
    monkeypatch.setattr(services.ports.content, "liked_by",
                        lambda user: [*likes(user), "01M95WG0A5AYY0JGH6M5Z9VF19"])
    assert services.profile is not None

    liked_list = services.profile.liked_items(vera, "vera")

    assert [i.id for i in liked_list.items] == [liked]
    assert liked_list.unavailable == 2  # another's draft, a deleted item: counted, not listed
    with pytest.raises(PermissionDenied):
        services.profile.liked_items(root, "vera")


def test_my_own_liked_draft_stays_in_my_list(services: Services, accounts: AccountService,
                                             root: Actor) -> None:
    accounts.create_user(root, "alice", "Alice", "a@example.com", PASSWORD,
                         frozenset({Role.AUTHOR}), temporary=False)
    alice = accounts.get("alice").as_actor()
    own = _item(services, alice, "내 데모", Status.PUBLISHED)
    services.content.set_like(own, alice, True)
    item = services.content.get(own, alice)
    services.content.update(own, ContentDraft(
        title=item.title, summary="", body="", category="Retail/CPG", tags=(),
        status=Status.DRAFT), item.version, alice)  # unpublished after the like
    assert services.profile is not None

    liked_list = services.profile.liked_items(alice, "alice")

    assert [(i.id, i.status) for i in liked_list.items] == [(own, Status.DRAFT)]
    assert liked_list.unavailable == 0
