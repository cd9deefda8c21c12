""""Delete my account" on the profile page: the sign-in and personal data go, usage events stay
without the user id (dashboard totals unchanged), content stays under "former author"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.accounts.service import AccountService
from services.analytics.dashboards import Period
from services.analytics.tables import Filters
from services.analytics.tracker import make_event
from services.bootstrap import Services
from services.domain.analytics import Dim, EventType
from services.domain.models import ContentDraft, ContentItem, Page, SearchQuery, Status, utcnow
from services.domain.permissions import Actor, Role
from services.domain.users import FORMER_AUTHOR
from services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    ValidationError,
)

PASSWORD = "violet-harbor-tunnel-42"


@pytest.fixture
def root(accounts: AccountService) -> Actor:
    return accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()


@pytest.fixture
def alice(accounts: AccountService, root: Actor) -> Actor:
    accounts.create_user(root, "alice", "Alice", "alice@example.com", PASSWORD,
                         frozenset({Role.AUTHOR}), temporary=False)
    return accounts.get("alice").as_actor()


def _totals(services: Services, root: Actor) -> dict[str, object]:
    today = utcnow().date()
    period = Period(today - timedelta(days=1), today + timedelta(days=1))
    return {k.key: k.value for k in services.analytics.kpis(root, period, Filters())}


def test_deleting_my_account_keeps_events_totals_and_content(
    services: Services, accounts: AccountService, root: Actor, alice: Actor,
) -> None:
    item = services.content.create(
        ContentDraft(title="리테일 데모", summary="", body="", category="Retail/CPG", tags=(),
                     status=Status.PUBLISHED), [], alice)
    services.ports.events.append([
        make_event(EventType.PAGE_VIEW, "s1", user_id="alice", page="home"),
        make_event(EventType.CONTENT_VIEW, "s1", user_id="alice", content_id=item.id,
                   category=item.category, author_id="alice"),
        make_event(EventType.PAGE_VIEW, "s2", user_id="root", page="home"),
    ])
    services.content.set_like(item.id, alice, True)
    before = _totals(services, root)

    assert services.profile is not None
    services.profile.delete_account(alice, "alice", confirm="alice")

    with pytest.raises(NotFound):
        accounts.get("alice")
    with pytest.raises(PermissionDenied):
        accounts.authenticate("alice", PASSWORD)
    assert _totals(services, root) == before
    now = utcnow()
    users = {e.user_id for e in services.ports.events.raw_events(now - timedelta(days=1),
                                                                  now + timedelta(days=1))}
    assert users == {None, "root"}
    kept = services.content.get(item.id, root)
    assert (kept.author_id, kept.author_name) == (FORMER_AUTHOR, "")
    assert services.ports.content.liked_by("alice") == []  # the like named the person
    assert services.ports.audit.entries(action="user.delete_self")[0].target == "alice"


def test_a_deletion_that_stops_partway_keeps_the_name_and_finishes_when_asked_again(
    services: Services, accounts: AccountService, root: Actor, alice: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The content store fails once while the content moves. Had the account gone first, a
    retry would find nothing to delete and a new "alice" would own the old one's content."""
    item = services.content.create(
        ContentDraft(title="리테일 데모", summary="", body="", category="Retail/CPG", tags=(),
                     status=Status.PUBLISHED), [], alice)
    repo = services.ports.content
    search = repo.search
    failures = [ServiceUnavailable()]

    def fails_once(query: SearchQuery) -> Page[ContentItem]:
        if failures:
            raise failures.pop()
        return search(query)

    monkeypatch.setattr(repo, "search", fails_once)
    with pytest.raises(ServiceUnavailable):
        services.accounts.delete_user(root, "alice")

    assert accounts.get("alice").disabled  # signed out, and the name is still taken
    with pytest.raises(ConflictError):
        accounts.create_user(root, "alice", "New Alice", "new@example.com", PASSWORD,
                             frozenset({Role.AUTHOR}), temporary=False)
    services.accounts.delete_user(root, "alice")
    with pytest.raises(NotFound):
        accounts.get("alice")
    assert services.content.get(item.id, root).author_id == FORMER_AUTHOR


def test_the_user_name_must_be_typed_to_delete(services: Services, alice: Actor,
                                               accounts: AccountService) -> None:
    assert services.profile is not None
    with pytest.raises(ValidationError):
        services.profile.delete_account(alice, "alice", confirm="yes")
    assert accounts.get("alice").name == "Alice"


def test_nobody_deletes_somebody_elses_account(services: Services, alice: Actor, root: Actor,
                                               accounts: AccountService) -> None:
    assert services.profile is not None
    with pytest.raises(PermissionDenied):
        services.profile.delete_account(root, "alice", confirm="alice")
    assert accounts.get("alice").name == "Alice"


