"""DynamoContentRepository specifics (the shared behaviour is in tests/contract).

No Scan while browsing, the in-memory index (own writes at once, other containers' after the
TTL), the stored item layout the CloudFormation template and other tools rely on.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.adapters.aws.common import to_item
from services.adapters.aws.dynamodb.content import DynamoContentRepository
from services.adapters.aws.dynamodb.content_codec import item_to_record
from services.adapters.aws.dynamodb.schema import AUTHOR_INDEX, CATEGORY_INDEX, STATUS_INDEX
from services.domain.models import (
    Asset,
    AssetKind,
    Category,
    ContentItem,
    SearchQuery,
    Sort,
    Status,
)
from services.errors import NotFound
from tests.contract.aws_backends import MockedAws, NeverProcessing, mocked_aws

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TTL = 30.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Calls:
    """Every DynamoDB operation a client makes, with its API parameters.

    ``before-parameter-build`` fires once per API call (each page of a paginator too) and,
    unlike ``before-call``, carries the parameters as the caller gave them.
    """

    def __init__(self, client: Any) -> None:
        self.log: list[tuple[str, dict[str, Any]]] = []
        client.meta.events.register("before-parameter-build.dynamodb", self._record)

    def _record(self, event_name: str, params: dict[str, Any], **_: Any) -> None:
        self.log.append((event_name.rsplit(".", 1)[-1], params))

    @property
    def counts(self) -> Counter[str]:
        return Counter(name for name, _ in self.log)

    def indexes_queried(self) -> set[str]:
        return {params.get("IndexName", "<table>") for name, params in self.log if name == "Query"}


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with mocked_aws() as mocked:
        yield mocked


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_repo(aws: MockedAws, clock: FakeClock) -> DynamoContentRepository:
    return DynamoContentRepository(
        aws.dynamodb,
        str(aws.settings.content_table),
        str(aws.settings.likes_table),
        index_ttl_seconds=TTL,
        clock=clock,
    )


@pytest.fixture
def repo(aws: MockedAws, clock: FakeClock) -> DynamoContentRepository:
    return make_repo(aws, clock)


@pytest.fixture
def calls(aws: MockedAws) -> Calls:
    return Calls(aws.dynamodb)


def item(content_id: str, **fields: Any) -> ContentItem:
    values: dict[str, Any] = {
        "id": content_id,
        "title": f"title {content_id}",
        "summary": "summary",
        "body": "body",
        "category": Category.ETC,
        "tags": ("tag",),
        "author_id": "kim",
        "author_name": "Kim",
        "status": Status.PUBLISHED,
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(fields)
    return ContentItem(**values)


def titles(repo: DynamoContentRepository, **query: Any) -> list[str]:
    return [hit.title for hit in repo.search(SearchQuery(**query)).items]


# --- never Scan ----------------------------------------------------------------------------


def test_the_call_log_would_see_a_scan(aws: MockedAws, calls: Calls) -> None:
    # The control for the test below: the hook does see Scans when there are any.
    aws.dynamodb.scan(TableName=str(aws.settings.content_table))

    assert calls.counts["Scan"] == 1


BROWSING = [
    SearchQuery(),
    SearchQuery(text="검색 title", sort=Sort.TITLE, page=2, page_size=1),
    SearchQuery(category=Category.FINANCE, tags=("tag",), sort=Sort.MOST_LIKED),
    SearchQuery(author_id="kim", sort=Sort.MOST_VIEWED),
    SearchQuery(status=None),
    SearchQuery(status=Status.DRAFT),
    SearchQuery(status=Status.DRAFT, category=Category.FINANCE),
    SearchQuery(status=None, author_id="kim"),
    SearchQuery(status=Status.DRAFT, author_id="lee", text="draft"),
]


def test_browsing_and_searching_never_scan(repo: DynamoContentRepository, calls: Calls) -> None:
    for n in range(6):
        status = Status.DRAFT if n % 2 else Status.PUBLISHED
        repo.add(item(f"c{n}", status=status, category=Category.FINANCE, is_sample=n == 0))

    for query in BROWSING:
        repo.search(query)
    repo.authors(), repo.tags(), repo.sample_ids(), repo.count()

    assert calls.counts["Scan"] == 0
    assert calls.counts["Query"] >= len(BROWSING)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (SearchQuery(status=None, author_id="kim"), AUTHOR_INDEX),
        (SearchQuery(status=Status.DRAFT, author_id="kim"), AUTHOR_INDEX),
        (SearchQuery(status=Status.DRAFT, category=Category.FINANCE), CATEGORY_INDEX),
        (SearchQuery(status=Status.DRAFT), STATUS_INDEX),
    ],
)
def test_drafts_are_read_through_the_narrowest_index(
    repo: DynamoContentRepository, calls: Calls, query: SearchQuery, index: str
) -> None:
    repo.add(item("mine", status=Status.DRAFT, category=Category.FINANCE))

    page = repo.search(query)

    assert [hit.id for hit in page.items] == ["mine"]
    assert calls.indexes_queried() == {index}


def test_count_asks_only_for_counts(repo: DynamoContentRepository, calls: Calls) -> None:
    repo.add(item("a"))
    repo.add(item("b", status=Status.DRAFT))

    assert repo.count() == 2
    queries = [params for name, params in calls.log if name == "Query"]
    assert {q["Select"] for q in queries} == {"COUNT"}
    assert {q["IndexName"] for q in queries} == {STATUS_INDEX}


# --- the in-memory index -------------------------------------------------------------------


def test_published_listing_is_served_from_memory_within_the_ttl(
    repo: DynamoContentRepository, calls: Calls, clock: FakeClock
) -> None:
    repo.add(item("a"))
    repo.search(SearchQuery())
    loads = calls.counts["Query"]

    repo.search(SearchQuery(text="title"))
    repo.authors(), repo.tags()
    clock.now += TTL - 1
    repo.search(SearchQuery(sort=Sort.OLDEST))
    assert calls.counts["Query"] == loads

    clock.now += 1
    repo.search(SearchQuery())
    assert calls.counts["Query"] == loads + 1


def test_this_containers_writes_show_at_once(
    repo: DynamoContentRepository, calls: Calls
) -> None:
    repo.add(item("a", title="first"))
    assert titles(repo) == ["first"]  # loads the index
    loads = calls.counts["Query"]

    repo.add(item("b", title="second", created_at=T0 + timedelta(hours=1)))
    assert titles(repo) == ["second", "first"]

    stored = repo.update(dataclasses.replace(repo.get("a"), title="edited"), expected_version=1)
    assert titles(repo, text="edited") == ["edited"] and stored.version == 2

    repo.update(dataclasses.replace(stored, status=Status.DRAFT), expected_version=2)
    assert titles(repo) == ["second"]  # unpublished: out of the published index

    repo.increment_views("b")
    repo.add_like("b", "fan")
    [hit] = repo.search(SearchQuery()).items
    assert (hit.views, hit.likes) == (1, 1)

    repo.delete("b", 1)
    assert titles(repo) == []
    assert calls.counts["Query"] == loads + 1  # only delete's Query of like rows


def test_other_containers_writes_show_after_the_ttl(aws: MockedAws, clock: FakeClock) -> None:
    here, there = make_repo(aws, clock), make_repo(aws, FakeClock())
    here.add(item("a", title="old"))
    assert titles(here) == ["old"]

    there.add(item("b", title="new", created_at=T0 + timedelta(hours=1)))
    there.delete("a", 1)
    assert titles(here) == ["old"]  # stale, by design, until the TTL passes

    clock.now += TTL
    assert titles(here) == ["new"]


def test_an_index_with_a_zero_ttl_reloads_on_every_search(aws: MockedAws, calls: Calls) -> None:
    repo = DynamoContentRepository(
        aws.dynamodb, str(aws.settings.content_table), str(aws.settings.likes_table), 0
    )
    repo.search(SearchQuery())
    repo.search(SearchQuery())

    assert calls.counts["Query"] == 2


def test_korean_typed_as_separate_jamo_still_matches(repo: DynamoContentRepository) -> None:
    repo.add(item("a", title="생성형 AI 데모"))
    decomposed = unicodedata.normalize("NFD", "생성형")  # as macOS input methods may send it
    assert decomposed != "생성형"

    assert titles(repo, text=decomposed) == ["생성형 AI 데모"]
    assert titles(repo, text="ａｉ") == ["생성형 AI 데모"]  # full-width letters


# --- stored layout -------------------------------------------------------------------------


def raw(aws: MockedAws, content_id: str) -> dict[str, Any]:
    response = aws.dynamodb.get_item(
        TableName=str(aws.settings.content_table), Key={"id": {"S": content_id}}
    )
    return dict(response["Item"])


def test_stored_item_layout(repo: DynamoContentRepository, aws: MockedAws) -> None:
    asset = Asset("as1", "a", AssetKind.IMAGE, "x.png", "image/png", 3, "content/a/x.png", T0)
    repo.add(item("a", category=Category.GENERATIVE_AI, assets=(asset,), is_sample=True))

    stored = raw(aws, "a")

    assert stored["category_status"] == {"S": "Generative AI#published"}
    assert stored["created_at"] == {"S": "2025-03-01T09:00:00.000000+00:00"}
    assert stored["sample_flag"] == {"S": "1"}
    assert stored["version"] == {"N": "1"} and stored["views"] == {"N": "0"}
    assert stored["tags"] == {"L": [{"S": "tag"}]}
    assert stored["assets"]["L"][0]["M"]["storage_key"] == {"S": "content/a/x.png"}


def test_the_publication_moment_is_stored_and_a_draft_has_none(
    repo: DynamoContentRepository, aws: MockedAws
) -> None:
    repo.add(item("a", published_at=T0 + timedelta(days=2)))
    repo.add(item("d", status=Status.DRAFT))

    assert raw(aws, "a")["published_at"] == {"S": "2025-03-03T09:00:00.000000+00:00"}
    assert "published_at" not in raw(aws, "d")


def test_an_item_stored_before_the_publication_moment_reads_as_published_when_created(
    repo: DynamoContentRepository, aws: MockedAws
) -> None:
    for content_id, days in (("old", 0), ("newer", 1)):
        record = item_to_record(item(content_id, created_at=T0 + timedelta(days=days)))
        del record["published_at"]  # as an older version wrote it
        aws.dynamodb.put_item(TableName=str(aws.settings.content_table),
                              Item=to_item({k: v for k, v in record.items() if v is not None}))

    assert repo.get("old").published_at == T0
    assert [hit.id for hit in repo.search(SearchQuery(sort=Sort.NEWEST)).items] == ["newer", "old"]


def test_an_update_keeps_index_keys_in_step(repo: DynamoContentRepository, aws: MockedAws) -> None:
    repo.add(item("a", is_sample=True))

    repo.update(item("a", status=Status.DRAFT, category=Category.RETAIL_CPG), expected_version=1)

    stored = raw(aws, "a")
    assert stored["category_status"] == {"S": "Retail/CPG#draft"}
    assert "sample_flag" not in stored  # out of the sparse sample index
    assert repo.sample_ids() == []


def test_delete_removes_every_like_row(repo: DynamoContentRepository, aws: MockedAws) -> None:
    repo.add(item("a"))
    for n in range(30):  # more than one BatchWriteItem (25 requests at most)
        repo.add_like("a", f"user-{n}")

    repo.delete("a", 1)

    left = aws.dynamodb.query(
        TableName=str(aws.settings.likes_table),
        KeyConditionExpression="content_id = :c",
        ExpressionAttributeValues={":c": {"S": "a"}},
    )
    assert left["Count"] == 0


class PartlyProcessing:
    """The moto client, but its first BatchWriteItem applies only ten requests and hands the
    rest back as UnprocessedItems, as DynamoDB does under load (a 200 answer: botocore does
    not retry it)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.batches: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        self.batches.append(sum(len(requests) for requests in RequestItems.values()))
        if len(self.batches) > 1:
            return dict(self._client.batch_write_item(RequestItems=RequestItems))
        ((table, requests),) = RequestItems.items()
        self._client.batch_write_item(RequestItems={table: requests[:10]})
        return {"UnprocessedItems": {table: requests[10:]}}


