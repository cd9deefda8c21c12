"""Card thumbnails: the first image of an item, made small once and stored next to its file.

A thumbnail is derived data: made from the image on first request (or when samples load),
kept in the same private store as the file (``content/<item>/<asset>/.thumb.webp``: an
upload's name never starts with a dot, so it cannot collide) and removed with the file. The
store is asked only once per process whether a thumbnail exists; after that it is known.

Images are decoded with Pillow within bounds: a picture of more than ``MAX_PIXELS`` pixels
(a decompression bomb, or just too large to be worth it) gets no thumbnail, and a file Pillow
cannot read gets none either; the card shows its placeholder instead.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from services.domain.models import Asset, AssetKind, ContentItem
from services.errors import NotFound
from services.ports import BlobStore

log = logging.getLogger(__name__)

THUMB_NAME = ".thumb.webp"
THUMB_MEDIA_TYPE = "image/webp"
THUMB_SIZE = (480, 270)  # 16:9, so every card's picture has the same shape
THUMB_QUALITY = 80
MAX_PIXELS = 40_000_000


class ThumbnailRefused(ValueError):
    """The image cannot be made into a thumbnail (unreadable or too large)."""


def cover_image(item: ContentItem) -> Asset | None:
    """The item's first image, the one its card shows."""
    return next((a for a in item.assets if a.kind == AssetKind.IMAGE), None)


def thumbnail_key(asset: Asset) -> str:
    folder = asset.storage_key.rsplit("/", 1)[0]
    return f"{folder}/{THUMB_NAME}"


def make_thumbnail(data: bytes, size: tuple[int, int] = THUMB_SIZE) -> bytes:
    """A WebP of at most ``size`` (never larger than the image), the picture cropped to that
    shape around the centre (the first frame of an animation; a photo turned upright by its
    EXIF orientation). ThumbnailRefused for bytes Pillow cannot read or too many pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ThumbnailRefused(f"{width}x{height} pixels")
                image.draft("RGB", (size[0] * 2, size[1] * 2))  # JPEG: decode at a lower scale
                upright = ImageOps.exif_transpose(image)
                mode = "RGBA" if "A" in upright.getbands() or "transparency" in upright.info \
                    else "RGB"
                fitted = ImageOps.fit(upright.convert(mode), _target(upright.size, size),
                                      Image.Resampling.LANCZOS)
    except ThumbnailRefused:
        raise
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, SyntaxError, ValueError) as exc:
        raise ThumbnailRefused(str(exc)) from exc
    out = io.BytesIO()
    fitted.save(out, format="WEBP", quality=THUMB_QUALITY, method=4)
    return out.getvalue()


def _target(source: tuple[int, int], size: tuple[int, int]) -> tuple[int, int]:
    """``size``, or a smaller box of its shape for a picture too small to fill it: a
    thumbnail is never larger than its image."""
    width, height = size
    scale = min(1.0, source[0] / width, source[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


class Thumbnails:
    """Thumbnails in ``blobs``, made once. Shared by every session of the process."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs
        self._known: set[str] = set()  # keys stored (or found stored) by this process
        self._refused: set[str] = set()  # images that cannot be made into one
        self._lock = threading.Lock()

    def ensure(self, asset: Asset) -> str | None:
        """The key of ``asset``'s thumbnail, made and stored now if it is not yet; None if
        the image cannot have one. Store errors propagate (the card shows its placeholder)."""
        key = thumbnail_key(asset)
        if key in self._known:
            return key
        if asset.storage_key in self._refused:
            return None
        if self._blobs.exists(key):
            self._known.add(key)
            return key
        try:
            data = make_thumbnail(self._blobs.get(asset.storage_key))
        except ThumbnailRefused as exc:
            log.warning("no thumbnail for %s: %s", asset.storage_key, exc)
            with self._lock:
                self._refused.add(asset.storage_key)
            return None
        except NotFound:
            return None  # the file is missing (the orphan scan reports it)
        self._blobs.put(key, data, THUMB_MEDIA_TYPE)
        with self._lock:
            self._known.add(key)
        return key

    def picture(self, item: ContentItem, url_seconds: int) -> str | bytes | None:
        """The card picture of ``item``: a short-lived URL where the store has them (S3),
        else the bytes; None without an image that can have a thumbnail."""
        cover = cover_image(item)
        key = self.ensure(cover) if cover is not None else None
        if key is None:
            return None
        url = self._blobs.url(key, "thumbnail.webp", url_seconds)
        return url if url is not None else self._blobs.get(key)

    def prepare(self, item: ContentItem) -> None:
        """Make the thumbnail of a new item now; a failure is logged (the first request
        tries again), never raised."""
        cover = cover_image(item)
        try:
            if cover is not None:
                self.ensure(cover)
        except Exception:
            log.exception("could not make the thumbnail of %s", item.id)

    def forget(self, asset: Asset) -> str:
        """The thumbnail key of ``asset``, no longer known (the caller deletes it)."""
        key = thumbnail_key(asset)
        with self._lock:
            self._known.discard(key)
            self._refused.discard(asset.storage_key)
        return key