def test_the_last_administrator_cannot_delete_themselves(services: Services, root: Actor,
                                                         accounts: AccountService) -> None:
    assert services.profile is not None
    with pytest.raises(ValidationError) as refused:
        services.profile.delete_account(root, "root", confirm="root")
    assert refused.value.key == "auth.err_last_admin"
    kept = accounts.get("root")
    assert kept.roles == frozenset({Role.ADMIN}) and not kept.disabled


def test_an_administrator_deleting_a_user_chooses_who_keeps_the_content(
    services: Services, accounts: AccountService, root: Actor, alice: Actor,
) -> None:
    accounts.create_user(root, "bob", "Bob", "bob@example.com", PASSWORD,
                         frozenset({Role.AUTHOR}), temporary=False)
    mine = services.content.create(
        ContentDraft(title="앨리스의 데모", summary="", body="", category="Retail/CPG", tags=(),
                     status=Status.DRAFT), [], alice)
    services.ports.events.append([make_event(EventType.PAGE_VIEW, "s1", user_id="alice",
                                             page="home")])
    before = _totals(services, root)

    services.accounts.delete_user(root, "alice", content_to="bob")

    moved = services.content.get(mine.id, root)
    assert (moved.author_id, moved.author_name) == ("bob", "Bob")
    assert _totals(services, root) == before
    now = utcnow()
    assert {e.user_id for e in services.ports.events.raw_events(
        now - timedelta(days=1), now + timedelta(days=1))} == {None}


def test_content_given_to_an_account_deleted_meanwhile_stays_under_former_author(
    services: Services, accounts: AccountService, root: Actor, alice: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bob deletes his own account while an administrator gives him Alice's content: the
    content must not stay under a name a new account could take."""
    accounts.create_user(root, "bob", "Bob", "bob@example.com", PASSWORD,
                         frozenset({Role.AUTHOR}), temporary=False)
    mine = services.content.create(
        ContentDraft(title="앨리스의 데모", summary="", body="", category="Retail/CPG", tags=(),
                     status=Status.PUBLISHED), [], alice)
    repo = services.ports.content
    update = repo.update

    def bob_leaves_first(*args: object, **kwargs: object) -> object:
        if any(u.username == "bob" for u in services.ports.users.list()):
            services.ports.users.delete("bob")  # his own deletion, a moment earlier
        return update(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repo, "update", bob_leaves_first)
    services.accounts.delete_user(root, "alice", content_to="bob")

    kept = services.content.get(mine.id, root)
    assert kept.author_id == FORMER_AUTHOR


def test_without_a_choice_the_content_stays_under_former_author(
    services: Services, root: Actor, alice: Actor,
) -> None:
    mine = services.content.create(
        ContentDraft(title="앨리스의 데모", summary="", body="", category="Retail/CPG", tags=(),
                     status=Status.PUBLISHED), [], alice)

    services.accounts.delete_user(root, "alice")

    assert services.content.get(mine.id, root).author_id == FORMER_AUTHOR


def _authors(services: Services, root: Actor) -> dict[str, int]:
    today = utcnow().date()
    board = services.analytics.dashboard(
        root, Period(today - timedelta(days=1), today + timedelta(days=1)), Filters())
    return dict(zip(board.authors["author_id"], board.authors["views"], strict=True))


def _author_ids_in_analytics(services: Services) -> set[str | None]:
    now, today = utcnow(), utcnow().date()
    rows = services.ports.events.rollups(today - timedelta(days=1), today + timedelta(days=1),
                                         dims=[Dim.AUTHOR])
    raw = services.ports.events.raw_events(now - timedelta(days=1), now + timedelta(days=1))
    return {row.key.value for row in rows} | {e.author_id for e in raw}


@pytest.mark.parametrize("content_to", ["bob", None])
def test_a_deleted_authors_name_leaves_the_analytics_and_the_views_follow_the_content(
    services: Services, accounts: AccountService, root: Actor, alice: Actor,
    content_to: str | None,
) -> None:
    accounts.create_user(root, "bob", "Bob", "bob@example.com", PASSWORD,
                         frozenset({Role.AUTHOR}), temporary=False)
    item = services.content.create(
        ContentDraft(title="앨리스의 데모", summary="", body="", category="Retail/CPG", tags=(),
                     status=Status.PUBLISHED), [], alice)
    services.ports.events.append([
        make_event(EventType.CONTENT_VIEW, f"s{i}", content_id=item.id, category=item.category,
                   author_id="alice") for i in range(3)])
    before = _totals(services, root)
    assert _authors(services, root)["alice"] == 3

    services.accounts.delete_user(root, "alice", content_to=content_to)

    heir = content_to or FORMER_AUTHOR
    assert _totals(services, root) == before
    assert "alice" not in _author_ids_in_analytics(services)
    assert _authors(services, root)[heir] == 3
