"""Card thumbnails: made once from an item's first image, small, stored next to the file,
private like it, removed with it, and never taken for an orphan while the file is used."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

from services.bootstrap import Services
from services.content import orphans
from services.content.service import ContentService
from services.content.thumbnails import (
    THUMB_NAME,
    THUMB_SIZE,
    ThumbnailRefused,
    Thumbnails,
    make_thumbnail,
    thumbnail_key,
)
from services.domain.models import ContentDraft, ContentItem, Status, Upload, utcnow
from services.domain.permissions import Actor
from services.errors import NotFound


def image_bytes(size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "orange" if mode != "1" else 1).save(out, format=fmt)
    return out.getvalue()


def draft(status: Status = Status.PUBLISHED) -> ContentDraft:
    return ContentDraft(title="그림이 있는 글", summary="", body="", category="Generative AI",
                        tags=(), status=status)


class CountingBlobs:
    """The real store, counting what is asked of it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, str(args[0]) if args else ""))
            return method(*args, **kwargs)

        return counted


def service(services: Services, blobs: Any) -> ContentService:
    return ContentService(services.ports.content, blobs, services.ports.audit,
                          max_upload_bytes=2**22)


def with_files(content: ContentService, actor: Actor, *uploads: Upload,
               status: Status = Status.PUBLISHED) -> ContentItem:
    return content.create(draft(status), list(uploads), actor)


# ---- the picture itself ---------------------------------------------------------------------

def test_a_large_picture_becomes_a_small_webp_of_the_card_shape() -> None:
    thumb = make_thumbnail(image_bytes((3000, 2000), "JPEG"))

    with Image.open(io.BytesIO(thumb)) as shown:
        assert shown.format == "WEBP"
        assert shown.size == THUMB_SIZE == (480, 270)
    assert len(thumb) < 20_000


def test_a_small_picture_is_never_enlarged() -> None:
    with Image.open(io.BytesIO(make_thumbnail(image_bytes((160, 160))))) as shown:
        assert shown.size[0] <= 160 and shown.size[1] <= 160
        assert abs(shown.size[0] / shown.size[1] - 16 / 9) < 0.05


@pytest.mark.parametrize("mode,fmt", [("RGBA", "PNG"), ("P", "GIF"), ("L", "WEBP")])
def test_transparent_palette_and_grey_pictures_are_made_too(mode: str, fmt: str) -> None:
    with Image.open(io.BytesIO(make_thumbnail(image_bytes((800, 600), fmt, mode)))) as shown:
        assert shown.size == THUMB_SIZE


def test_unreadable_or_huge_pictures_get_none() -> None:
    with pytest.raises(ThumbnailRefused):
        make_thumbnail(b"not an image at all")
    with pytest.raises(ThumbnailRefused):
        make_thumbnail(image_bytes((9000, 6000), mode="1"))  # 54 million pixels


# ---- made once ------------------------------------------------------------------------------

def test_the_thumbnail_is_made_once_and_stored_next_to_the_file(
    services: Services, author: Actor, viewer: Actor
) -> None:
    blobs = CountingBlobs(services.ports.blobs)
    content = service(services, blobs)
    item = with_files(content, author, Upload("a.png", image_bytes((1200, 800))))
    (image,) = item.assets
    blobs.calls.clear()

    first = content.thumbnail(item, viewer)
    second = content.thumbnail(item, viewer)

    assert isinstance(first, bytes) and first == second  # a local folder: the bytes
    key = thumbnail_key(image)
    assert key == image.storage_key.rsplit("/", 1)[0] + "/" + THUMB_NAME
    assert [c for c in blobs.calls if c[0] == "put"] == [("put", key)]
    assert blobs.calls.count(("get", image.storage_key)) == 1  # the original read once
    assert services.ports.blobs.get(key) == first


def test_a_new_process_finds_the_stored_thumbnail_and_does_not_make_it_again(
    services: Services, author: Actor, viewer: Actor
) -> None:
    item = with_files(service(services, services.ports.blobs), author,
                      Upload("a.png", image_bytes((1200, 800))))
    service(services, services.ports.blobs).thumbnail(item, viewer)
    blobs = CountingBlobs(services.ports.blobs)

    again = service(services, blobs)
    again.thumbnail(item, viewer)
    again.thumbnail(item, viewer)

    assert [c[0] for c in blobs.calls if c[0] in ("put", "exists")] == ["exists"]


