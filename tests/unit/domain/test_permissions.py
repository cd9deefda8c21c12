"""The full (role, action, own/other) -> allowed table, written out so a change is deliberate."""

from __future__ import annotations

import pytest

from services.domain.permissions import Action, Actor, Role, can, require
from services.errors import PermissionDenied

A = Action
ANON, VIEWER, AUTHOR, ANALYST, ADMIN = "anonymous", "viewer", "author", "analyst", "admin"

# Who may do each action on their OWN target (or a target with no owner).
ALLOWED_OWN: dict[Action, set[str]] = {
    A.BROWSE: {ANON, VIEWER, AUTHOR, ANALYST, ADMIN},
    A.LIKE: {VIEWER, AUTHOR, ANALYST, ADMIN},
    A.CREATE_CONTENT: {AUTHOR, ADMIN},
    A.EDIT_CONTENT: {AUTHOR, ADMIN},
    A.EDIT_ANY_CONTENT: {ADMIN},
    A.DELETE_CONTENT: {AUTHOR, ADMIN},
    A.DELETE_ANY_CONTENT: {ADMIN},
    A.VIEW_OWN_STATS: {AUTHOR, ADMIN},
    A.VIEW_STATS: {AUTHOR, ANALYST, ADMIN},
    A.VIEW_DASHBOARDS: {ANALYST, ADMIN},
    A.GENERATE_REPORTS: {ANALYST, ADMIN},
    A.DELETE_REPORT: {ANALYST, ADMIN},
    A.DELETE_ANY_REPORT: {ADMIN},
    A.DELETE_FUNNEL: {ANALYST, ADMIN},
    A.DELETE_ANY_FUNNEL: {ADMIN},
    A.MANAGE_USERS: {ADMIN},
    A.CHECK_SETTINGS: {ADMIN},
    A.VIEW_AUDIT: {ADMIN},
    A.MANAGE_SAMPLES: {ADMIN},
    A.MANAGE_INQUIRIES: {ADMIN},
    A.IMPORT_DATA: {ADMIN},
}
# On SOMEBODY ELSE's target only these differ from the table above.
ALLOWED_OTHER_OVERRIDES: dict[Action, set[str]] = {
    A.EDIT_CONTENT: {ADMIN},
    A.DELETE_CONTENT: {ADMIN},
    A.VIEW_STATS: {ANALYST, ADMIN},  # an author sees their own numbers, dashboards everyone's
    A.DELETE_REPORT: {ADMIN},
    A.DELETE_FUNNEL: {ADMIN},
}


def actor(kind: str) -> Actor:
    if kind == ANON:
        return Actor.anonymous()
    return Actor(user_id="me", name="Me", roles=frozenset({Role(kind)}))


def test_table_covers_every_action() -> None:
    assert set(ALLOWED_OWN) == set(Action)


@pytest.mark.parametrize("kind", [ANON, VIEWER, AUTHOR, ANALYST, ADMIN])
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_permission_table(kind: str, action: Action, whose: str) -> None:
    owner = "me" if whose == "own" else "someone-else"
    expected = kind in ALLOWED_OWN[action]
    if whose == "other" and action in ALLOWED_OTHER_OVERRIDES:
        expected = kind in ALLOWED_OTHER_OVERRIDES[action]
    assert can(actor(kind), action, owner_id=owner) is expected
    if expected:
        require(actor(kind), action, owner_id=owner)
    else:
        with pytest.raises(PermissionDenied):
            require(actor(kind), action, owner_id=owner)


def test_roles_combine() -> None:
    both = Actor(user_id="x", roles=frozenset({Role.AUTHOR, Role.ANALYST}))
    assert can(both, A.CREATE_CONTENT) and can(both, A.VIEW_DASHBOARDS)
    assert not can(both, A.MANAGE_USERS)


def test_signed_in_user_without_roles_is_a_viewer() -> None:
    nobody = Actor(user_id="x", roles=frozenset())
    assert can(nobody, A.LIKE) and not can(nobody, A.CREATE_CONTENT)


@pytest.mark.parametrize("roles", [frozenset(c) for c in (
    (), (Role.VIEWER,), (Role.AUTHOR,), (Role.ANALYST,), (Role.ADMIN,),
    (Role.AUTHOR, Role.ANALYST), (Role.VIEWER, Role.AUTHOR))])
def test_view_stats_is_own_stats_or_dashboards(roles: frozenset[Role]) -> None:
    """Whoever sees some numbers (their own as an author, or everyone's on the dashboards)
    holds VIEW_STATS: the stats pages need no formula of their own."""
    someone = Actor(user_id="me", roles=roles)
    assert can(someone, A.VIEW_STATS) is (can(someone, A.VIEW_OWN_STATS)
                                          or can(someone, A.VIEW_DASHBOARDS))
