"""When an item was published, and newest first meaning newly published, on every
ContentRepository adapter (through the content service, which decides the moment).

A draft started long ago and published today is today's news: it heads the newest-first list
and carries today as its publication; an item created published was published when it was
created. Both backends must list the same order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.adapters.localfs import LocalBlobStore
from services.content.service import ContentService
from services.domain.models import ContentDraft, ContentItem, SearchQuery, Sort, Status
from services.domain.permissions import Actor, Role
from tests.doubles.audit import MemoryAudit
from tests.doubles.clock import Clock

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
AUTHOR = Actor(user_id="kim", roles=frozenset({Role.AUTHOR}), name="Kim")


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def content(content_repo: Any, tmp_path: Path, clock: Clock) -> ContentService:
    return ContentService(content_repo, LocalBlobStore(tmp_path / "blobs"), MemoryAudit(),
                          max_upload_bytes=2**20, clock=clock)


def draft(title: str, status: Status = Status.PUBLISHED) -> ContentDraft:
    return ContentDraft(title=title, summary="", body="본문", category="ETC", status=status)


def newest(content: ContentService, **query: Any) -> list[str]:
    found = content.browse(SearchQuery(sort=Sort.NEWEST, **query), AUTHOR)
    return [item.title for item in found.items]


def publish(content: ContentService, item: ContentItem) -> ContentItem:
    return content.update(item.id, draft(item.title), item.version, AUTHOR)


def test_a_draft_published_later_is_the_newest(content: ContentService, clock: Clock) -> None:
    started = content.create(draft("old draft", Status.DRAFT), [], AUTHOR)
    for n in range(1, 4):
        clock.now = T0 + timedelta(days=n)
        content.create(draft(f"published {n}"), [], AUTHOR)
    clock.now = T0 + timedelta(days=14)

    published = publish(content, started)

    assert published.published_at == T0 + timedelta(days=14)
    assert published.created_at == T0  # when it was started stays as it was
    assert content.get(started.id, AUTHOR).published_at == T0 + timedelta(days=14)
    expected = ["old draft", "published 3", "published 2", "published 1"]
    assert newest(content) == expected
    assert newest(content, text="") == expected
    assert newest(content, status=None, author_id="kim") == expected  # the author's own list
    relevance = content.browse(SearchQuery(sort=Sort.RELEVANCE), AUTHOR).items
    assert [item.title for item in relevance] == expected  # no search words: newest first
    oldest = content.browse(SearchQuery(sort=Sort.OLDEST), AUTHOR).items
    assert [item.title for item in oldest] == expected[::-1]


def test_an_item_created_published_was_published_when_created(
    content: ContentService, clock: Clock
) -> None:
    clock.now = T0 + timedelta(hours=5)

    item = content.create(draft("at once"), [], AUTHOR)

    assert item.published_at == item.created_at == T0 + timedelta(hours=5)
    assert content.get(item.id, AUTHOR).published_at == T0 + timedelta(hours=5)


def test_a_draft_has_no_publication_and_lists_by_when_it_was_started(
    content: ContentService, clock: Clock
) -> None:
    content.create(draft("published"), [], AUTHOR)
    clock.now = T0 + timedelta(days=1)

    started = content.create(draft("draft", Status.DRAFT), [], AUTHOR)

    assert started.published_at is None
    assert content.get(started.id, AUTHOR).published_at is None
    assert newest(content, status=None, author_id="kim") == ["draft", "published"]


def test_equal_relevance_goes_newest_published_first(
    content: ContentService, clock: Clock
) -> None:
    """Equal relevance scores fall back to newest first, by publication too."""
    started = content.create(draft("bedrock guide", Status.DRAFT), [], AUTHOR)
    clock.now = T0 + timedelta(days=1)
    content.create(draft("bedrock guide"), [], AUTHOR)
    clock.now = T0 + timedelta(days=2)
    publish(content, started)

    ranked = content.browse(SearchQuery(text="bedrock", sort=Sort.RELEVANCE), AUTHOR).items

    assert ranked[0].id == started.id
