"""Saves whose answer is lost: the store did the write but the call failed (a timeout after the
write, a dropped connection). Nothing may be orphaned and, above all, no saved item may lose
its files: when in doubt a file is kept (the cleanup finds orphans; a lost file is lost)."""

from __future__ import annotations

from typing import Any

import pytest

from services.bootstrap import Services
from services.content.samples import banner_png, load_catalog
from services.content.service import ContentService
from services.domain.models import ContentDraft, ContentItem, Status, Upload
from services.domain.permissions import Actor
from services.errors import ServiceUnavailable

PNG = banner_png("데모", load_catalog()[0].category, 200, 100)
DRAFT = ContentDraft(title="답이 사라진 저장", summary="", body="", category="Generative AI",
                     tags=(), status=Status.PUBLISHED)
LOST = ServiceUnavailable("errors.service_unavailable", detail="read timeout")


class Wrapper:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class PutThenLoseAnswer(Wrapper):
    """The second put is stored, but its answer never arrives."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.puts = 0

    def put(self, key: str, data: bytes, media_type: str) -> None:
        self.puts += 1
        self.inner.put(key, data, media_type)
        if self.puts == 2:
            raise LOST


class AddThenLoseAnswer(Wrapper):
    def add(self, item: ContentItem) -> None:
        self.inner.add(item)
        raise LOST


class AddThenDown(AddThenLoseAnswer):
    """Saved, the answer lost, and the store down for the check that follows."""

    def get(self, content_id: str) -> ContentItem:
        raise LOST


def service(services: Services, repo: Any = None, blobs: Any = None) -> ContentService:
    return ContentService(repo or services.ports.content, blobs or services.ports.blobs,
                          services.ports.audit, max_upload_bytes=2**20)


def stored(services: Services) -> list[str]:
    return list(services.ports.blobs.list_keys())


def test_a_file_stored_although_its_put_failed_is_removed_again(
    services: Services, author: Actor
) -> None:
    content = service(services, blobs=PutThenLoseAnswer(services.ports.blobs))

    with pytest.raises(ServiceUnavailable):
        content.create(DRAFT, [Upload("a.png", PNG), Upload("b.png", PNG)], author)

    assert services.content.count() == 0
    assert stored(services) == []


def test_an_item_saved_although_its_save_failed_keeps_its_files(
    services: Services, author: Actor
) -> None:
    content = service(services, repo=AddThenLoseAnswer(services.ports.content))

    item = content.create(DRAFT, [Upload("a.png", PNG)], author)  # it was saved: say so

    saved = services.content.get(item.id, author)
    assert services.content.asset_bytes(saved, saved.assets[0], author) == PNG
    assert [e.action for e in services.ports.audit.entries()] == ["content.create"]


def test_when_the_outcome_is_unknown_the_files_are_kept(
    services: Services, author: Actor
) -> None:
    content = service(services, repo=AddThenDown(services.ports.content))

    with pytest.raises(ServiceUnavailable):
        content.create(DRAFT, [Upload("a.png", PNG)], author)

    [item] = services.content.my_content(author).items
    assert [a.storage_key for a in item.assets] == stored(services)  # nothing lost


def test_an_edit_saved_although_its_save_failed_keeps_the_new_files(
    services: Services, author: Actor
) -> None:
    item = services.content.create(DRAFT, [], author)

    class UpdateThenLoseAnswer(Wrapper):
        def update(self, changed: ContentItem, expected_version: int) -> ContentItem:
            self.inner.update(changed, expected_version)
            raise LOST

    content = service(services, repo=UpdateThenLoseAnswer(services.ports.content))

    saved = content.update(item.id, DRAFT, item.version, author,
                           new_uploads=[Upload("new.png", PNG)])

    current = services.content.get(item.id, author)
    assert current.version == saved.version == item.version + 1
    assert services.content.asset_bytes(current, current.assets[0], author) == PNG
