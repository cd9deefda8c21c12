"""Who may follow what is an ownership rule of the permission table (``domain.permissions``),
not one written apart: an item's or author's numbers are their owner's (``view_stats``), anybody
else's, the platform's or a category's need the "any" permission (``view_dashboards``). A
followed item that is not found (deleted, or never there) counts as somebody else's."""

from __future__ import annotations

import pytest

from services.domain import permissions
from services.domain.follows import Follow, FollowScope, may_follow
from services.domain.permissions import Action, Actor, Role

ME = "me"


def _actor(role: Role | None) -> Actor:
    return Actor.anonymous() if role is None else Actor(ME, "Me", frozenset({role}))


def _follows(scope: FollowScope, value: str = "") -> Follow:
    return Follow(ME, "content_views", scope, value)


# (role, scope, followed value, the followed item's author) -> may follow
CASES = [
    (Role.AUTHOR, FollowScope.ITEM, "i1", ME, True),
    (Role.AUTHOR, FollowScope.ITEM, "i1", "other", False),
    (Role.AUTHOR, FollowScope.ITEM, "gone", None, False),  # an item not found: not theirs
    (Role.AUTHOR, FollowScope.AUTHOR, ME, None, True),
    (Role.AUTHOR, FollowScope.AUTHOR, "other", None, False),
    (Role.AUTHOR, FollowScope.ALL, "", None, False),
    (Role.AUTHOR, FollowScope.CATEGORY, "Generative AI", None, False),
    (Role.ANALYST, FollowScope.ITEM, "i1", "other", True),
    (Role.ANALYST, FollowScope.ITEM, "gone", None, True),  # a deleted item's numbers stay
    (Role.ANALYST, FollowScope.AUTHOR, "other", None, True),
    (Role.ANALYST, FollowScope.ALL, "", None, True),
    (Role.ANALYST, FollowScope.CATEGORY, "Generative AI", None, True),
    (Role.ADMIN, FollowScope.ITEM, "gone", None, True),
    (Role.VIEWER, FollowScope.ITEM, "i1", ME, False),
    (Role.VIEWER, FollowScope.AUTHOR, ME, None, False),
    (None, FollowScope.ALL, "", None, False),
]


@pytest.mark.parametrize(("role", "scope", "value", "author", "allowed"), CASES)
def test_who_may_follow_what(role: Role | None, scope: FollowScope, value: str,
                             author: str | None, allowed: bool) -> None:
    assert may_follow(_actor(role), _follows(scope, value), author) is allowed


def test_nobody_follows_for_somebody_else() -> None:
    admin = Actor("root", "Root", frozenset({Role.ADMIN}))
    assert not may_follow(admin, _follows(FollowScope.ALL), None)  # the follow is "me"'s


def test_the_rule_is_the_permission_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Change who may see somebody else's numbers, or one's own, in the table alone, and what
    one may follow changes with it."""
    analyst, author = _actor(Role.ANALYST), _actor(Role.AUTHOR)
    monkeypatch.setitem(permissions._ON_OTHERS, Action.VIEW_STATS, Action.VIEW_AUDIT)
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, Role.AUTHOR,
                        permissions.ROLE_PERMISSIONS[Role.AUTHOR] - {Action.VIEW_STATS})

    assert not may_follow(analyst, _follows(FollowScope.ITEM, "i1"), "other")
    assert not may_follow(analyst, _follows(FollowScope.ALL), None)
    assert not may_follow(author, _follows(FollowScope.ITEM, "i1"), ME)
    assert not may_follow(author, _follows(FollowScope.AUTHOR, ME), None)
