"""The file cleanup: files no item references are found (dry run), removed on request, and
nothing an item still uses is ever touched; missing files are reported only."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.bootstrap import Services
from services.content.samples import banner_png, load_catalog
from services.content.service import ContentService
from services.domain.models import (
    ContentDraft,
    ContentItem,
    Page,
    SearchQuery,
    Status,
    Upload,
    stable_id,
    utcnow,
)
from services.domain.permissions import Actor
from services.errors import PermissionDenied, ServiceUnavailable
from services.resource_names import AUDIT_SPOOL_PREFIX

PNG = banner_png("데모", load_catalog()[0].category, 200, 100)
DRAFT = ContentDraft(title="파일이 있는 글", summary="", body="", category="Generative AI",
                     tags=(), status=Status.PUBLISHED)
OLD = datetime(2024, 1, 2, 3, 4, 5).astimezone()


def later(services: Services, hours: float = 2, **ports: Any) -> ContentService:
    """The content service over the same stores, its clock ``hours`` ahead (past the grace)."""
    return ContentService(ports.get("repo", services.ports.content),
                          ports.get("blobs", services.ports.blobs), services.ports.audit,
                          max_upload_bytes=2**20,
                          clock=lambda: utcnow() + timedelta(hours=hours))


def old_key(name: str) -> str:
    return f"content/{stable_id(OLD, name + 'item')}/{stable_id(OLD, name)}/{name}"


class FailingDeletes:
    """A blob store whose deletes fail (S3 down at the wrong moment)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def delete(self, key: str) -> None:
        raise ServiceUnavailable("errors.service_unavailable")


def test_a_file_whose_delete_failed_is_found_then_removed(
    services: Services, author: Actor, admin: Actor
) -> None:
    kept = services.content.create(DRAFT, [Upload("kept.png", PNG)], author)
    gone = services.content.create(DRAFT, [Upload("gone.png", PNG)], author)
    later(services, blobs=FailingDeletes(services.ports.blobs)).delete(gone.id, author)
    leftover = gone.assets[0].storage_key
    assert services.ports.blobs.exists(leftover)  # the user saw no error; the file stayed

    dry = later(services).find_orphans(admin)

    assert dry.orphans == (leftover,) and dry.missing == () and dry.removed == ()
    assert services.ports.blobs.exists(leftover)  # a dry run removes nothing

    done = later(services).remove_orphans(admin)

    assert done.removed == (leftover,) and done.failed == () and done.orphans == ()
    assert not services.ports.blobs.exists(leftover)
    assert services.ports.blobs.get(kept.assets[0].storage_key) == PNG
    assert later(services).find_orphans(admin).clean
    actions = [(e.action, e.detail.get("removed")) for e in services.ports.audit.entries()]
    assert ("content.orphans_remove", "1") in actions and ("content.orphans_scan", "0") in actions


def test_a_fresh_unreferenced_file_may_be_a_save_in_flight_and_is_kept(
    services: Services, admin: Actor
) -> None:
    services.ports.blobs.put(old_key("stray.png"), PNG, "image/png")
    services.content.create(DRAFT, [], admin)  # an unrelated item
    fresh = f"content/{stable_id(utcnow(), 'x')}/{stable_id(utcnow(), 'y')}/new.png"
    services.ports.blobs.put(fresh, PNG, "image/png")

    report = services.content.remove_orphans(admin)

    assert report.removed == (old_key("stray.png"),) and report.too_recent == 1
    assert services.ports.blobs.exists(fresh)


def test_missing_files_are_reported_and_nothing_is_changed(
    services: Services, author: Actor, admin: Actor
) -> None:
    item = services.content.create(DRAFT, [Upload("a.png", PNG), Upload("b.png", PNG)], author)
    services.ports.blobs.delete(item.assets[1].storage_key)

    report = later(services).remove_orphans(admin)

    [missing] = report.missing
    assert (missing.content_id, missing.filename) == (item.id, "b.png")
    assert report.removed == ()
    assert len(services.content.get(item.id, admin).assets) == 2


def test_files_the_app_did_not_make_are_counted_never_removed(
    services: Services, admin: Actor
) -> None:
    for key in ("notes.txt", "content/readme.md", "content/a/b/c.png", "backup/x/y/z.png"):
        services.ports.blobs.put(key, b"kept", "text/plain")

    report = later(services).remove_orphans(admin)

    assert (report.orphans, report.removed, report.foreign) == ((), (), 4)
    assert len(list(services.ports.blobs.list_keys())) == 4


def test_only_the_confirmed_orphans_are_removed(services: Services, admin: Actor) -> None:
    for name in ("one.png", "two.png"):
        services.ports.blobs.put(old_key(name), PNG, "image/png")

    report = services.content.remove_orphans(admin, confirmed=[old_key("one.png")])

    assert report.removed == (old_key("one.png"),)
    assert report.orphans == (old_key("two.png"),)  # what is left
    assert services.ports.blobs.exists(old_key("two.png"))


def test_an_item_the_listing_skipped_keeps_its_files(
    services: Services, author: Actor, admin: Actor
) -> None:
    """Offset paging can skip an item when another is deleted meanwhile; its files stay."""
    item = services.content.create(DRAFT, [Upload("a.png", PNG)], author)
    repo = services.ports.content

    class SkippingRepo:
        def __getattr__(self, name: str) -> Any:
            return getattr(repo, name)

        def search(self, query: SearchQuery) -> Page[ContentItem]:
            found = repo.search(query)
            return replace(found, items=[i for i in found.items if i.id != item.id])

    report = later(services, repo=SkippingRepo()).remove_orphans(admin)

    assert report.removed == () and report.orphans == ()
    assert services.ports.blobs.exists(item.assets[0].storage_key)


def test_a_delete_that_fails_during_cleanup_is_reported(services: Services, admin: Actor) -> None:
    services.ports.blobs.put(old_key("stuck.png"), PNG, "image/png")

    report = later(services, blobs=FailingDeletes(services.ports.blobs)).remove_orphans(admin)

    assert report.failed == (old_key("stuck.png"),) and report.removed == ()
    assert report.orphans == (old_key("stuck.png"),)  # left, and offered again
    [entry] = services.ports.audit.entries(action="content.orphans_remove")
    assert entry.outcome == "failed"


@pytest.mark.parametrize("who", ["author", "viewer"])
def test_only_admins_may_look_for_or_remove_orphans(
    services: Services, who: str, request: pytest.FixtureRequest
) -> None:
    actor: Actor = request.getfixturevalue(who)
    services.ports.blobs.put(old_key("stray.png"), PNG, "image/png")

    with pytest.raises(PermissionDenied):
        services.content.find_orphans(actor)
    with pytest.raises(PermissionDenied):
        services.content.remove_orphans(actor)

    assert services.ports.blobs.exists(old_key("stray.png"))
    outcomes = {e.outcome for e in services.ports.audit.entries()}
    assert outcomes == {"denied"}


def test_audit_entries_waiting_in_the_bucket_are_no_files_of_the_cleanup(
    services: Services, admin: Actor
) -> None:
    """aws mode keeps audit entries the audit table refused under ``audit-spool/``: neither
    removed nor counted as someone else's files."""
    key = f"{AUDIT_SPOOL_PREFIX}20260301T090000000000Z-{old_key('x').split('/')[1]}.json"
    services.ports.blobs.put(key, b"{}", "application/json")

    report = later(services).remove_orphans(admin)

    assert (report.orphans, report.removed, report.foreign) == ((), (), 0)
    assert list(services.ports.blobs.list_keys()) == [key]
