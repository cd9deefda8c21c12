"""Content use cases over real SQLite and a real folder: rules, authorization, nothing lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageDraw

from services.bootstrap import Services, build_services
from services.content.drafts import ASSETS_MAX
from services.content.samples import (
    FIRST_LOAD,
    SampleContent,
    banner_png,
    guide_pdf,
    load_catalog,
    sample_uploads,
)
from services.content.service import ContentService
from services.domain.models import (
    Category,
    ContentDraft,
    SearchQuery,
    Sort,
    Status,
    Upload,
    utcnow,
)
from services.domain.permissions import Actor
from services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from services.i18n import translate
from services.settings import Settings

SPEC = load_catalog()[0]
PNG = banner_png("데모", SPEC.category, 200, 100)
PDF = guide_pdf(SPEC)


def draft(title: str = "생성형AI를 활용한 데모", **changes: object) -> ContentDraft:
    base = ContentDraft(
        title=title,
        summary="요약",
        body="# 본문\n\n생성형AI를 써 봅니다.",
        category="Generative AI",
        tags=("Bedrock", "RAG"),
        status=Status.PUBLISHED,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def stored_files(settings: Settings) -> list[Path]:
    root = settings.files_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_author_publishes_with_files_and_anyone_finds_it(
    services: Services, settings: Settings, author: Actor
) -> None:
    item = services.content.create(draft(), [Upload("화면.png", PNG), Upload("g.pdf", PDF)], author)
    assert [a.media_type for a in item.assets] == ["image/png", "application/pdf"]
    assert len(stored_files(settings)) == 2
    found = services.content.browse(SearchQuery(text="생성형"), Actor.anonymous())
    assert [i.id for i in found.items] == [item.id]
    got = services.content.get(item.id, Actor.anonymous())
    assert services.content.asset_bytes(got, got.assets[0], Actor.anonymous()) == PNG


@pytest.mark.parametrize(
    ("bad", "key"),
    [
        (draft(title="   "), "content.err_title_empty"),
        (draft(title="x" * 201), "content.err_title_long"),
        (draft(category="Gardening"), "content.err_category"),
        (draft(tags=tuple(f"t{i}" for i in range(11))), "content.err_too_many_tags"),
    ],
)
def test_invalid_drafts_store_nothing(
    services: Services, settings: Settings, author: Actor, bad: ContentDraft, key: str
) -> None:
    with pytest.raises(ValidationError) as err:
        services.content.create(bad, [Upload("a.png", PNG)], author)
    assert err.value.key == key
    assert services.content.count() == 0 and stored_files(settings) == []


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (Upload("../../evil.png", PNG), ValidationError),
        (Upload("fake.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"), ValidationError),
        (Upload("slides.png", PDF), ValidationError),
        (Upload("huge.png", PNG + b"\x00" * (2 * 2**20)), QuotaExceeded),
    ],
)
def test_one_bad_file_stores_nothing_at_all(
    services: Services, settings: Settings, author: Actor, upload: Upload, error: type
) -> None:
    with pytest.raises(error) as refused:
        services.content.create(draft(), [Upload("good.png", PNG), upload], author)
    assert services.content.count() == 0 and stored_files(settings) == []
    # The editor shows it under the uploader, where the file was chosen, not by the button.
    assert refused.value.params["field"] == "files"


def test_every_bad_file_is_named_in_one_refusal(
    services: Services, settings: Settings, author: Actor
) -> None:
    """Checking goes on past the first bad file: an author fixes them all in one go."""
    uploads = [Upload("fake.png", b"MZ" + b"\x00" * 22), Upload("good.png", PNG),
               Upload("huge.png", PNG + b"\x00" * (2 * 2**20)), Upload("slides.png", PDF)]
    with pytest.raises(ValidationError) as refused:
        services.content.create(draft(), uploads, author)

    assert refused.value.params["field"] == "files"
    assert [(r.key, r.params["name"]) for r in refused.value.refusals] == [
        ("content.err_file_type", "fake.png"), ("content.err_file_too_large", "huge.png"),
        ("content.err_file_mismatch", "slides.png")]
    for language in ("ko", "en"):
        assert "3" in translate(language, refused.value.key, **refused.value.params)
    assert services.content.count() == 0 and stored_files(settings) == []


def test_too_many_files_are_refused_under_the_uploader(
    services: Services, settings: Settings, author: Actor
) -> None:
    uploads = [Upload(f"p{i}.png", PNG) for i in range(ASSETS_MAX + 1)]
    with pytest.raises(ValidationError) as refused:
        services.content.create(draft(), uploads, author)
    assert refused.value.key == "content.err_too_many_files"
    assert refused.value.params["field"] == "files"
    assert services.content.count() == 0 and stored_files(settings) == []


def test_failed_save_removes_the_files_already_stored(
    services: Services, settings: Settings, author: Actor
) -> None:
    class BrokenRepo:
        def __getattr__(self, name: str) -> object:
            return getattr(services.ports.content, name)

        def add(self, item: object) -> None:
            raise ServiceUnavailable()

    broken = ContentService(
        BrokenRepo(),
        services.ports.blobs,
        services.ports.audit,  # type: ignore[arg-type]
        max_upload_bytes=2**20,
    )
    with pytest.raises(ServiceUnavailable):
        broken.create(draft(), [Upload("a.png", PNG)], author)
    assert stored_files(settings) == []


def test_markdown_body_is_kept_verbatim_and_rendered_safely(
    services: Services, author: Actor
) -> None:
    body = "<script>alert(1)</script>"
    item = services.content.create(draft(body=body), [], author)
    assert services.content.get(item.id, author).body == body


def test_optimistic_locking_refuses_the_second_save(services: Services, author: Actor) -> None:
    item = services.content.create(draft(), [], author)
    first = services.content.update(item.id, draft(title="첫 번째"), item.version, author)
    assert first.version == item.version + 1
    with pytest.raises(ConflictError):
        services.content.update(item.id, draft(title="두 번째"), item.version, author)
    assert services.content.get(item.id, author).title == "첫 번째"


def test_authors_edit_only_their_own_and_admins_any(
    services: Services, author: Actor, other_author: Actor, admin: Actor, viewer: Actor
) -> None:
    item = services.content.create(draft(), [], author)
    with pytest.raises(PermissionDenied):
        services.content.update(item.id, draft(title="hijack"), item.version, other_author)
    with pytest.raises(PermissionDenied):
        services.content.delete(item.id, other_author)
    with pytest.raises(PermissionDenied):
        services.content.create(draft(), [], viewer)
    edited = services.content.update(item.id, draft(title="관리자 수정"), item.version, admin)
    assert edited.title == "관리자 수정" and edited.author_id == author.user_id
    denied = services.ports.audit.entries(action="content.update")
    assert [e.outcome for e in denied] == ["ok", "denied"]


def test_edit_replaces_and_removes_files(
    services: Services, settings: Settings, author: Actor
) -> None:
    item = services.content.create(draft(), [Upload("a.png", PNG)], author)
    saved = services.content.update(
        item.id,
        draft(),
        item.version,
        author,
        new_uploads=[Upload("b.pdf", PDF)],
        remove_asset_ids=[item.assets[0].id],
    )
    assert [a.filename for a in saved.assets] == ["b.pdf"]
    assert [p.name for p in stored_files(settings)] == ["b.pdf"]


def test_delete_removes_the_files_too(
    services: Services, settings: Settings, author: Actor
) -> None:
    item = services.content.create(draft(), [Upload("a.png", PNG)], author)
    services.content.delete(item.id, author)
    with pytest.raises(NotFound):
        services.content.get(item.id, author)
    assert stored_files(settings) == []


def test_an_edit_saved_while_a_delete_runs_is_kept_with_its_files(
    services: Services, settings: Settings, author: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delete checked version 1; an edit adding a file lands before its write. Deleting
    anyway would lose the edit and leave its new file to the orphan cleanup."""
    item = services.content.create(draft(), [Upload("a.png", PNG)], author)
    repo = services.ports.content
    delete = repo.delete

    def edit_first(content_id: str, expected_version: int) -> None:
        services.content.update(item.id, draft(title="edited"), 1, author,
                                new_uploads=[Upload("b.pdf", PDF)])
        delete(content_id, expected_version)

    monkeypatch.setattr(repo, "delete", edit_first)
    with pytest.raises(ConflictError) as refused:
        services.content.delete(item.id, author)

    assert refused.value.key == "content.err_changed_before_delete"
    kept = services.content.get(item.id, author)
    assert (kept.title, [a.filename for a in kept.assets]) == ("edited", ["a.png", "b.pdf"])
    assert sorted(p.name for p in stored_files(settings)) == ["a.png", "b.pdf"]


