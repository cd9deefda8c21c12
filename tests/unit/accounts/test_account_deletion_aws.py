"""Deleting an author in aws mode (Cognito pool, DynamoDB stores, on moto): the dashboard's
totals stay, the authors table no longer names the deleted user, and the views follow the
content to the account that keeps it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.analytics.dashboards import Period
from services.analytics.tables import Filters
from services.analytics.tracker import make_event
from services.bootstrap import Services
from services.domain.analytics import EventType
from services.domain.models import ContentDraft, Status, utcnow
from services.domain.permissions import Actor, Role
from services.domain.users import FORMER_AUTHOR

PASSWORD = "Temporary-pass-1"


@pytest.fixture
def services(cognito_services: Services) -> Services:
    return cognito_services


def _board(services: Services, root: Actor) -> tuple[dict[str, object], dict[str, int]]:
    today = utcnow().date()
    board = services.analytics.dashboard(
        root, Period(today - timedelta(days=1), today + timedelta(days=1)), Filters())
    kpis = {k.key: k.value for k in board.kpis}
    return kpis, dict(zip(board.authors["author_id"], board.authors["views"], strict=True))


@pytest.mark.parametrize("content_to", ["bob", None])
def test_a_deleted_authors_views_follow_the_content(services: Services,
                                                    content_to: str | None) -> None:
    root = services.accounts.create_first_admin("root", "Root", "root@example.com",
                                                PASSWORD).as_actor()
    for name in ("alice", "bob"):
        services.accounts.create_user(root, name, name.title(), f"{name}@example.com",
                                      PASSWORD, frozenset({Role.AUTHOR}))
    alice = services.accounts.get("alice").as_actor()
    item = services.content.create(
        ContentDraft(title="앨리스의 데모", summary="", body="", category="Retail/CPG", tags=(),
                     status=Status.PUBLISHED), [], alice)
    services.ports.events.append([
        make_event(EventType.CONTENT_VIEW, f"s{i}", content_id=item.id,
                   category=item.category, author_id="alice") for i in range(3)])
    kpis_before, authors_before = _board(services, root)
    assert authors_before["alice"] == 3

    services.accounts.delete_user(root, "alice", content_to=content_to)

    kpis, authors = _board(services, root)
    assert kpis == kpis_before
    assert "alice" not in authors
    assert authors[content_to or FORMER_AUTHOR] == 3
