"""The content data model (DESIGN.md, "Data model"). Plain dataclasses, no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from ulid import ULID

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A sortable unique id (ULID): ids sort by creation time."""
    return str(ULID())


def stable_id(at: datetime, key: str) -> str:
    """A ULID for ``at`` whose random part is a hash of ``key``: the same record imported twice
    gets the same id (re-runs are no-ops), and ids still sort by time."""
    millis = max(0, int(at.timestamp() * 1000)).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + hashlib.sha256(key.encode()).digest()[:10]))


class Category(StrEnum):
    GENERATIVE_AI = "Generative AI"
    MANUFACTURING = "Manufacturing"
    RETAIL_CPG = "Retail/CPG"
    TELCO_MEDIA = "Telco/Media"
    FINANCE = "Finance"
    AMAZON_Q = "Amazon Q"
    ETC = "ETC"

    @property
    def page(self) -> str:
        """The category page's address (``category_finance``), which its page views record:
        one browse view, seven pages."""
        return f"category_{self.name.lower()}"


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class AssetKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"


class Sort(StrEnum):
    RELEVANCE = "relevance"  # best match first (domain/relevance.py); newest without search text
    NEWEST = "newest"
    OLDEST = "oldest"
    TITLE = "title"
    MOST_VIEWED = "most_viewed"
    MOST_LIKED = "most_liked"


@dataclass(frozen=True)
class Asset:
    id: str
    content_id: str
    kind: AssetKind
    filename: str
    media_type: str
    size: int
    storage_key: str
    created_at: datetime


@dataclass(frozen=True)
class ContentItem:
    id: str
    title: str
    summary: str
    body: str
    category: Category
    tags: tuple[str, ...]
    author_id: str
    author_name: str
    status: Status
    created_at: datetime
    updated_at: datetime
    version: int = 1
    views: int = 0
    likes: int = 0
    assets: tuple[Asset, ...] = ()
    is_sample: bool = False
    # When readers first could see it (``first_published``); None if it never was published.
    published_at: datetime | None = None

    def __post_init__(self) -> None:
        # A published item given no moment was stored before the moment was kept (an old row
        # or record, an import of the previous platform): it was published when created.
        if self.published_at is None and self.status == Status.PUBLISHED:
            object.__setattr__(self, "published_at", self.created_at)

    @property
    def listed_at(self) -> datetime:
        """What newest first sorts by and a card's day: its publication, else (a draft that
        never was published) when it was started."""
        return self.published_at or self.created_at


def first_published(before: datetime | None, status: Status, now: datetime) -> datetime | None:
    """``published_at`` of an item saved at ``now`` with ``status`` that had ``before``.

    The first publication is kept for good: unpublishing keeps it and publishing again does not
    move it. "Newest" means new to readers; an item taken down for a fix and put back is not, and
    switching the status must not lift an old item to the top of the newest list. (An item to
    announce afresh is a new item.)
    """
    if before is not None or status != Status.PUBLISHED:
        return before
    return now


@dataclass(frozen=True)
class ContentDraft:
    """What an author types in the editor; validated by the content service."""

    title: str
    summary: str
    body: str
    category: str
    tags: tuple[str, ...] = ()
    status: Status = Status.DRAFT


@dataclass(frozen=True)
class Upload:
    """A file as received from the browser (or a script): name as given, raw bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    category: Category | None = None
    tags: tuple[str, ...] = ()
    author_id: str | None = None
    status: Status | None = Status.PUBLISHED  # None = any status (author's own list, admin)
    sort: Sort = Sort.NEWEST
    page: int = 1  # 1-based
    page_size: int = 12


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class AuditEntry:
    ts: datetime
    actor: str
    action: str
    target: str
    outcome: str  # "ok", "denied", "failed", ...
    detail: dict[str, str] = field(default_factory=dict)
    # Given to an entry that waits in a spool: written again (two containers replaying the
    # same shared spool, a crash before the spool was rewritten), DynamoDB keeps it once.
    entry_id: str | None = None
