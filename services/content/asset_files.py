"""The files of a content save: stored before the item, removed again when the save did not
happen, kept when it did (even if its answer was lost). Nothing is lost or orphaned on a failure
that can be told apart; an unreadable outcome keeps the files for the orphan cleanup."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from services.content.drafts import ASSETS_MAX
from services.content.media import FIELD as FILES_FIELD
from services.content.media import check_uploads
from services.content.thumbnails import Thumbnails
from services.domain.models import Asset, AssetKind, ContentItem, Upload, new_id
from services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationError,
)
from services.ports import BlobStore, ContentRepository

log = logging.getLogger(__name__)

# Errors by which a store refused a write it then did not do (no need to read it back).
_REFUSALS = (ConflictError, ValidationError, NotFound, PermissionDenied, QuotaExceeded)


class AssetFiles:
    """An item's files in the blob store, around the repository's writes."""

    def __init__(self, repo: ContentRepository, blobs: BlobStore, thumbnails: Thumbnails, *,
                 max_upload_bytes: int, clock: Callable[[], datetime]) -> None:
        self._repo = repo
        self._blobs = blobs
        self._thumbnails = thumbnails
        self._max_upload_bytes = max_upload_bytes
        self._clock = clock

    def store(
        self, content_id: str, uploads: Sequence[Upload], existing: int
    ) -> list[Asset]:
        """Check every upload first (nothing stored if one is bad), then store them all."""
        if existing + len(uploads) > ASSETS_MAX:
            raise ValidationError("content.err_too_many_files", field=FILES_FIELD,
                                  max=ASSETS_MAX)
        checked = check_uploads([(u.filename, u.data) for u in uploads], self._max_upload_bytes)
        stored: list[Asset] = []
        for upload, (name, media) in zip(uploads, checked, strict=True):
            asset_id = new_id()
            asset = Asset(
                id=asset_id, content_id=content_id, kind=media.kind, filename=name,
                media_type=media.mime, size=len(upload.data),
                storage_key=f"content/{content_id}/{asset_id}/{name}", created_at=self._clock(),
            )
            try:
                self._blobs.put(asset.storage_key, upload.data, media.mime)
            except Exception:
                # A failed put may have stored the file all the same (its answer lost); deletes
                # are idempotent, so it is removed with the others.
                self.discard([*stored, asset])
                raise
            stored.append(asset)
        return stored

    def after_failed_save(self, exc: Exception, content_id: str, added: Sequence[Asset],
                           version: int) -> ContentItem | None:
        """A save raised ``exc``. A refusal (conflict, invalid, throttled...) wrote nothing: the
        new files go. Any other failure may have come after the write (a timeout, a lost
        answer), so the item is read back: saved at ``version`` with the new files, it is
        returned and keeps them; absent, the files go; unreadable, they stay (the orphan
        cleanup can remove a file later, nothing can bring back a deleted one)."""
        if isinstance(exc, _REFUSALS):
            self.discard(added)
            return None
        try:
            current = self._repo.get(content_id)
        except NotFound:
            self.discard(added)
            return None
        except Exception:
            log.warning("save of %s failed and cannot be checked; its new files are kept",
                        content_id)
            return None
        keys = {asset.storage_key for asset in current.assets}
        if current.version == version and all(a.storage_key in keys for a in added):
            log.warning("save of %s reported %r but was stored", content_id, exc)
            return current
        self.discard([a for a in added if a.storage_key not in keys])
        return None

    def discard(self, assets: Iterable[Asset]) -> None:
        for asset in assets:
            keys = [asset.storage_key]
            if asset.kind == AssetKind.IMAGE:
                keys.append(self._thumbnails.forget(asset))
            for key in keys:
                try:
                    self._blobs.delete(key)
                except Exception:  # an orphan file is logged, never a reason to fail the user
                    log.exception("could not delete file %s", key)
