"""The content catalogue and its files.

Protocols; import them from ``services.ports``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from services.domain.models import ContentItem, Page, SearchQuery


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

    def delete(self, content_id: str, expected_version: int) -> None:
        """Remove the item, its assets' records and its likes if the stored version is
        ``expected_version`` (what the caller checked is what goes). ConflictError if the
        stored version differs; NotFound if absent."""

    def search(self, query: SearchQuery) -> Page[ContentItem]:
        """Filter, full-text search (Korean substrings too), sort and paginate."""

    def increment_views(self, content_id: str, by: int = 1) -> int:
        """Atomically add ``by`` views (1 per visit; more when synthetic events are seeded);
        returns the new count."""

    def add_like(self, content_id: str, user_id: str) -> bool:
        """Atomically like once per user. True if this call added the like."""

    def remove_like(self, content_id: str, user_id: str) -> bool:
        """True if this call removed an existing like."""

    def has_liked(self, content_id: str, user_id: str) -> bool: ...

    def liked_by(self, user_id: str) -> list[str]:
        """The ids of the items ``user_id`` likes, in id order."""

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

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Every stored key starting with ``prefix``, in no promised order (for the orphan
        cleanup and backups; the store pages through its backend itself)."""
