"""Roles are sets of permissions; a user may hold several roles (DESIGN.md rule 3).

Every use case calls ``require`` with the acting user; pages only hide what ``can`` denies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from services.errors import PermissionDenied


class Role(StrEnum):
    VIEWER = "viewer"
    AUTHOR = "author"
    ANALYST = "analyst"
    ADMIN = "admin"


class Action(StrEnum):
    BROWSE = "browse"
    LIKE = "like"
    CREATE_CONTENT = "create_content"
    EDIT_CONTENT = "edit_content"  # own content; other people's needs EDIT_ANY_CONTENT
    EDIT_ANY_CONTENT = "edit_any_content"
    DELETE_CONTENT = "delete_content"
    DELETE_ANY_CONTENT = "delete_any_content"
    VIEW_OWN_STATS = "view_own_stats"  # the author's own stats page
    VIEW_STATS = "view_stats"  # an item's or author's numbers: own; others' need VIEW_DASHBOARDS
    VIEW_DASHBOARDS = "view_dashboards"
    GENERATE_REPORTS = "generate_reports"
    DELETE_REPORT = "delete_report"  # own reports; other people's need DELETE_ANY_REPORT
    DELETE_ANY_REPORT = "delete_any_report"
    DELETE_FUNNEL = "delete_funnel"  # own funnels; other people's need DELETE_ANY_FUNNEL
    DELETE_ANY_FUNNEL = "delete_any_funnel"
    MANAGE_USERS = "manage_users"
    CHECK_SETTINGS = "check_settings"
    VIEW_AUDIT = "view_audit"
    MANAGE_SAMPLES = "manage_samples"
    MANAGE_INQUIRIES = "manage_inquiries"
    IMPORT_DATA = "import_data"  # legacy platform migration, event files


_VIEWER = frozenset({Action.BROWSE, Action.LIKE})
ROLE_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: _VIEWER,
    Role.AUTHOR: _VIEWER
    | {Action.CREATE_CONTENT, Action.EDIT_CONTENT, Action.DELETE_CONTENT, Action.VIEW_OWN_STATS,
       Action.VIEW_STATS},
    Role.ANALYST: _VIEWER
    | {Action.VIEW_DASHBOARDS, Action.VIEW_STATS, Action.GENERATE_REPORTS, Action.DELETE_REPORT,
       Action.DELETE_FUNNEL},
    Role.ADMIN: frozenset(Action),
}
ANONYMOUS_PERMISSIONS: frozenset[Action] = frozenset({Action.BROWSE})

# An action on somebody else's target (item, report, funnel, author) needs the matching "any"
# permission: ``can(actor, action, owner_id)`` decides ownership rules here, never a use case.
_ON_OTHERS: dict[Action, Action] = {
    Action.EDIT_CONTENT: Action.EDIT_ANY_CONTENT,
    Action.DELETE_CONTENT: Action.DELETE_ANY_CONTENT,
    Action.VIEW_STATS: Action.VIEW_DASHBOARDS,  # anybody's numbers: a dashboard viewer's
    Action.DELETE_REPORT: Action.DELETE_ANY_REPORT,
    Action.DELETE_FUNNEL: Action.DELETE_ANY_FUNNEL,
}
# The owner of a target that is nobody's own (platform-wide or a category's numbers) or not
# known (an item not found): never an actor's user id (no user name holds a NUL), so the
# "any" permission decides, as for somebody else's. None, by contrast, means no target at all.
SOMEBODY_ELSE = "\x00somebody-else"


@dataclass(frozen=True)
class Actor:
    """Who is acting. ``user_id`` is None for an anonymous visitor."""

    user_id: str | None
    name: str = ""
    roles: frozenset[Role] = field(default_factory=frozenset)
    email: str = ""

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(user_id=None)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def permissions(self) -> frozenset[Action]:
        if not self.is_authenticated:
            return ANONYMOUS_PERMISSIONS
        granted: set[Action] = set()
        for role in self.roles or {Role.VIEWER}:
            granted |= ROLE_PERMISSIONS[role]
        return frozenset(granted)


def can(actor: Actor, action: Action, owner_id: str | None = None) -> bool:
    """True if ``actor`` may do ``action``; ``owner_id`` is the owner of the target, if any."""
    granted = actor.permissions
    if action not in granted:
        return False
    escalated = _ON_OTHERS.get(action)
    if escalated is not None and owner_id is not None and owner_id != actor.user_id:
        return escalated in granted
    return True


def require(actor: Actor, action: Action, owner_id: str | None = None) -> None:
    """Raise PermissionDenied unless ``can(actor, action, owner_id)``."""
    if not can(actor, action, owner_id):
        raise PermissionDenied("errors.permission_denied", action=action.value)
