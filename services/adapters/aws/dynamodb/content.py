"""ContentRepository on DynamoDB (aws mode). Tables and indexes: ``dynamodb_schema.TABLE_SPECS``.

Writes are single conditional requests or transactions, so two app containers never overwrite
each other: ``add`` requires a new id, ``update`` requires the expected ``version`` and never
touches ``views``/``likes``; counters change with ``ADD`` only; a like is a transaction of the like
row and the counter, so the two cannot disagree (``content_likes.py``).

Browsing and search never Scan. The published corpus is held in memory (``PublishedIndex``),
loaded by a paginated Query on ``status-created_at-index``; filtering, Korean substring search,
sorting (relevance: the same BM25 as SQLite's index, ``services.domain.relevance``) and paging
then run in Python. Drafts (an author's own list, an admin's) are read by
Query on the author, category or status index. Limits of this design, chosen for simplicity:

- memory: each app container holds every published item (text and asset metadata, plus two
  lower-cased copies of the searchable text: one to match, one per column to score), so memory
  grows with the published corpus;
- staleness: this container's own writes show at once; other containers' writes show after at
  most ``index_ttl_seconds`` (default 30 s), plus GSI propagation (usually well under a second).
  ``views``/``likes`` in result lists lag the same way; ``get`` always reads the table;
- cost: each refresh reads the whole published corpus (RCUs ~ corpus size / 4 KB / 2 per TTL
  per container) and a search is linear in the corpus;
- scale: fine to some tens of thousands of items. Beyond that, or for stemming or typo
  tolerance, move search to OpenSearch fed by a DynamoDB stream;
- item size: an item (body plus asset list) must stay under DynamoDB's 400 KB item limit;
  a larger one fails with a ValidationError (``aws.item_too_large``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from services.adapters.aws.common import (
    aws_errors,
    from_item,
    to_item,
)
from services.adapters.aws.dynamodb.content_codec import (
    check_assets,
    item_from_record,
    item_to_record,
    replace_request,
)
from services.adapters.aws.dynamodb.content_index import IndexEntry, PublishedIndex, search_entries
from services.adapters.aws.dynamodb.content_likes import DynamoLikes
from services.adapters.aws.dynamodb.schema import (
    AUTHOR_INDEX,
    CATEGORY_INDEX,
    SAMPLE_INDEX,
    STATUS_INDEX,
)
from services.domain.models import ContentItem, Page, SearchQuery, Status
from services.errors import ConflictError, DemoFactoryError, NotFound

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


class DynamoContentRepository:
    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        likes_table: str,
        index_ttl_seconds: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._table = table
        self._likes_table = likes_table
        self._index = PublishedIndex(self._load_published, index_ttl_seconds, clock)
        self._likes = DynamoLikes(client, table, likes_table, self._index, sleep)

    # --- single items -------------------------------------------------------------------------

    def add(self, item: ContentItem) -> None:
        check_assets(item)
        with aws_errors(lambda _: ConflictError("errors.conflict", content_id=item.id)):
            self._client.put_item(
                TableName=self._table,
                Item=to_item(item_to_record(item)),
                ConditionExpression="attribute_not_exists(#id)",
                ExpressionAttributeNames={"#id": "id"},
            )
        self._index.put(item)

    def get(self, content_id: str) -> ContentItem:
        with aws_errors():
            response = self._client.get_item(
                TableName=self._table, Key=self._key(content_id), ConsistentRead=True
            )
        if "Item" not in response:
            raise NotFound("errors.not_found", content_id=content_id)
        return item_from_record(from_item(response["Item"]))

    def update(self, item: ContentItem, expected_version: int) -> ContentItem:
        check_assets(item)

        with aws_errors(_missing_or_moved(item.id)):
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(item.id),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **replace_request(item, expected_version),
            )
        stored = item_from_record(from_item(response["Attributes"]))
        self._index.put(stored)
        return stored

    def delete(self, content_id: str, expected_version: int) -> None:
        with aws_errors(_missing_or_moved(content_id)):
            self._client.delete_item(
                TableName=self._table,
                Key=self._key(content_id),
                ConditionExpression="attribute_exists(#id) AND #version = :version",
                ExpressionAttributeNames={"#id": "id", "#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(expected_version)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        self._index.discard(content_id)
        # After the item: a like added meanwhile fails its attribute_exists(id) check, so no
        # like row can outlive this loop.
        self._likes.delete_all(content_id)

    # --- counters and likes -------------------------------------------------------------------

    def increment_views(self, content_id: str, by: int = 1) -> int:
        with aws_errors(lambda _: NotFound("errors.not_found", content_id=content_id)):
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(content_id),
                UpdateExpression="ADD #views :by",
                # Without it, ADD would create a stub item for an unknown id.
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#views": "views", "#id": "id"},
                ExpressionAttributeValues={":by": {"N": str(by)}},
                ReturnValues="UPDATED_NEW",
            )
        views = int(response["Attributes"]["views"]["N"])
        self._index.set_counter(content_id, "views", views)
        return views

    def add_like(self, content_id: str, user_id: str) -> bool:
        return self._likes.add_like(content_id, user_id)

    def remove_like(self, content_id: str, user_id: str) -> bool:
        return self._likes.remove_like(content_id, user_id)

    def liked_by(self, user_id: str) -> list[str]:
        return self._likes.liked_by(user_id)

    def has_liked(self, content_id: str, user_id: str) -> bool:
        return self._likes.has_liked(content_id, user_id)

    # --- listing and search -------------------------------------------------------------------

    def search(self, query: SearchQuery) -> Page[ContentItem]:
        return search_entries(self._candidates(query), query)

    def authors(self) -> list[tuple[str, str]]:
        names: dict[str, str] = {}
        # Oldest first, so the newest item's spelling of a name wins.
        for entry in sorted(self._index.entries(), key=lambda e: (e.item.created_at, e.item.id)):
            names[entry.item.author_id] = entry.item.author_name
        return sorted(names.items(), key=lambda pair: (pair[1].casefold(), pair[0]))

    def tags(self) -> list[str]:
        return sorted({tag for entry in self._index.entries() for tag in entry.item.tags})

    def sample_ids(self) -> list[str]:
        records = self._query(
            IndexName=SAMPLE_INDEX,
            KeyConditionExpression="#flag = :yes",
            ExpressionAttributeNames={"#flag": "sample_flag"},
            ExpressionAttributeValues={":yes": {"S": "1"}},
        )
        return sorted(record["id"] for record in records)

    def count(self) -> int:
        total = 0
        for status in Status:
            with aws_errors():
                for page in self._client.get_paginator("query").paginate(
                    TableName=self._table,
                    IndexName=STATUS_INDEX,
                    Select="COUNT",
                    KeyConditionExpression="#status = :status",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={":status": {"S": status.value}},
                ):
                    total += int(page["Count"])
        return total

    def _candidates(self, query: SearchQuery) -> list[IndexEntry]:
        """Items that may match ``query``: from memory for published ones, else by Query."""
        if query.status is Status.PUBLISHED:
            return self._index.entries()
        if query.author_id is not None:
            drafts_only = query.status is Status.DRAFT
            return [IndexEntry.of(item) for item in self._by_author(query.author_id, drafts_only)]
        drafts = [IndexEntry.of(item) for item in self._drafts(query)]
        if query.status is Status.DRAFT:
            return drafts
        return self._index.entries() + drafts

    def _by_author(self, author_id: str, drafts_only: bool) -> Iterator[ContentItem]:
        request: dict[str, Any] = {
            "IndexName": AUTHOR_INDEX,
            "KeyConditionExpression": "#author = :author",
            "ExpressionAttributeNames": {"#author": "author_id"},
            "ExpressionAttributeValues": {":author": {"S": author_id}},
        }
        if drafts_only:
            request["FilterExpression"] = "#status = :draft"
            request["ExpressionAttributeNames"]["#status"] = "status"
            request["ExpressionAttributeValues"][":draft"] = {"S": Status.DRAFT.value}
        return (item_from_record(record) for record in self._query(**request))

    def _drafts(self, query: SearchQuery) -> Iterator[ContentItem]:
        if query.category is not None:
            request = _equals(CATEGORY_INDEX, "category_status", f"{query.category}#draft")
        else:
            request = _equals(STATUS_INDEX, "status", Status.DRAFT.value)
        return (item_from_record(record) for record in self._query(**request))

    def _load_published(self) -> Iterator[ContentItem]:
        request = _equals(STATUS_INDEX, "status", Status.PUBLISHED.value)
        return (item_from_record(record) for record in self._query(**request))

    # --- helpers ------------------------------------------------------------------------------

    def _query(self, **request: Any) -> Iterator[dict[str, Any]]:
        """All records of a paginated Query on the content table (materialised, so that errors
        surface here, translated, rather than half-way through a caller's loop)."""
        records: list[dict[str, Any]] = []
        with aws_errors():
            for page in self._client.get_paginator("query").paginate(
                TableName=self._table, **request
            ):
                records.extend(from_item(raw) for raw in page["Items"])
        return iter(records)

    @staticmethod
    def _key(content_id: str) -> dict[str, Any]:
        return {"id": {"S": content_id}}


# --- request builders -----------------------------------------------------------------------


def _equals(index: str, attribute: str, value: str) -> dict[str, Any]:
    """A Query request on ``index`` for ``attribute = value``, newest first."""
    return {
        "IndexName": index,
        "KeyConditionExpression": "#k = :v",
        "ExpressionAttributeNames": {"#k": attribute},
        "ExpressionAttributeValues": {":v": {"S": value}},
        "ScanIndexForward": False,
    }


def _missing_or_moved(content_id: str) -> Callable[[ClientError], DemoFactoryError]:
    """How a version-conditioned write's refusal reads: the old item came back (it exists,
    its version moved) or not (it is gone)."""

    def error(exc: ClientError) -> DemoFactoryError:
        if "Item" in exc.response:
            return ConflictError("errors.conflict", content_id=content_id)
        return NotFound("errors.not_found", content_id=content_id)

    return error