def test_the_first_image_is_used_and_other_files_are_not(
    services: Services, author: Actor, viewer: Actor
) -> None:
    content = service(services, services.ports.blobs)
    first, second = image_bytes((900, 600)), image_bytes((600, 900), "JPEG")
    item = with_files(content, author, Upload("first.png", first),
                      Upload("second.jpg", second))
    content.thumbnail(item, viewer)

    assert services.ports.blobs.exists(thumbnail_key(item.assets[0]))
    assert not services.ports.blobs.exists(thumbnail_key(item.assets[1]))


def test_no_image_or_an_unreadable_one_gives_no_picture(
    services: Services, author: Actor, viewer: Actor
) -> None:
    blobs = CountingBlobs(services.ports.blobs)
    content = service(services, blobs)
    bare = with_files(content, author)
    item = with_files(content, author, Upload("a.png", image_bytes((300, 200))))
    services.ports.blobs.put(item.assets[0].storage_key, b"\x89PNG\r\n\x1a\n broken", "image/png")
    blobs.calls.clear()

    assert content.thumbnail(bare, viewer) is None
    assert content.thumbnail(item, viewer) is None
    assert content.thumbnail(item, viewer) is None
    assert [c for c in blobs.calls if c[0] in ("get", "put")] == [
        ("get", item.assets[0].storage_key)]  # a broken image is not decoded on every visit


def test_a_draft_s_picture_is_hidden_like_the_draft(
    services: Services, author: Actor, other_author: Actor
) -> None:
    content = service(services, services.ports.blobs)
    item = with_files(content, author, Upload("a.png", image_bytes((300, 200))),
                      status=Status.DRAFT)

    with pytest.raises(NotFound):
        content.thumbnail(item, other_author)
    assert not services.ports.blobs.exists(thumbnail_key(item.assets[0]))
    assert content.thumbnail(item, author) is not None


# ---- removed with the file, never an orphan while it is used --------------------------------

def test_deleting_the_item_or_the_image_removes_the_thumbnail(
    services: Services, author: Actor, viewer: Actor
) -> None:
    content = service(services, services.ports.blobs)
    item = with_files(content, author, Upload("a.png", image_bytes((300, 200))),
                      Upload("b.png", image_bytes((300, 200))))
    content.thumbnail(item, viewer)
    first = item.assets[0]
    updated = content.update(item.id, draft(), item.version, author,
                             remove_asset_ids=[first.id])
    assert not services.ports.blobs.exists(thumbnail_key(first))

    content.thumbnail(updated, viewer)  # the next image is the picture now
    content.delete(item.id, author)
    assert list(services.ports.blobs.list_keys()) == []


def test_the_orphan_scan_keeps_used_thumbnails_and_finds_left_over_ones(
    services: Services, author: Actor, viewer: Actor
) -> None:
    content = service(services, services.ports.blobs)
    item = with_files(content, author, Upload("a.png", image_bytes((300, 200))))
    content.thumbnail(item, viewer)
    later = utcnow() + timedelta(hours=2)

    report = orphans.scan(services.ports.content, services.ports.blobs, later)
    assert report.orphans == () and report.missing == () and report.foreign == 0

    services.ports.content.update(replace(item, assets=()), item.version)  # the file left over
    report = orphans.scan(services.ports.content, services.ports.blobs, later)
    assert sorted(report.orphans) == sorted([item.assets[0].storage_key,
                                             thumbnail_key(item.assets[0])])


def test_samples_get_their_thumbnails_when_they_load(services: Services) -> None:
    services.samples.load(limit=3)
    items = list(orphans.all_items(services.ports.content))
    firsts = {item.title: [a for a in item.assets if a.kind.value == "image"][:1]
              for item in items}

    assert len(items) == 3 and all(firsts.values()), firsts  # each sample has a picture
    for title, [image] in firsts.items():
        assert services.ports.blobs.exists(thumbnail_key(image)), title


def test_thumbnails_share_what_they_know_across_sessions(
    services: Services, author: Actor
) -> None:
    blobs = CountingBlobs(services.ports.blobs)
    thumbs = Thumbnails(blobs)
    item = with_files(service(services, services.ports.blobs), author,
                      Upload("a.png", image_bytes((300, 200))))
    for _ in range(3):
        thumbs.ensure(item.assets[0])
    assert [c[0] for c in blobs.calls] == ["exists", "get", "put"]
