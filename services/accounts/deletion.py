"""What deleting an account (one's own, or an administrator deleting a user) does besides
removing the account: the content it wrote goes to an account the administrator chose or stays
under "former author", its usage events stay without its id (so every dashboard total
stays as it was: rollups and visitor sketches hold no user ids), and its sign-ins end.

Content events also name the item's author (``author_id``, the AUTHOR rollup counters): those
move to whoever keeps the content (the heir, or the one pseudonymous "former author"), so the
authors table shows the views with the content and never the deleted user name."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.accounts.sessions import LocalSessions
from services.domain.models import SearchQuery
from services.domain.users import FORMER_AUTHOR
from services.errors import ConflictError, NotFound
from services.ports import (
    CohortStore,
    ContentRepository,
    EventStore,
    FollowStore,
    LoginThrottle,
    SignupDirectory,
    UserDirectory,
)

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
    # Cognito mode: the app's record beside the pool (company, language, requests) goes too;
    # locally the record is the account ``users`` deletes.
    records: SignupDirectory | None = None
    # Returning users' per-user facts (first day, active weeks and days) hold the id too.
    cohorts: CohortStore | None = None
    # Followed metrics, the digest frequency and the digests kept in the app.
    follows: FollowStore | None = None

    def remove(self, username: str, now: datetime, heir: tuple[str, str] | None = None) -> int:
        """Delete the account (ValidationError, nothing done, for the last administrator):
        give its content to ``heir`` (author id, name) or keep it under "former author",
        forget its id on the events, give its author counts to whoever keeps the content, and
        remove the account last. Returns how many items moved.

        The account is disabled (its sign-ins end) first and goes only once everything else
        is done: a removal that stops partway (a store that failed, a click that ended the
        run) leaves a disabled account whose name nobody can take, and deleting it again
        finishes the job (every step finds only what is left to do)."""
        self.users.set_disabled_guarded(username, True)
        if self.sessions is not None:
            self.sessions.end_all(username)
        heir = heir or (FORMER_AUTHOR, "")
        kept = move_content(self.content, username, heir)
        if heir[0] != FORMER_AUTHOR and not self._exists(heir[0]):
            # The heir's account went while the content moved (their own deletion moved only
            # what they had then): it stays under "former author", where no new account of
            # that name can take it.
            gone, heir = heir[0], (FORMER_AUTHOR, "")
            move_content(self.content, gone, heir)
        # A like row names the person: it goes (the item's count with it, as an unlike);
        # the like events stay, without the id, so dashboards do not change.
        for content_id in self.content.liked_by(username):
            self.content.remove_like(content_id, username)
        # Raw events older than the retention are gone already; a day either side covers
        # clock skew and events still in a tracker's buffer.
        since, until = now - timedelta(days=self.retention_days + 1), now + timedelta(days=1)
        self.events.forget_user(username, since, until)
        self.events.rekey_author(username, heir[0], since, until)
        if self.cohorts is not None:
            self.cohorts.forget_user(username)
        if self.follows is not None:
            self.follows.forget_user(username)
        if self.records is not None:
            self.records.delete(username)
        self.throttle.clear_login_failures(username)
        self.users.delete_guarded(username)
        return kept

    def _exists(self, username: str) -> bool:
        try:
            self.users.get(username)
        except NotFound:
            return False
        return True


def move_content(content: ContentRepository, author_id: str, heir: tuple[str, str]) -> int:
    """Every item of ``author_id``, any status, moved to ``heir`` (author id, name). An item
    a lagging search index lists again is not counted twice (and ends the loop)."""
    seen: set[str] = set()
    while True:
        query = SearchQuery(author_id=author_id, status=None, page=1, page_size=_BATCH)
        fresh = [item.id for item in content.search(query).items if item.id not in seen]
        if not fresh:
            return len(seen)
        for content_id in fresh:
            seen.add(content_id)
            _move(content, content_id, author_id, heir)


def _move(content: ContentRepository, content_id: str, author_id: str,
          heir: tuple[str, str]) -> None:
    for _ in range(_EDIT_ATTEMPTS):
        item = content.get(content_id)
        if item.author_id != author_id:
            return
        try:
            content.update(replace(item, author_id=heir[0], author_name=heir[1]), item.version)
            return
        except ConflictError:
            continue
    raise ConflictError("errors.conflict")
