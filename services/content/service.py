"""Content use cases: browse, read, like, create, edit, delete. Every write takes the acting user.

Authorization is checked here for every action (pages only hide what a role cannot do). Writes
are ordered so that nothing is lost or orphaned on failure: files are stored first and removed
again if the item cannot be saved; an item is removed before its files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.content import changes, orphans
from services.content.asset_files import AssetFiles
from services.content.drafts import clean_query, validate_draft
from services.content.orphans import OrphanReport
from services.content.thumbnails import Thumbnails
from services.content.visits import VisitLedger
from services.domain.models import (
    Asset,
    Category,
    ContentDraft,
    ContentItem,
    Page,
    SearchQuery,
    Status,
    Upload,
    first_published,
    new_id,
    utcnow,
)
from services.domain.permissions import Action, Actor, can, require
from services.domain.users import ANONYMOUS_ACTOR
from services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
)
from services.ops.audit import record_audit
from services.ports import AuditLog, BlobStore, ContentRepository, EventStore

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class FilterOptions:
    categories: list[Category]
    authors: list[tuple[str, str]]
    tags: list[str]


def require_visible(item: ContentItem, actor: Actor) -> None:
    """That ``actor`` may see ``item``: anyone who browses a published one, its author and
    admins a draft; a draft is NotFound to anyone else (its existence is not told)."""
    require(actor, Action.BROWSE)
    if item.status != Status.PUBLISHED and not can(actor, Action.EDIT_CONTENT, item.author_id):
        raise NotFound("errors.not_found")


class ContentService:
    def __init__(
        self,
        repo: ContentRepository,
        blobs: BlobStore,
        audit: AuditLog,
        *,
        max_upload_bytes: int,
        url_seconds: int = 300,
        clock: Callable[[], datetime] = utcnow,
        visits: VisitLedger | None = None,
        events: EventStore | None = None,
    ) -> None:
        self._repo = repo
        self._events = events
        self._visits = visits or VisitLedger()
        self._blobs = blobs
        self._audit = audit
        self._url_seconds = url_seconds
        self._clock = clock
        self._thumbnails = Thumbnails(blobs)
        self._files = AssetFiles(repo, blobs, self._thumbnails,
                                 max_upload_bytes=max_upload_bytes, clock=clock)

    # ---- reading -------------------------------------------------------------------------

    def browse(self, query: SearchQuery, actor: Actor) -> Page[ContentItem]:
        """Published content for anyone; drafts only in the owner's own list or for admins."""
        require(actor, Action.BROWSE)
        if query.status != Status.PUBLISHED and not self._may_list_unpublished(query, actor):
            raise PermissionDenied("errors.permission_denied", action="list_drafts")
        return self._repo.search(clean_query(query))

    def my_content(self, actor: Actor, page: int = 1, page_size: int = 20) -> Page[ContentItem]:
        require(actor, Action.CREATE_CONTENT)
        query = SearchQuery(author_id=actor.user_id, status=None, page=page, page_size=page_size)
        return self._repo.search(query)

    def get(self, content_id: str, actor: Actor) -> ContentItem:
        """The item; a draft is NotFound for anyone but its author and admins (no leak)."""
        require(actor, Action.BROWSE)
        item = self._repo.get(content_id)
        require_visible(item, actor)
        return item

    def filter_options(self) -> FilterOptions:
        return FilterOptions(list(Category), self._repo.authors(), self._repo.tags())

    def record_view(self, content_id: str, actor: Actor, visit_id: str) -> int | None:
        """One more view, the first time this visit opens the item: the new count, or None
        when the visit has counted already (a reload, a second look) or the item is not
        published (its author or an admin previewing it: readers' views are what counts)."""
        item = self.get(content_id, actor)
        # Asked before the ledger, so a preview does not use up the visit's view of the item.
        if item.status != Status.PUBLISHED or not self._visits.first_view(visit_id, item.id):
            return None
        return self._repo.increment_views(content_id)

    def has_liked(self, content_id: str, actor: Actor) -> bool:
        if actor.user_id is None:
            return False
        return self._repo.has_liked(content_id, actor.user_id)

    def set_like(self, content_id: str, actor: Actor, liked: bool) -> bool:
        """Like or unlike; True if something changed. Anonymous visitors cannot like."""
        require(actor, Action.LIKE)
        assert actor.user_id is not None  # LIKE is never granted to anonymous actors
        self.get(content_id, actor)
        if liked:
            return self._repo.add_like(content_id, actor.user_id)
        return self._repo.remove_like(content_id, actor.user_id)

    def asset_bytes(self, item: ContentItem, asset: Asset, actor: Actor) -> bytes:
        self._check_asset(item, asset, actor)
        return self._blobs.get(asset.storage_key)

    def asset_url(self, item: ContentItem, asset: Asset, actor: Actor) -> str | None:
        """A short-lived URL where the store has them (S3), else None (serve the bytes)."""
        self._check_asset(item, asset, actor)
        return self._blobs.url(asset.storage_key, asset.filename, self._url_seconds)

    def thumbnail(self, item: ContentItem, actor: Actor) -> str | bytes | None:
        """The card picture of ``item`` (a listed item: no second read), made from its first
        image once: a short-lived URL where the store has them (S3), else the bytes. None
        when the item has no image (or none that can be made smaller)."""
        require_visible(item, actor)
        return self._thumbnails.picture(item, self._url_seconds)

    # ---- writing -------------------------------------------------------------------------

    def create(
        self,
        draft: ContentDraft,
        uploads: Sequence[Upload],
        actor: Actor,
        *,
        sample: bool = False,
        initial_views: int = 0,
        created_at: datetime | None = None,
    ) -> ContentItem:
        """A new item owned by ``actor``. Only sample content may start with views or be dated
        back (``created_at``: when the sample was written, before any usage seeded for it)."""
        require(actor, Action.CREATE_CONTENT)
        if sample or initial_views or created_at is not None:
            require(actor, Action.MANAGE_SAMPLES)
        clean = validate_draft(draft)
        content_id = new_id()
        now = created_at or self._clock()
        assets = self._files.store(content_id, uploads, existing=0)
        item = ContentItem(
            id=content_id, title=clean.title, summary=clean.summary, body=clean.body,
            category=Category(clean.category), tags=clean.tags, author_id=str(actor.user_id),
            author_name=actor.name or str(actor.user_id), status=clean.status, created_at=now,
            updated_at=now, assets=tuple(assets), is_sample=sample, views=initial_views,
            published_at=first_published(None, clean.status, now),
        )
        try:
            self._repo.add(item)
        except Exception as exc:
            if self._files.after_failed_save(exc, content_id, assets, version=item.version) is None:
                raise
        self._record(actor, "content.create", content_id)
        changes.changed()
        if sample:
            self._thumbnails.prepare(item)  # loaded at start-up: the first visit finds them
        return item

    def update(
        self,
        content_id: str,
        draft: ContentDraft,
        expected_version: int,
        actor: Actor,
        *,
        new_uploads: Sequence[Upload] = (),
        remove_asset_ids: Iterable[str] = (),
    ) -> ContentItem:
        """Save an edit if nobody saved since ``expected_version``; else ConflictError."""
        current = self._repo.get(content_id)
        self._require_owner_or(actor, Action.EDIT_CONTENT, current, "content.update")
        clean = validate_draft(draft)
        if current.version != expected_version:
            raise ConflictError("errors.conflict")
        removing = set(remove_asset_ids)
        kept = [a for a in current.assets if a.id not in removing]
        added = self._files.store(content_id, new_uploads, existing=len(kept))
        now = self._clock()
        changed = replace(
            current, title=clean.title, summary=clean.summary, body=clean.body,
            category=Category(clean.category), tags=clean.tags, status=clean.status,
            updated_at=now, assets=tuple(kept + added),
            published_at=first_published(current.published_at, clean.status, now),
        )
        try:
            saved = self._repo.update(changed, expected_version)
        except Exception as exc:
            found = self._files.after_failed_save(exc, content_id, added, expected_version + 1)
            if found is None:
                raise
            saved = found
        self._files.discard([a for a in current.assets if a.id in removing])
        self._record(actor, "content.update", content_id)
        changes.changed()
        return saved

    def delete(self, content_id: str, actor: Actor, *, seen_version: int | None = None) -> None:
        """Delete the item as it was checked: ConflictError if it was saved since (an edit
        meanwhile, or its content given to another author), or since ``seen_version``, the
        version the person was shown when they asked."""
        item = self._repo.get(content_id)
        self._require_owner_or(actor, Action.DELETE_CONTENT, item, "content.delete")
        moved = ConflictError("content.err_changed_before_delete")
        if seen_version is not None and item.version != seen_version:
            raise moved
        try:
            self._repo.delete(content_id, item.version)
        except ConflictError as exc:
            raise moved from exc
        changes.changed()
        self._files.discard(item.assets)
        self._record(actor, "content.delete", content_id)

    def remove_samples(self, actor: Actor) -> int:
        """Remove every item marked as sample content, with its files and the sample usage
        events seeded for it (rollups rebuilt as if they had never been). Returns how many
        items. Events first: if that fails the items are still there to retry with."""
        require(actor, Action.MANAGE_SAMPLES)
        events = self._events.remove_samples() if self._events is not None else 0
        removed = 0
        for content_id in self._repo.sample_ids():
            item = self._delete_as_stored(content_id)
            if item is not None:
                changes.changed()
                self._files.discard(item.assets)
                removed += 1
        record_audit(self._audit, self._clock(), actor.user_id or ANONYMOUS_ACTOR,
                     "content.remove_samples", f"{removed} items", detail={"events": str(events)})
        return removed

    def find_orphans(self, actor: Actor) -> OrphanReport:
        """The dry run of the file cleanup: files no item references, and asset records whose
        file is missing. Admins only (any item's files); audited."""
        self._require_cleanup(actor, "content.orphans_scan")
        report = orphans.scan(self._repo, self._blobs, self._clock())
        self._record_orphans(actor, "content.orphans_scan", report)
        return report

    def remove_orphans(
        self, actor: Actor, confirmed: Collection[str] | None = None
    ) -> OrphanReport:
        """Delete the files no item references (rescanned now; only those in ``confirmed``
        when given). Missing files are reported, never changed. Admins only; audited."""
        self._require_cleanup(actor, "content.orphans_remove")
        report = orphans.remove(self._repo, self._blobs, self._clock(), confirmed)
        self._record_orphans(actor, "content.orphans_remove", report)
        return report

    def sample_count(self) -> int:
        return len(self._repo.sample_ids())

    def count(self) -> int:
        return self._repo.count()

    # ---- helpers -------------------------------------------------------------------------

    def _delete_as_stored(self, content_id: str) -> ContentItem | None:
        """Delete the item as last read, reading again while saves move it; None if gone.
        What it returns is what was deleted, so its files are exactly the ones to discard."""
        while True:
            try:
                item = self._repo.get(content_id)
                self._repo.delete(content_id, item.version)
            except NotFound:
                return None
            except ConflictError:
                continue
            return item

    def _may_list_unpublished(self, query: SearchQuery, actor: Actor) -> bool:
        if can(actor, Action.EDIT_ANY_CONTENT):
            return True
        own = query.author_id is not None and query.author_id == actor.user_id
        return own and can(actor, Action.CREATE_CONTENT)

    def _require_owner_or(
        self, actor: Actor, action: Action, item: ContentItem, audit_action: str
    ) -> None:
        try:
            require(actor, action, owner_id=item.author_id)
        except PermissionDenied:
            self._record(actor, audit_action, item.id, outcome="denied")
            raise

    def _require_cleanup(self, actor: Actor, audit_action: str) -> None:
        try:
            require(actor, Action.DELETE_ANY_CONTENT)
        except PermissionDenied:
            self._record(actor, audit_action, "files", outcome="denied")
            raise

    def _record_orphans(self, actor: Actor, action: str, report: OrphanReport) -> None:
        detail = {"orphans": str(len(report.orphans)), "missing": str(len(report.missing)),
                  "removed": str(len(report.removed)), "failed": str(len(report.failed))}
        record_audit(self._audit, self._clock(), actor.user_id or ANONYMOUS_ACTOR, action, "files",
                     "failed" if report.failed else "ok", detail)

    def _check_asset(self, item: ContentItem, asset: Asset, actor: Actor) -> None:
        visible = self.get(item.id, actor)
        if asset.id not in {a.id for a in visible.assets}:
            raise NotFound("errors.not_found")

    def _record(self, actor: Actor, action: str, target: str, outcome: str = "ok") -> None:
        who = actor.user_id or ANONYMOUS_ACTOR
        record_audit(self._audit, self._clock(), who, action, target, outcome)
