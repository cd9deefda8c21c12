"""When an item counts as published: the first publication, kept for good.

Unpublishing keeps the moment and publishing again does not move it, so an item taken down
for a fix and put back does not come back as the newest, and an author cannot lift an old
item to the top of "최신 콘텐츠" by switching its status.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.bootstrap import Services
from services.content.service import ContentService
from services.domain.models import (
    Category,
    ContentDraft,
    ContentItem,
    SearchQuery,
    Sort,
    Status,
    first_published,
)
from services.domain.permissions import Actor
from tests.doubles.clock import Clock

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def content(services: Services, clock: Clock) -> ContentService:
    ports = services.ports
    return ContentService(ports.content, ports.blobs, ports.audit, max_upload_bytes=2**20,
                          clock=clock)


def draft(title: str, status: Status = Status.PUBLISHED, body: str = "본문") -> ContentDraft:
    return ContentDraft(title=title, summary="", body=body, category="ETC", status=status)


def save(content: ContentService, item: ContentItem, actor: Actor, status: Status,
         body: str = "본문") -> ContentItem:
    return content.update(item.id, draft(item.title, status, body), item.version, actor)


def newest(content: ContentService) -> list[str]:
    found = content.browse(SearchQuery(sort=Sort.NEWEST), Actor.anonymous())
    return [item.title for item in found.items]


def test_unpublished_and_published_again_keeps_its_first_publication(
    content: ContentService, clock: Clock, author: Actor
) -> None:
    item = content.create(draft("fixed later"), [], author)
    clock.now = T0 + timedelta(days=1)
    content.create(draft("next day"), [], author)
    clock.now = T0 + timedelta(days=2)

    hidden = save(content, item, author, Status.DRAFT)
    assert hidden.published_at == T0  # kept while it is a draft again
    assert newest(content) == ["next day"]
    clock.now = T0 + timedelta(days=3)
    back = save(content, hidden, author, Status.PUBLISHED, body="고친 본문")

    assert back.published_at == T0
    assert back.updated_at == T0 + timedelta(days=3)  # the edit itself is dated as ever
    assert newest(content) == ["next day", "fixed later"]  # back where it was


def test_editing_a_published_item_does_not_move_it(
    content: ContentService, clock: Clock, author: Actor
) -> None:
    item = content.create(draft("first"), [], author)
    clock.now = T0 + timedelta(hours=1)
    content.create(draft("second"), [], author)
    clock.now = T0 + timedelta(days=5)

    edited = save(content, item, author, Status.PUBLISHED, body="새 본문")

    assert edited.published_at == T0
    assert newest(content) == ["second", "first"]


def test_editing_a_draft_leaves_it_unpublished(
    content: ContentService, clock: Clock, author: Actor
) -> None:
    item = content.create(draft("draft", Status.DRAFT), [], author)
    clock.now = T0 + timedelta(days=1)

    assert save(content, item, author, Status.DRAFT, body="더 쓴 본문").published_at is None


def test_sample_content_dated_back_was_published_when_it_was_written(
    content: ContentService, admin: Actor
) -> None:
    written = T0 - timedelta(days=40)

    sample = content.create(draft("sample"), [], admin, sample=True, created_at=written)

    assert sample.published_at == sample.created_at == written


@pytest.mark.parametrize(
    ("before", "status", "expected"),
    [
        (None, Status.PUBLISHED, T0),  # published now for the first time
        (None, Status.DRAFT, None),  # never published
        (T0 - timedelta(days=9), Status.PUBLISHED, T0 - timedelta(days=9)),  # kept
        (T0 - timedelta(days=9), Status.DRAFT, T0 - timedelta(days=9)),  # kept when unpublished
    ],
)
def test_the_rule(before: datetime | None, status: Status, expected: datetime | None) -> None:
    assert first_published(before, status, T0) == expected


def test_a_published_item_without_a_moment_was_published_when_created() -> None:
    """Data from before the moment was kept (an old record, an import) reads this way."""
    item = ContentItem(id="x", title="t", summary="", body="", category=Category.ETC, tags=(),
                       author_id="a", author_name="A", status=Status.PUBLISHED,
                       created_at=T0, updated_at=T0)

    assert item.published_at == item.listed_at == T0
    never = ContentItem(id="y", title="t", summary="", body="", category=Category.ETC, tags=(),
                        author_id="a", author_name="A", status=Status.DRAFT,
                        created_at=T0, updated_at=T0)
    assert never.published_at is None and never.listed_at == T0