def test_a_delete_confirmed_on_an_older_version_deletes_nothing(
    services: Services, author: Actor, admin: Actor
) -> None:
    """The confirmation showed version 1; an administrator's edit made version 2 meanwhile."""
    item = services.content.create(draft(), [], author)
    services.content.update(item.id, draft(title="fixed by admin"), 1, admin)

    with pytest.raises(ConflictError):
        services.content.delete(item.id, author, seen_version=1)

    assert services.content.get(item.id, author).title == "fixed by admin"
    services.content.delete(item.id, author, seen_version=2)
    with pytest.raises(NotFound):
        services.content.get(item.id, author)


def test_drafts_are_private_to_their_author_and_admins(
    services: Services, author: Actor, other_author: Actor, admin: Actor
) -> None:
    item = services.content.create(draft(status=Status.DRAFT), [], author)
    assert services.content.get(item.id, author).status == Status.DRAFT
    assert services.content.get(item.id, admin).id == item.id
    for outsider in (other_author, Actor.anonymous()):
        with pytest.raises(NotFound):
            services.content.get(item.id, outsider)
    assert services.content.browse(SearchQuery(text="생성형"), Actor.anonymous()).total == 0
    with pytest.raises(PermissionDenied):
        services.content.browse(SearchQuery(status=None, author_id="alice"), other_author)
    mine = services.content.my_content(author)
    assert [i.id for i in mine.items] == [item.id]


