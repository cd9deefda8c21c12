"""ContentRepository contract: every adapter registered in conftest must pass all of these.

Only the ``content_repo`` fixture is used, so nothing here depends on a backend.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from services.domain.models import (
    Asset,
    AssetKind,
    Category,
    ContentItem,
    SearchQuery,
    Sort,
    Status,
    new_id,
)
from services.errors import ConflictError, NotFound

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
KST = timezone(timedelta(hours=9))


def make_item(content_id: str | None = None, **fields: Any) -> ContentItem:
    values: dict[str, Any] = {
        "id": content_id or new_id(),
        "title": "A demo",
        "summary": "What it shows",
        "body": "# Steps\n\nDo this.",
        "category": Category.ETC,
        "tags": (),
        "author_id": "author-1",
        "author_name": "Author One",
        "status": Status.PUBLISHED,
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(fields)
    return ContentItem(**values)


def make_asset(content_id: str, name: str, kind: AssetKind = AssetKind.IMAGE) -> Asset:
    return Asset(
        id=new_id(),
        content_id=content_id,
        kind=kind,
        filename=name,
        media_type="image/png" if kind is AssetKind.IMAGE else "application/pdf",
        size=1234,
        storage_key=f"content/{content_id}/{name}",
        created_at=T0,
    )


def ids(page_items: list[ContentItem]) -> list[str]:
    return [item.id for item in page_items]


# --- add / get -----------------------------------------------------------------------------


def test_add_then_get_round_trips_every_field(content_repo: Any) -> None:
    content_id = new_id()
    item = make_item(
        content_id,
        title="Bedrock 에이전트",
        summary="요약 summary",
        body="본문 **markdown**",
        category=Category.GENERATIVE_AI,
        tags=("생성형AI", "bedrock", "agents"),  # order is the author's, not sorted
        author_id="kim",
        author_name="김민준",
        status=Status.DRAFT,
        created_at=datetime(2025, 3, 1, 18, 30, 15, 123456, tzinfo=KST),
        updated_at=datetime(2025, 3, 2, 1, 2, 3, 456, tzinfo=UTC),
        published_at=datetime(2025, 3, 1, 19, 0, 0, 789, tzinfo=KST),  # unpublished since
        assets=(
            make_asset(content_id, "diagram.png"),
            make_asset(content_id, "guide.pdf", AssetKind.DOCUMENT),
        ),
        is_sample=True,
    )
    content_repo.add(item)

    stored = content_repo.get(content_id)

    assert stored == item
    assert stored.published_at == datetime(2025, 3, 1, 10, 0, 0, 789, tzinfo=UTC)
    assert stored.tags == ("생성형AI", "bedrock", "agents")
    assert [a.filename for a in stored.assets] == ["diagram.png", "guide.pdf"]
    assert isinstance(stored.category, Category) and isinstance(stored.status, Status)
    assert isinstance(stored.assets[1].kind, AssetKind)


def test_datetimes_come_back_aware_and_in_utc(content_repo: Any) -> None:
    item = make_item(created_at=datetime(2025, 3, 1, 18, 0, tzinfo=KST))
    content_repo.add(item)

    stored = content_repo.get(item.id)

    assert stored.created_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    for value in (stored.created_at, stored.updated_at):
        assert value.utcoffset() == timedelta(0)


def test_add_with_an_existing_id_conflicts_and_keeps_the_first(content_repo: Any) -> None:
    first = make_item(title="first")
    content_repo.add(first)

    with pytest.raises(ConflictError):
        content_repo.add(dataclasses.replace(first, title="second"))

    assert content_repo.get(first.id).title == "first"
    assert content_repo.count() == 1


def test_get_missing_is_not_found(content_repo: Any) -> None:
    with pytest.raises(NotFound):
        content_repo.get("no-such-id")


# --- update --------------------------------------------------------------------------------


def test_update_with_the_current_version_replaces_and_keeps_counters(content_repo: Any) -> None:
    item = make_item(tags=("old",))
    item = dataclasses.replace(item, assets=(make_asset(item.id, "old.png"),))
    content_repo.add(item)
    content_repo.increment_views(item.id)
    content_repo.increment_views(item.id)
    content_repo.add_like(item.id, "fan")
    new_asset = make_asset(item.id, "new.pdf", AssetKind.DOCUMENT)
    edited = dataclasses.replace(
        item,
        title="new title",
        tags=("new", "tags"),
        assets=(new_asset,),
        updated_at=T0 + timedelta(hours=1),
        views=999,
        likes=999,
    )

    returned = content_repo.update(edited, expected_version=1)

    assert returned.version == 2
    assert (returned.views, returned.likes) == (2, 1)
    assert returned.title == "new title" and returned.tags == ("new", "tags")
    assert returned.assets == (new_asset,)
    assert returned.updated_at == T0 + timedelta(hours=1)
    assert content_repo.get(item.id) == returned


def test_update_with_a_stale_version_conflicts_and_changes_nothing(content_repo: Any) -> None:
    item = make_item(title="original")
    content_repo.add(item)
    content_repo.update(dataclasses.replace(item, title="first edit"), expected_version=1)

    with pytest.raises(ConflictError):
        content_repo.update(dataclasses.replace(item, title="lost edit"), expected_version=1)

    stored = content_repo.get(item.id)
    assert (stored.title, stored.version) == ("first edit", 2)


def test_update_of_a_deleted_item_is_not_found(content_repo: Any) -> None:
    item = make_item()
    content_repo.add(item)
    content_repo.delete(item.id, 1)

    with pytest.raises(NotFound):
        content_repo.update(item, expected_version=1)


# --- delete --------------------------------------------------------------------------------


def test_delete_removes_the_item_its_likes_and_its_asset_records(content_repo: Any) -> None:
    item = make_item(title="doomed")
    item = dataclasses.replace(item, assets=(make_asset(item.id, "a.png"),))
    content_repo.add(item)
    content_repo.add_like(item.id, "fan")

    content_repo.delete(item.id, 1)

    with pytest.raises(NotFound):
        content_repo.get(item.id)
    assert content_repo.count() == 0
    assert content_repo.search(SearchQuery(text="doomed", status=None)).total == 0
    assert not content_repo.has_liked(item.id, "fan")
    # A new item under the same id inherits nothing from the old one.
    content_repo.add(make_item(item.id))
    reborn = content_repo.get(item.id)
    assert (reborn.assets, reborn.likes) == ((), 0)
    assert not content_repo.has_liked(item.id, "fan")


def test_delete_missing_is_not_found(content_repo: Any) -> None:
    with pytest.raises(NotFound):
        content_repo.delete("no-such-id", 1)


def test_delete_of_an_item_saved_since_it_was_read_is_a_conflict(content_repo: Any) -> None:
    item = dataclasses.replace(make_item(title="read"), assets=())
    content_repo.add(item)
    edited = dataclasses.replace(item, assets=(make_asset(item.id, "new.png"),), title="edited")
    content_repo.update(edited, expected_version=1)

    with pytest.raises(ConflictError):
        content_repo.delete(item.id, 1)  # the version the deleter checked

    stored = content_repo.get(item.id)  # the edit and its new file stay
    assert (stored.title, stored.version, len(stored.assets)) == ("edited", 2, 1)
    content_repo.delete(item.id, 2)
    with pytest.raises(NotFound):
        content_repo.get(item.id)


def test_a_view_or_like_does_not_move_the_version_a_delete_checks(content_repo: Any) -> None:
    item = make_item()
    content_repo.add(item)
    content_repo.increment_views(item.id)
    content_repo.add_like(item.id, "fan")

    content_repo.delete(item.id, 1)

    assert content_repo.count() == 0


# --- counters and likes --------------------------------------------------------------------


def test_increment_views_returns_the_new_count(content_repo: Any) -> None:
    item = make_item()
    content_repo.add(item)

    assert [content_repo.increment_views(item.id) for _ in range(3)] == [1, 2, 3]
    assert content_repo.get(item.id).views == 3
    assert content_repo.increment_views(item.id, by=40) == 43  # seeded synthetic views
    assert content_repo.get(item.id).views == 43


def test_increment_views_of_a_missing_item_is_not_found(content_repo: Any) -> None:
    with pytest.raises(NotFound):
        content_repo.increment_views("no-such-id")


def test_a_user_likes_an_item_once(content_repo: Any) -> None:
    item = make_item()
    content_repo.add(item)

    assert content_repo.add_like(item.id, "u1") is True
    assert content_repo.add_like(item.id, "u1") is False
    assert content_repo.add_like(item.id, "u2") is True

    assert content_repo.get(item.id).likes == 2
    assert content_repo.has_liked(item.id, "u1")
    assert not content_repo.has_liked(item.id, "u3")


def test_unlike_removes_only_an_existing_like(content_repo: Any) -> None:
    item = make_item()
    content_repo.add(item)
    content_repo.add_like(item.id, "u1")

    assert content_repo.remove_like(item.id, "u1") is True
    assert content_repo.remove_like(item.id, "u1") is False
    assert content_repo.remove_like(item.id, "never-liked") is False

    assert content_repo.get(item.id).likes == 0
    assert not content_repo.has_liked(item.id, "u1")
    assert content_repo.add_like(item.id, "u1") is True  # can like again


def test_like_of_a_missing_item_is_not_found(content_repo: Any) -> None:
    with pytest.raises(NotFound):
        content_repo.add_like("no-such-id", "u1")


def _in_threads(work: Callable[[int], None], threads: int = 8) -> None:
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []


def test_concurrent_view_increments_are_all_counted(content_repo: Any) -> None:
    item = make_item()
    content_repo.add(item)

    _in_threads(lambda n: [content_repo.increment_views(item.id) for _ in range(25)])

    assert content_repo.get(item.id).views == 200


def test_concurrent_likes_count_each_user_once(content_repo: Any) -> None:
    item = make_item()
    content_repo.add(item)

    # Every thread likes as all of users 0..4 plus its own user: 5 shared + 8 own likes.
    def like(n: int) -> None:
        for user in [*(f"shared-{i}" for i in range(5)), f"own-{n}"]:
            content_repo.add_like(item.id, user)

    _in_threads(like)

    assert content_repo.get(item.id).likes == 13


# --- filters lists, samples, count ---------------------------------------------------------


def test_authors_and_tags_come_only_from_published_content(content_repo: Any) -> None:
    content_repo.add(make_item(author_id="lee", author_name="Lee", tags=("b", "a")))
    content_repo.add(make_item(author_id="kim", author_name="Kim", tags=("a", "c")))
    content_repo.add(
        make_item(author_id="park", author_name="Park", tags=("secret",), status=Status.DRAFT)
    )

    assert sorted(content_repo.authors()) == [("kim", "Kim"), ("lee", "Lee")]
    assert content_repo.tags() == ["a", "b", "c"]


def test_each_author_is_listed_once(content_repo: Any) -> None:
    for _ in range(3):
        content_repo.add(make_item(author_id="kim", author_name="Kim"))

    assert content_repo.authors() == [("kim", "Kim")]


def test_sample_ids_and_count(content_repo: Any) -> None:
    samples = [make_item(is_sample=True), make_item(is_sample=True, status=Status.DRAFT)]
    for item in [*samples, make_item()]:
        content_repo.add(item)

    assert sorted(content_repo.sample_ids()) == sorted(i.id for i in samples)
    assert content_repo.count() == 3


def test_an_empty_repository(content_repo: Any) -> None:
    assert content_repo.count() == 0
    assert content_repo.authors() == [] and content_repo.tags() == []
    assert content_repo.sample_ids() == []
    page = content_repo.search(SearchQuery())
    assert (page.items, page.total, page.pages) == ([], 0, 1)


# --- search --------------------------------------------------------------------------------
# Ids sort in creation order (as ULIDs do), so "ties by id" and "ties by age" agree.


@pytest.fixture
def catalog(content_repo: Any) -> Any:
    """Four published items and a draft, c1 oldest."""
    # fmt: off
    rows = [
        ("c1", "Bedrock Agents 입문", "에이전트 튜토리얼", "생성형AI를 활용한 상담 봇",
         Category.GENERATIVE_AI, ("bedrock", "agents"), "kim", "Kim", Status.PUBLISHED),
        ("c2", "Amazon Q for Developers", "코드 생성 도우미", "IDE plugin",
         Category.AMAZON_Q, ("q", "developer"), "lee", "Lee", Status.PUBLISHED),
        ("c3", "smart factory vision", "불량 검출", "Defect detection with SageMaker",
         Category.MANUFACTURING, ("vision", "bedrock"), "kim", "Kim", Status.PUBLISHED),
        ("c4", "Retail forecast", "수요 예측", "Draft notes",
         Category.RETAIL_CPG, ("forecast", "bedrock"), "lee", "Lee", Status.DRAFT),
        ("c5", "apple pay demo", "결제", "Tokenised cards",
         Category.FINANCE, ("bedrock", "agents", "payments"), "park", "Park", Status.PUBLISHED),
    ]
    # fmt: on
    for n, (cid, title, summary, body, category, tags, author, name, status) in enumerate(rows):
        at = T0 + timedelta(hours=n)
        content_repo.add(
            make_item(
                cid,
                title=title,
                summary=summary,
                body=body,
                category=category,
                tags=tags,
                author_id=author,
                author_name=name,
                status=status,
                created_at=at,
                updated_at=at,
            )
        )
    return content_repo


def found(repo: Any, **query: Any) -> list[str]:
    return ids(repo.search(SearchQuery(**query)).items)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("생성형", ["c1"]),  # a Korean word inside a longer run of text
        ("AI를", ["c1"]),
        ("BEDROCK", ["c5", "c3", "c1"]),  # title or tags, any case
        ("bedrock AGENTS", ["c5", "c1"]),  # every word must match
        ("smart sagemaker", ["c3"]),
        ("smart developers", []),
        ("입문", ["c1"]),  # two characters
        ("Q", ["c2"]),  # one character
        ("IDE 코드", ["c2"]),  # a long and a short word together
        ("  ", ["c5", "c3", "c2", "c1"]),  # blank text: no text filter
    ],
)
def test_search_text(catalog: Any, text: str, expected: list[str]) -> None:
    assert found(catalog, text=text) == expected


@pytest.mark.parametrize("text", ["%", "_", "bed%", "bed*", '"bedrock"', "b_drock", "(", "-"])
def test_search_text_is_literal_not_a_pattern(catalog: Any, text: str) -> None:
    assert found(catalog, text=text) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["c5", "c3", "c2", "c1"]),  # published only by default
        ({"status": None}, ["c5", "c4", "c3", "c2", "c1"]),
        ({"status": Status.DRAFT}, ["c4"]),
        ({"text": "forecast"}, []),
        ({"text": "forecast", "status": None}, ["c4"]),
        ({"category": Category.GENERATIVE_AI}, ["c1"]),
        ({"tags": ("bedrock",)}, ["c5", "c3", "c1"]),
        ({"tags": ("bedrock", "agents")}, ["c5", "c1"]),
        ({"tags": ("bedrock", "nope")}, []),
        ({"author_id": "kim"}, ["c3", "c1"]),
        ({"author_id": "lee", "status": None}, ["c4", "c2"]),
        ({"text": "bedrock", "category": Category.MANUFACTURING, "tags": ("vision",)}, ["c3"]),
    ],
)
def test_search_filters(catalog: Any, query: dict[str, Any], expected: list[str]) -> None:
    assert found(catalog, **query) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (Sort.NEWEST, ["c5", "c3", "c2", "c1"]),
        (Sort.OLDEST, ["c1", "c2", "c3", "c5"]),
        (Sort.TITLE, ["c2", "c5", "c1", "c3"]),  # Amazon, apple, Bedrock, smart: case-insensitive
        (Sort.MOST_VIEWED, ["c3", "c1", "c5", "c2"]),  # c1 and c3 tie: newer first
        (Sort.MOST_LIKED, ["c2", "c5", "c1", "c3"]),  # c1 and c5 tie: newer first
    ],
)
def test_search_sorts(catalog: Any, sort: Sort, expected: list[str]) -> None:
    for cid, views in (("c1", 2), ("c3", 2), ("c5", 1)):
        for _ in range(views):
            catalog.increment_views(cid)
    for cid, users in (("c2", ["a", "b"]), ("c5", ["a"]), ("c1", ["b"])):
        for user in users:
            catalog.add_like(cid, user)

    assert found(catalog, sort=sort) == expected


def test_items_created_at_the_same_instant_are_ordered_by_id(content_repo: Any) -> None:
    for cid in ("t-b", "t-a"):
        content_repo.add(make_item(cid))

    assert found(content_repo, sort=Sort.NEWEST) == ["t-b", "t-a"]
    assert found(content_repo, sort=Sort.OLDEST) == ["t-a", "t-b"]


def test_search_results_carry_assets_and_counters(content_repo: Any) -> None:
    item = make_item()
    item = dataclasses.replace(item, assets=(make_asset(item.id, "shot.png"),))
    content_repo.add(item)
    content_repo.increment_views(item.id)

    [hit] = content_repo.search(SearchQuery()).items

    assert hit.assets == item.assets and hit.views == 1


def test_pagination(content_repo: Any) -> None:
    for n in range(5):
        content_repo.add(make_item(f"p{n}", created_at=T0 + timedelta(minutes=n)))

    pages = [content_repo.search(SearchQuery(page=p, page_size=2)) for p in (1, 2, 3, 4)]

    assert [ids(p.items) for p in pages] == [["p4", "p3"], ["p2", "p1"], ["p0"], []]
    assert {(p.total, p.pages, p.page_size) for p in pages} == {(5, 3, 2)}
    assert [p.page for p in pages] == [1, 2, 3, 4]


def test_search_sees_edits_and_deletions(catalog: Any) -> None:
    item = catalog.get("c3")
    catalog.update(dataclasses.replace(item, title="robot arm"), expected_version=1)
    catalog.delete("c1", 1)

    assert found(catalog, text="smart") == []
    assert found(catalog, text="robot") == ["c3"]
    assert found(catalog, text="생성형") == []


# --- relevance -----------------------------------------------------------------------------


@pytest.fixture
def ranked(content_repo: Any) -> Any:
    """"Bedrock" once in the title, a tag, the summary or the body of four items of the same
    length, the body one newest (so newest first would be the reverse order), and unrelated
    items so that the word is rare, as search words usually are."""
    filler = "lorem ipsum dolor"
    rows = [
        ("title", dict(title="Bedrock demo", tags=("alpha",), summary=filler, body=filler)),
        ("tag", dict(title="Agents demo", tags=("bedrock",), summary=filler, body=filler)),
        ("summary", dict(title="Agents demo", tags=("alpha",), summary="about bedrock",
                         body=filler)),
        ("body", dict(title="Agents demo", tags=("alpha",), summary=filler,
                      body="uses bedrock")),
        *((f"other{n}", dict(title=f"Other {n}", summary=filler, body=filler)) for n in range(6)),
    ]
    for n, (cid, fields) in enumerate(rows):
        at = T0 + timedelta(hours=n)
        content_repo.add(make_item(cid, created_at=at, updated_at=at, **fields))
    return content_repo


def test_relevance_ranks_title_then_tags_then_summary_then_body(ranked: Any) -> None:
    assert found(ranked, text="BEDROCK", sort=Sort.RELEVANCE) == ["title", "tag", "summary",
                                                                    "body"]
    # the other sorts stay as they were
    assert found(ranked, text="bedrock", sort=Sort.NEWEST) == ["body", "summary", "tag", "title"]


def test_relevance_counts_every_hit_and_pages(ranked: Any) -> None:
    page = ranked.search(SearchQuery(text="bedrock", sort=Sort.RELEVANCE, page=2, page_size=3))
    assert (ids(page.items), page.total) == (["body"], 4)
    past = ranked.search(SearchQuery(text="bedrock", sort=Sort.RELEVANCE, page=3, page_size=3))
    assert (past.items, past.total) == ([], 4)


def test_relevance_applies_the_filters_and_short_words(ranked: Any) -> None:
    assert found(ranked, text="bedrock", tags=("alpha",), sort=Sort.RELEVANCE) == [
        "title", "summary", "body"]
    assert found(ranked, text="bedrock 데모", sort=Sort.RELEVANCE) == []
    assert found(ranked, text="bedrock us", sort=Sort.RELEVANCE) == ["body"]


def test_relevance_in_korean(content_repo: Any) -> None:
    rows = [("body", "안내", "생성형AI를 활용한 상담"), ("title", "생성형AI 입문", "안내"),
            ("none", "안내", "상담 봇")]
    for n, (cid, title, body) in enumerate(rows):
        at = T0 + timedelta(hours=n)
        content_repo.add(make_item(cid, title=title, body=body, created_at=at, updated_at=at))
    assert found(content_repo, text="생성형", sort=Sort.RELEVANCE) == ["title", "body"]


def test_relevance_without_a_scored_word_is_newest_first(ranked: Any) -> None:
    assert found(ranked, text="", sort=Sort.RELEVANCE)[:2] == ["other5", "other4"]
    assert found(ranked, text="de", sort=Sort.RELEVANCE) == ["body", "summary", "tag", "title"]


def test_equal_scores_go_newest_first_across_pages(content_repo: Any) -> None:
    for n, cid in enumerate(["old", "mid", "new", "best", "other"]):
        at = T0 + timedelta(hours=n)
        title = {"best": "Bedrock bedrock", "other": "Other"}.get(cid, "Bedrock")
        content_repo.add(make_item(cid, title=title, created_at=at, updated_at=at))
    pages = [content_repo.search(SearchQuery(text="bedrock", sort=Sort.RELEVANCE, page=n,
                                             page_size=1)) for n in (1, 2, 3, 4)]
    assert [ids(p.items) for p in pages] == [["best"], ["new"], ["mid"], ["old"]]
    assert {p.total for p in pages} == {4}


def test_the_items_a_user_liked_are_listed(content_repo: Any) -> None:
    first, second, other = make_item(), make_item(), make_item()
    for item in (first, second, other):
        content_repo.add(item)
    content_repo.add_like(first.id, "fan")
    content_repo.add_like(second.id, "fan")
    content_repo.add_like(other.id, "someone")
    content_repo.remove_like(second.id, "fan")

    assert content_repo.liked_by("fan") == [first.id]
    assert content_repo.liked_by("nobody") == []
