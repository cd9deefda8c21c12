"""Every seam between the use cases and the outside world, as a typing.Protocol.

Adapters in ``services/adapters`` implement these; each port has one contract suite in
``tests/contract`` run against every adapter. Adapters raise only ``services.errors`` types.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from typing import Protocol

from services.domain.analytics import Dim, Event, EventType, RollupRow
from services.domain.hll import HyperLogLog
from services.domain.llm import LLMRequest, LLMResult, LLMStream
from services.domain.models import AuditEntry, ContentItem, Page, SearchQuery
from services.domain.permissions import Role
from services.domain.users import User


class ContentRepository(Protocol):
    def add(self, item: ContentItem) -> None:
        """Store a new item with its assets. ConflictError if the id exists."""

    def get(self, content_id: str) -> ContentItem:
        """The item with its assets. NotFound if absent."""

    def update(self, item: ContentItem, expected_version: int) -> ContentItem:
        """Replace the item (and its asset list) if the stored version is ``expected_version``.

        Returns the stored item, whose version is ``expected_version + 1``. ConflictError if the
        stored version differs; NotFound if the item is gone. Counters (views, likes) are kept
        as stored, never overwritten from ``item``.
        """

    def delete(self, content_id: str) -> None:
        """Remove the item, its assets' records and its likes. NotFound if absent."""

    def search(self, query: SearchQuery) -> Page[ContentItem]:
        """Filter, full-text search (Korean substrings too), sort and paginate."""

    def increment_views(self, content_id: str) -> int:
        """Atomically add one view; returns the new count."""

    def add_like(self, content_id: str, user_id: str) -> bool:
        """Atomically like once per user. True if this call added the like."""

    def remove_like(self, content_id: str, user_id: str) -> bool:
        """True if this call removed an existing like."""

    def has_liked(self, content_id: str, user_id: str) -> bool: ...

    def authors(self) -> list[tuple[str, str]]:
        """(author_id, author_name) of authors with published content, for filters."""

    def tags(self) -> list[str]:
        """Tags used by published content, sorted, for filters."""

    def sample_ids(self) -> list[str]:
        """Ids of items marked as sample content."""

    def count(self) -> int:
        """Number of items of any status."""


class BlobStore(Protocol):
    """Private file storage. Keys are produced by the service, never taken from users."""

    def put(self, key: str, data: bytes, media_type: str) -> None: ...

    def get(self, key: str) -> bytes:
        """NotFound if absent."""

    def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is not an error."""

    def exists(self, key: str) -> bool: ...

    def url(self, key: str, filename: str, expires_in: int) -> str | None:
        """A short-lived download URL, or None when the store has none (local folder)."""


class UserDirectory(Protocol):
    """Accounts and their roles. Passwords are stored only as bcrypt hashes."""

    def create(self, user: User, password_hash: str) -> None:
        """ConflictError if the username exists."""

    def get(self, username: str) -> User:
        """NotFound if absent."""

    def password_hash(self, username: str) -> str:
        """NotFound if absent."""

    def list(self) -> list[User]: ...

    def set_roles(self, username: str, roles: frozenset[Role]) -> None: ...

    def set_password_hash(self, username: str, password_hash: str) -> None: ...

    def set_disabled(self, username: str, disabled: bool) -> None: ...

    def delete(self, username: str) -> None: ...

    def record_login_failure(self, username: str, at: datetime) -> None: ...

    def login_failures_since(self, username: str, since: datetime) -> int: ...

    def clear_login_failures(self, username: str) -> None: ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def entries(
        self,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Newest first."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...



class EventStore(Protocol):
    """Raw usage events plus the rollups and visitor sketches derived from them.

    Rollups are bucketed by local day/hour in the store's time zone (given to the adapter);
    ``services.domain.analytics.rollup_keys`` is the one definition of what an event adds.
    """

    def append(self, events: Sequence[Event]) -> int:
        """Store the events whose ids are new and add exactly those to the rollups and the
        day's visitor sketch, atomically per event (a retry never double-counts).
        Returns how many were new."""

    def rollups(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        hourly: bool = False,
    ) -> list[RollupRow]:
        """Rollup rows for local days start..end inclusive (day-level rows, or with
        ``hourly`` the per-hour Dim.ALL rows), optionally only some types and dims."""

    def visitors(self, start: date, end: date) -> HyperLogLog:
        """The merged visitor sketch of local days start..end inclusive."""

    def raw_events(self, since: datetime, until: datetime) -> Iterator[Event]:
        """Raw events with since <= ts < until, oldest first (for baselines and checks;
        dashboards never call this)."""


class LLM(Protocol):
    """A text model. Adapters raise only ``services.errors`` types, with ``llm.*`` keys.

    ``stream`` raises the request's errors (denied, throttled after retries, bad model id)
    when called; errors after the first chunk are raised while iterating the stream.
    """

    def complete(self, request: LLMRequest) -> LLMResult: ...

    def stream(self, request: LLMRequest) -> LLMStream:
        """Text chunks as the model writes them; ``result()`` once the stream is exhausted."""