def test_likes_count_once_and_anonymous_cannot_like(
    services: Services, author: Actor, viewer: Actor
) -> None:
    item = services.content.create(draft(), [], author)
    assert services.content.set_like(item.id, viewer, True) is True
    assert services.content.set_like(item.id, viewer, True) is False
    assert services.content.get(item.id, viewer).likes == 1
    assert services.content.has_liked(item.id, viewer)
    with pytest.raises(PermissionDenied):
        services.content.set_like(item.id, Actor.anonymous(), True)
    assert services.content.set_like(item.id, viewer, False) is True
    assert services.content.get(item.id, viewer).likes == 0


def test_views_are_counted_once_per_visit(services: Services, author: Actor) -> None:
    item = services.content.create(draft(), [], author)
    assert services.content.record_view(item.id, Actor.anonymous(), "visit-1") == 1
    assert services.content.record_view(item.id, Actor.anonymous(), "visit-1") is None  # reload
    assert services.content.record_view(item.id, Actor.anonymous(), "visit-2") == 2
    draft_item = services.content.create(draft(status=Status.DRAFT), [], author)
    with pytest.raises(NotFound):  # a draft is not there for others: no view to count
        services.content.record_view(draft_item.id, Actor.anonymous(), "visit-3")


def test_previews_of_a_draft_count_no_view(
    services: Services, author: Actor, admin: Actor
) -> None:
    item = services.content.create(draft(status=Status.DRAFT), [], author)
    assert services.content.record_view(item.id, author, "visit-1") is None
    assert services.content.record_view(item.id, admin, "visit-2") is None
    assert services.content.get(item.id, author).views == 0
    # The preview did not use up the visit's view: once published, its first look counts.
    published = services.content.update(item.id, draft(), item.version, author)
    assert services.content.record_view(published.id, author, "visit-1") == 1


def test_the_visit_ledger_forgets_the_oldest_visits_first() -> None:
    from services.content.visits import VisitLedger

    ledger = VisitLedger(max_visits=2)
    assert ledger.first_view("a", "x") and ledger.first_view("b", "x")
    assert not ledger.first_view("a", "x")  # "a" is now the most recent visit
    assert ledger.first_view("c", "x")  # over the bound: "b" is forgotten, not "a"
    assert not ledger.first_view("a", "x") and ledger.first_view("b", "x")


