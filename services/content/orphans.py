"""Stored files that no item references (orphans), and asset records whose file is gone.

Orphans come from deletes that failed after the item was removed (the service logs them and
goes on) or from a process that died between storing the files and saving the item. Finding
them compares the store's keys with the keys of every item's assets (and of their thumbnails,
``thumbnails.py``); removing them repeats the scan, so a file that became referenced meanwhile
is kept.

A file shorter-lived than ``grace`` is never an orphan: an item being created stores its files
before the item itself, so a fresh unreferenced file may belong to a save still in flight. Keys
are ``content/<item id>/<asset id>/<name>`` and both ids are ULIDs, whose first 48 bits are the
time they were made. A key of any other form was not made by this app (a file put into the
folder or bucket by hand): it is counted and never removed. Before a file is judged, the item
its key names is read, since offset paging can skip an item deleted meanwhile.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ulid import ULID

from services.content.thumbnails import thumbnail_key
from services.domain.models import ContentItem, SearchQuery
from services.errors import NotFound
from services.ports import BlobStore, ContentRepository
from services.resource_names import AUDIT_SPOOL_PREFIX

GRACE = timedelta(hours=1)
_PAGE = 100


@dataclass(frozen=True)
class MissingFile:
    """An asset record whose file the store does not have (reported; never changed)."""

    content_id: str
    title: str
    filename: str
    storage_key: str


@dataclass(frozen=True)
class OrphanReport:
    """What a scan found; after a removal also what was removed and what could not be, and
    ``orphans`` is what is left (failed deletes, orphans not confirmed)."""

    orphans: tuple[str, ...]
    too_recent: int
    missing: tuple[MissingFile, ...]
    referenced: int
    foreign: int = 0  # unreferenced keys this app does not make: counted, never removed
    removed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.orphans and not self.missing


def scan(repo: ContentRepository, blobs: BlobStore, now: datetime,
         grace: timedelta = GRACE) -> OrphanReport:
    """Compare the store with every item's assets (any status). Reads only."""
    # Stored keys first: a file stored after this listing cannot be judged an orphan.
    stored = {key for key in blobs.list_keys() if not key.startswith(AUDIT_SPOOL_PREFIX)}
    referenced: dict[str, MissingFile] = {}
    thumbnails: set[str] = set()  # derived files of referenced assets: kept, never missing
    for item in all_items(repo):
        for asset in item.assets:
            referenced[asset.storage_key] = MissingFile(item.id, item.title, asset.filename,
                                                        asset.storage_key)
            thumbnails.add(thumbnail_key(asset))
    unreferenced = [key for key in sorted(stored - referenced.keys() - thumbnails)
                    if not still_referenced(repo, key)]
    ours = [key for key in unreferenced if made_here(key)]
    orphans = tuple(key for key in ours if made_before(key, now - grace))
    missing = tuple(referenced[key] for key in sorted(referenced.keys() - stored))
    return OrphanReport(orphans=orphans, too_recent=len(ours) - len(orphans),
                        missing=missing, referenced=len(referenced),
                        foreign=len(unreferenced) - len(ours))


def remove(repo: ContentRepository, blobs: BlobStore, now: datetime,
           confirmed: Collection[str] | None = None, grace: timedelta = GRACE) -> OrphanReport:
    """Scan again and delete the orphans (only those in ``confirmed`` when given: what the
    operator saw in the dry run). A failed delete is reported, never raised."""
    found = scan(repo, blobs, now, grace)
    removed: list[str] = []
    failed: list[str] = []
    for key in found.orphans:
        if confirmed is not None and key not in confirmed:
            continue
        try:
            blobs.delete(key)
        except Exception:  # one stuck file must not stop the others; it stays in the report
            failed.append(key)
        else:
            removed.append(key)
    gone = set(removed)
    left = tuple(key for key in found.orphans if key not in gone)
    return replace(found, orphans=left, removed=tuple(removed), failed=tuple(failed))


def all_items(repo: ContentRepository) -> Iterator[ContentItem]:
    """Every item of any status, with its assets, page by page."""
    page = 1
    while True:
        result = repo.search(SearchQuery(status=None, page=page, page_size=_PAGE))
        yield from result.items
        if page >= result.pages or not result.items:
            return
        page += 1


def still_referenced(repo: ContentRepository, key: str) -> bool:
    """Ask the key's item itself: paging by offset can skip an item when another is deleted
    meanwhile, and a skipped item's files must not look orphaned."""
    parts = key.split("/")
    if len(parts) < 3 or parts[0] != "content":
        return False
    try:
        item = repo.get(parts[1])
    except NotFound:
        return False
    return any(key in (asset.storage_key, thumbnail_key(asset)) for asset in item.assets)


def made_here(key: str) -> bool:
    """True for keys of the form this app writes (``content/<ULID>/<ULID>/<name>``)."""
    parts = key.split("/")
    return len(parts) == 4 and parts[0] == "content" and all(
        _made_at(part) is not None for part in parts[1:3])


def made_before(key: str, cutoff: datetime) -> bool:
    """True if both ids in ``key`` (ULIDs) were made before ``cutoff``."""
    times = [_made_at(part) for part in key.split("/")[1:3]]
    return all(made is not None and made < cutoff for made in times)


def _made_at(part: str) -> datetime | None:
    try:
        return ULID.from_str(part).datetime
    except ValueError:
        return None
