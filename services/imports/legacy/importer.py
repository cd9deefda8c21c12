"""Moving the previous platform's content, files, likes and analytics into this app's stores.

Re-runnable by construction: every imported item and event gets an id derived from its legacy
id (``stable_id``), so a second run finds the items it wrote (one read each, files not copied
again; a file's own id is new, so the orphan cleanup never takes one whose item is still on
its way), likes are set per person (idempotent), and events with known ids are ignored by
``EventStore.append``, which also keeps the rollups. An interrupted run is resumed by running
it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo

from services.batching import batches
from services.content.drafts import (
    ASSETS_MAX,
    BODY_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    tag_problem,
)
from services.content.media import check_upload
from services.domain.analytics import Event
from services.domain.models import (
    Asset,
    Category,
    ContentDraft,
    ContentItem,
    Status,
    new_id,
    utcnow,
)
from services.domain.permissions import Action, Actor, require
from services.domain.text import scrub_text
from services.domain.users import ANONYMOUS_ACTOR
from services.errors import ConflictError, DemoFactoryError, NotFound
from services.imports.event_lines import FUTURE_TOLERANCE
from services.imports.legacy.authors import People
from services.imports.legacy.mapping import (
    ContentLink,
    LegacyContent,
    LegacyFile,
    file_name_key,
    legacy_event,
    map_category,
    parse_content,
    rewrite_media_refs,
)
from services.imports.legacy.source import LegacySource
from services.imports.legacy.summary import LegacySummary
from services.ops.audit import record_audit
from services.ports import AuditLog, BlobStore, ContentRepository, EventStore, UserDirectory

EVENT_BATCH = 2000
OLDER_THAN_RETENTION = "older than DEMO_FACTORY_EVENT_RETENTION_DAYS (raise it to import them)"
IN_THE_FUTURE = "dated after now (check the source's clock and time zone)"
# (stage, done, total if known): "content" or "events"
Progress = Callable[[str, int, int | None], None]


def _no_progress(stage: str, done: int, total: int | None) -> None:
    return None


class LegacyImporter:
    def __init__(self, *, content: ContentRepository, blobs: BlobStore, users: UserDirectory,
                 events: EventStore, audit: AuditLog, max_upload_bytes: int, tz: tzinfo,
                 retention_days: int, clock: Callable[[], datetime] = utcnow) -> None:
        self._content = content
        self._blobs = blobs
        self._users = users
        self._events = events
        self._audit = audit
        self._max_upload_bytes = max_upload_bytes
        self._tz = tz
        self._retention = timedelta(days=retention_days)
        self._clock = clock

    def run(self, source: LegacySource, actor: Actor, *, dry_run: bool = False,
            with_content: bool = True, with_events: bool = True,
            progress: Progress = _no_progress,
            authors: Mapping[str, str] | None = None) -> LegacySummary:
        """``authors``: the operator's mapping, legacy author -> username (see
        ``authors.parse_author_map``); it wins over a verified email. ValidationError, before
        anything is written, when it names a user that does not exist."""
        require(actor, Action.IMPORT_DATA)
        summary = LegacySummary(dry_run=dry_run, source=source.describe())
        people = People(self._users.list(), authors)
        content_total, events_total = source.counts()
        links: dict[str, ContentLink] = {}
        for done, raw in enumerate(source.contents(), start=1):
            item = self._content_item(raw, summary, people, source, dry_run, with_content)
            if item is not None:
                links[item[0]] = item[1]
            progress("content", done, content_total)
        if with_events:
            self._import_events(source, links, summary, dry_run, events_total, progress)
        record_audit(self._audit, self._clock(), actor.user_id or ANONYMOUS_ACTOR, "legacy.import",
                     summary.source, "dry_run" if dry_run else "ok", summary.audit_detail())
        return summary

    # ---- content ---------------------------------------------------------------------------

    def _content_item(self, raw: dict[str, object], summary: LegacySummary, people: People,
                      source: LegacySource, dry_run: bool,
                      write: bool) -> tuple[str, ContentLink] | None:
        try:
            legacy = parse_content(raw, self._clock())
        except ValueError:
            summary.items_failed.append(("?", "no id"))
            return None
        summary.items_seen += 1
        match = map_category(legacy.category_raw)
        if match.how != "exact":
            summary.categories[f"{legacy.category_raw or '(none)'} → {match.category.value}"] += 1
        author_id, author_name = people.author(legacy.author, summary)
        link = ContentLink(legacy.new_id, match.category.value, author_id)
        if not write:
            return legacy.legacy_id, link
        if self._exists(legacy.new_id):
            summary.items_already += 1
        else:
            try:
                added = self._add(legacy, link, author_name, source, summary, dry_run)
            except DemoFactoryError as exc:
                summary.items_failed.append((legacy.legacy_id, exc.key))
                return legacy.legacy_id, link
            summary.items_imported += added
            summary.items_already += not added
        self._likes(legacy, people, summary, dry_run)
        return legacy.legacy_id, link

    def _exists(self, content_id: str) -> bool:
        try:
            self._content.get(content_id)
        except NotFound:
            return False
        return True

    def _add(self, legacy: LegacyContent, link: ContentLink, author_name: str,
             source: LegacySource, summary: LegacySummary, dry_run: bool) -> bool:
        """Whether the item was added (or, in a dry run, would be)."""
        assets = self._copy_files(legacy, source, summary, dry_run)
        names = {file_name_key(name): asset.id for name, asset in assets}
        names |= {file_name_key(asset.filename): asset.id for _, asset in assets}
        body, missing = rewrite_media_refs(legacy.body, names)
        summary.refs_missing.extend((legacy.legacy_id, name) for name in missing)
        draft, trimmed = fit_draft(legacy, body, link.category)
        for what in trimmed:
            summary.trimmed.append((legacy.legacy_id, what))
        item = ContentItem(
            id=link.content_id, title=draft.title, summary=draft.summary, body=draft.body,
            category=Category(draft.category), tags=draft.tags,
            author_id=link.author_id, author_name=author_name, status=Status.PUBLISHED,
            created_at=legacy.created_at, updated_at=legacy.updated_at, views=legacy.views,
            assets=tuple(asset for _, asset in assets),
        )
        if dry_run:
            return True
        try:
            self._content.add(item)
        except ConflictError:  # another run got there first: same id, same item
            return False
        return True

    def _copy_files(self, legacy: LegacyContent, source: LegacySource, summary: LegacySummary,
                    dry_run: bool) -> list[tuple[str, Asset]]:
        copied: list[tuple[str, Asset]] = []
        for file in legacy.files:
            if len(copied) >= ASSETS_MAX:
                summary.files_rejected.append((legacy.legacy_id, file.name, "too many files"))
                continue
            asset = self._copy_file(legacy, file, source, summary, dry_run)
            if asset is not None:
                copied.append((file.name, asset))
        return copied

    def _copy_file(self, legacy: LegacyContent, file: LegacyFile, source: LegacySource,
                   summary: LegacySummary, dry_run: bool) -> Asset | None:
        data = source.file(file.s3_key)
        if data is None:
            summary.files_missing.append((legacy.legacy_id, file.s3_key or file.name))
            return None
        try:
            name, media = check_upload(file.name, data, self._max_upload_bytes)
        except DemoFactoryError as exc:
            summary.files_rejected.append((legacy.legacy_id, file.name, exc.key))
            return None
        # A new id, not one derived from the legacy item: the orphan cleanup judges a file's
        # age by its ids, and a file whose item is not added yet must look new to it. A run
        # cut off between a file and its item leaves that file to the cleanup.
        asset_id = new_id()
        key = f"content/{legacy.new_id}/{asset_id}/{name}"
        if not dry_run:
            self._blobs.put(key, data, media.mime)
        summary.files_imported += 1
        return Asset(id=asset_id, content_id=legacy.new_id, kind=media.kind, filename=name,
                     media_type=media.mime, size=len(data), storage_key=key,
                     created_at=legacy.created_at)

    def _likes(self, legacy: LegacyContent, people: People, summary: LegacySummary,
               dry_run: bool) -> None:
        persons = {people.person(entry) for entry in legacy.liked_by}
        summary.likes_duplicate += len(legacy.liked_by) - len(persons)
        for person in sorted(persons):
            if dry_run or self._content.add_like(legacy.new_id, person):
                summary.likes_added += 1

    # ---- events ----------------------------------------------------------------------------

    def _import_events(self, source: LegacySource, links: dict[str, ContentLink],
                       summary: LegacySummary, dry_run: bool, total: int | None,
                       progress: Progress) -> None:
        done = 0
        for batch in batches(self._mapped_events(source, links, summary), EVENT_BATCH):
            new = len(batch) if dry_run else len(self._events.append(batch))
            summary.events_imported += new
            summary.events_already += len(batch) - new
            done += len(batch)
            progress("events", done, total)

    def _mapped_events(self, source: LegacySource, links: dict[str, ContentLink],
                       summary: LegacySummary) -> Iterator[Event]:
        # As for event files (services/imports/events.py): an event older than the raw-event
        # retention would lose its raw copy, and a later re-run could not tell that it was
        # already counted in the rollups.
        now = self._clock()
        not_before, not_after = now - self._retention, now + FUTURE_TOLERANCE
        for raw in source.analytics():
            summary.events_seen += 1
            mapped = legacy_event(raw, self._tz, links)
            if mapped.unknown_purpose:
                summary.purposes_unknown[mapped.unknown_purpose] += 1
            if mapped.event is None:
                summary.events_skipped[mapped.problem] += 1
            elif mapped.event.ts < not_before:
                summary.events_skipped[OLDER_THAN_RETENTION] += 1
            elif mapped.event.ts > not_after:  # no dashboard shows it; counters would move
                summary.events_skipped[IN_THE_FUTURE] += 1
            else:
                yield mapped.event


def fit_draft(legacy: LegacyContent, body: str,
              category: str) -> tuple[ContentDraft, list[str]]:
    """The item's text within this app's limits; which fields had to be shortened."""
    trimmed: list[str] = []

    def fit(what: str, text: str, limit: int) -> str:
        text = scrub_text(text)  # NFC, an unreadable character shown as U+FFFD
        if len(text) > limit:
            trimmed.append(what)
            return text[:limit]
        return text

    tags: list[str] = []
    for tag in legacy.tags:
        tag = fit("tag", tag.lstrip("#").strip(), TAG_MAX)
        if tag_problem(tag):  # markup or line breaks: dropped, listed in the summary
            trimmed.append("tag")
            continue
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        trimmed.append("tags")
    draft = ContentDraft(title=fit("title", legacy.title, TITLE_MAX),
                         summary=fit("summary", legacy.summary, SUMMARY_MAX),
                         body=fit("body", body, BODY_MAX),
                         category=category,
                         tags=tuple(tags[:TAGS_MAX]), status=Status.PUBLISHED)
    return draft, trimmed