def test_samples_load_once_and_an_admin_removes_them_in_one_action(
    tmp_path: Path, author: Actor, admin: Actor
) -> None:

    settings = Settings(data_dir=tmp_path / "s", sample_content=True)
    services = build_services(settings)
    added = services.samples.ensure()
    catalog = load_catalog()
    assert added == len(catalog) >= 40
    assert {i.category for i in catalog} == {
        c for c in services.content.filter_options().categories
    }
    kinds = {
        a.kind
        for item in services.content.browse(SearchQuery(page_size=100), Actor.anonymous()).items
        for a in item.assets
    }
    assert {"image", "document", "audio"} <= {str(k) for k in kinds}
    own = services.content.create(draft(), [], author)
    with pytest.raises(PermissionDenied):
        services.content.remove_samples(author)
    assert services.content.remove_samples(admin) == len(catalog)
    assert services.content.count() == 1 and services.content.get(own.id, author)
    assert [p for p in settings.files_dir.rglob("*") if p.is_file()] == []
    # A restart does not bring removed samples back.
    services.content.delete(own.id, author)
    assert services.samples.ensure() == 0


def test_two_servers_starting_at_once_load_the_samples_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both find the store empty before either writes (the deployment starts two at once):
    one loads the catalogue, the other leaves it."""
    settings = Settings(data_dir=tmp_path / "s", sample_content=True)
    servers = [build_services(settings) for _ in range(2)]
    both_counted = threading.Barrier(2, timeout=30)
    for server in servers:
        count = server.content.count

        def counted_together(count: Any = count) -> int:
            found = count()
            both_counted.wait()
            return int(found)

        monkeypatch.setattr(server.content, "count", counted_together)

    with ThreadPoolExecutor(2) as pool:
        added = list(pool.map(lambda server: server.samples.ensure(), servers))

    assert sorted(added) == [0, len(load_catalog())]
    assert servers[0].content.sample_count() == len(load_catalog())


def test_a_first_load_claim_whose_server_died_lapses(tmp_path: Path) -> None:
    """A server took the claim and died before loading: a start minutes later leaves the
    samples to it (it may still be loading); a start after the claim lapsed loads them."""
    settings = Settings(data_dir=tmp_path / "s", sample_content=True)
    services = build_services(settings)
    died_at = utcnow()
    assert services.ports.inquiries.take_slot(FIRST_LOAD, died_at) is None

    def start_at(at: datetime) -> int:
        return SampleContent(services.content, services.ports.audit, services.ports.inquiries,
                             clock=lambda: at).ensure()

    for minutes in range(15):  # whatever the claim's place in its windows
        assert start_at(died_at + timedelta(minutes=minutes, seconds=59)) == 0
    assert services.content.count() == 0
    assert start_at(died_at + timedelta(minutes=61)) == len(load_catalog())
    assert start_at(died_at + timedelta(minutes=130)) == 0  # loaded: never again


def test_samples_were_written_over_the_past_months_and_nobody_has_seen_them_yet(
    tmp_path: Path, author: Actor
) -> None:
    """Counters follow events only: samples start with no views or likes (the dashboards have
    no events of them), and are dated in the past, oldest first, so that seeded usage of the
    last 90 days can be about them without any view before an item existed."""
    services = build_services(Settings(data_dir=tmp_path / "s", sample_content=True))
    services.samples.ensure()
    items = services.content.browse(SearchQuery(page_size=100, sort=Sort.OLDEST),
                                    Actor.anonymous()).items
    now = utcnow()
    assert items and all(item.views == 0 and item.likes == 0 for item in items)
    assert items[0].title == load_catalog()[0].title
    assert now - items[0].created_at > timedelta(days=90)
    assert timedelta(days=1) < now - items[-1].created_at < timedelta(days=14)
    assert all(item.updated_at == item.created_at for item in items)
    with pytest.raises(PermissionDenied):  # only samples may be dated back
        services.content.create(draft(), [], author, created_at=now - timedelta(days=3))


@pytest.mark.parametrize(("lang", "caption"), [("ko", "기타"), ("en", "Other")])
def test_a_sample_cover_names_its_category_in_the_items_language(
    lang: str, caption: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The card picture said "ETC" (the stored value) where the pages say "기타"."""
    drawn: list[str] = []
    draw_text = ImageDraw.ImageDraw.text

    def recorded(self: ImageDraw.ImageDraw, xy: Any, text: Any, *args: Any, **kw: Any) -> None:
        drawn.append(str(text))
        draw_text(self, xy, text, *args, **kw)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", recorded)
    spec = next(s for s in load_catalog() if s.lang == lang and s.category is Category.ETC)

    sample_uploads(5, spec)

    assert drawn[0] == caption