def test_delete_resends_the_like_rows_dynamodb_left_unprocessed(
    aws: MockedAws, clock: FakeClock
) -> None:
    make_repo(aws, clock).add(item("a"))
    for n in range(30):
        make_repo(aws, clock).add_like("a", f"user-{n}")
    client = PartlyProcessing(aws.dynamodb)
    repo = DynamoContentRepository(client, str(aws.settings.content_table),
                                   str(aws.settings.likes_table), clock=clock,
                                   sleep=lambda _: None)

    repo.delete("a", 1)

    assert client.batches == [25, 15, 5]
    left = aws.dynamodb.query(
        TableName=str(aws.settings.likes_table),
        KeyConditionExpression="content_id = :c",
        ExpressionAttributeValues={":c": {"S": "a"}},
    )
    assert left["Count"] == 0


def test_a_like_row_left_by_a_delete_goes_with_its_user(
    aws: MockedAws, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The item's deletion stands when its like rows cannot all be deleted (it is gone, so
    failing would leave its files and audit undone); a row left behind names its user, and it
    goes when the user's likes are removed (account deletion), though the item is gone."""
    make_repo(aws, clock).add(item("a"))
    make_repo(aws, clock).add_like("a", "kim")
    repo = DynamoContentRepository(NeverProcessing(aws.dynamodb), str(aws.settings.content_table),
                                   str(aws.settings.likes_table), clock=clock,
                                   sleep=lambda _: None)

    repo.delete("a", 1)

    assert "left" in caplog.text
    fresh = make_repo(aws, clock)
    assert fresh.liked_by("kim") == ["a"]  # the row the delete could not remove
    assert fresh.remove_like("a", "kim") is False  # no counter to move: the item is gone
    assert fresh.liked_by("kim") == []


def test_an_unlike_of_an_item_that_exists_keeps_other_rows(
    aws: MockedAws, clock: FakeClock
) -> None:
    repo = make_repo(aws, clock)
    repo.add(item("a"))
    repo.add_like("a", "kim")
    assert repo.remove_like("a", "lee") is False  # never liked: nothing changes
    assert repo.liked_by("kim") == ["a"]
    assert repo.get("a").likes == 1


def test_views_of_a_missing_item_create_no_stub(
    repo: DynamoContentRepository, aws: MockedAws
) -> None:
    with pytest.raises(NotFound):
        repo.increment_views("ghost")

    response = aws.dynamodb.get_item(
        TableName=str(aws.settings.content_table), Key={"id": {"S": "ghost"}}
    )
    assert "Item" not in response
