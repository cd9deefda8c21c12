"""What deleting one's own account does besides removing the account: the content it wrote
stays under "former author", its usage events stay without its id (so every dashboard total
stays as it was: rollups and visitor sketches hold no user ids), and its sign-ins end."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.accounts.sessions import LocalSessions
from services.domain.models import SearchQuery
from services.domain.users import FORMER_AUTHOR
from services.errors import ConflictError
from services.ports import ContentRepository, EventStore, LoginThrottle, UserDirectory

_BATCH = 100
_EDIT_ATTEMPTS = 3  # an item edited at the same moment is read again


@dataclass(frozen=True)
class AccountRemoval:
    """The stores a self-deletion touches."""

    users: UserDirectory
    content: ContentRepository
    events: EventStore
    throttle: LoginThrottle
    sessions: LocalSessions | None
    retention_days: int

    def remove(self, username: str, now: datetime) -> int:
        """Delete the account (ValidationError, nothing done, for the last administrator),
        then keep its content under "former author" and forget its id on the events.
        Returns how many items were kept."""
        self.users.delete_guarded(username)
        if self.sessions is not None:
            self.sessions.end_all(username)
        self.throttle.clear_login_failures(username)
        kept = keep_under_former_author(self.content, username)
        # A like row names the person: it goes (the item's count with it, as an unlike);
        # the like events stay, without the id, so dashboards do not change.
        for content_id in self.content.liked_by(username):
            self.content.remove_like(content_id, username)
        # Raw events older than the retention are gone already; a day either side covers
        # clock skew and events still in a tracker's buffer.
        self.events.forget_user(username, now - timedelta(days=self.retention_days + 1),
                                now + timedelta(days=1))
        return kept


def keep_under_former_author(content: ContentRepository, author_id: str) -> int:
    """Every item of ``author_id``, any status, moved to ``FORMER_AUTHOR`` (no name). An item
    a lagging search index lists again is not counted twice (and ends the loop)."""
    seen: set[str] = set()
    while True:
        query = SearchQuery(author_id=author_id, status=None, page=1, page_size=_BATCH)
        fresh = [item.id for item in content.search(query).items if item.id not in seen]
        if not fresh:
            return len(seen)
        for content_id in fresh:
            seen.add(content_id)
            _move(content, content_id, author_id)


def _move(content: ContentRepository, content_id: str, author_id: str) -> None:
    for _ in range(_EDIT_ATTEMPTS):
        item = content.get(content_id)
        if item.author_id != author_id:
            return
        try:
            content.update(replace(item, author_id=FORMER_AUTHOR, author_name=""), item.version)
            return
        except ConflictError:
            continue
    raise ConflictError("errors.conflict")
