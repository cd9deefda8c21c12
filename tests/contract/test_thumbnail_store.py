"""Thumbnails on every BlobStore adapter: made once next to the file, small, private (a
short-lived signed URL where the store has URLs, else the bytes), removed like any file."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from PIL import Image

from services.content.thumbnails import THUMB_MEDIA_TYPE, Thumbnails, thumbnail_key
from services.domain.models import Asset, AssetKind, Category, ContentItem, Status

KEY = "content/01HZX0000000000000000000AA/01HZY0000000000000000000BB/사진.png"


def _png(size: tuple[int, int] = (1600, 1200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (31, 111, 235)).save(out, format="PNG")
    return out.getvalue()


def _asset() -> Asset:
    return Asset(id="01HZY0000000000000000000BB", content_id="01HZX0000000000000000000AA",
                 kind=AssetKind.IMAGE, filename="사진.png", media_type="image/png", size=1,
                 storage_key=KEY, created_at=datetime(2026, 1, 1, tzinfo=UTC))


def _item(asset: Asset) -> ContentItem:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return ContentItem(id=asset.content_id, title="t", summary="", body="",
                       category=Category.ETC, tags=(), author_id="a", author_name="A",
                       status=Status.PUBLISHED, created_at=now, updated_at=now,
                       assets=(asset,))


class Counting:
    def __init__(self, inner: Any) -> None:
        self.inner, self.puts = inner, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def put(self, key: str, data: bytes, media_type: str) -> None:
        self.puts += 1
        self.inner.put(key, data, media_type)


def test_a_thumbnail_is_made_once_next_to_the_file(blob_store: Any) -> None:
    blob_store.put(KEY, _png(), "image/png")
    counting = Counting(blob_store)
    thumbs = Thumbnails(counting)

    key = thumbs.ensure(_asset())
    assert thumbs.ensure(_asset()) == key == thumbnail_key(_asset())
    assert Thumbnails(counting).ensure(_asset()) == key  # another process finds it stored

    assert counting.puts == 1
    with Image.open(io.BytesIO(blob_store.get(key))) as shown:
        assert shown.format == "WEBP" and shown.size[0] <= 480
    assert sorted(blob_store.list_keys("content/01HZX0000000000000000000AA/")) == sorted(
        [KEY, key])


def test_the_picture_is_private_a_signed_short_lived_url_or_the_bytes(blob_store: Any) -> None:
    blob_store.put(KEY, _png(), "image/png")

    picture = Thumbnails(blob_store).picture(_item(_asset()), 300)

    if isinstance(picture, bytes):  # a local folder: the app serves the bytes itself
        assert picture == blob_store.get(thumbnail_key(_asset()))
    else:
        assert isinstance(picture, str)
        query = parse_qs(urlparse(picture).query)
        assert urlparse(picture).path.endswith(".thumb.webp")
        assert query.get("X-Amz-Expires") == ["300"] and "X-Amz-Signature" in query


def test_the_thumbnail_is_stored_as_webp_and_deleted_like_any_file(blob_store: Any) -> None:
    blob_store.put(KEY, _png(), "image/png")
    key = Thumbnails(blob_store).ensure(_asset())
    assert key is not None
    client = getattr(blob_store, "_client", None)
    if client is not None:  # S3: the object says what it is
        head = client.head_object(Bucket=blob_store._bucket, Key=key)
        assert head["ContentType"] == THUMB_MEDIA_TYPE

    blob_store.delete(key)
    blob_store.delete(KEY)
    assert list(blob_store.list_keys()) == []
