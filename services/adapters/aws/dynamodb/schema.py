"""DynamoDB table and index definitions, as data.

One source of truth for the adapters (index and attribute names), for ``aws_bootstrap`` (which
creates the tables) and for the CloudFormation template (which must declare the same tables).
Table *names* come from settings; everything else about a table is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Content table: item attributes that exist only to feed an index.
STATUS_INDEX = "status-created_at-index"
CATEGORY_INDEX = "category-created_at-index"
AUTHOR_INDEX = "author-created_at-index"
SAMPLE_INDEX = "sample-index"
# Users table: a constant partition key lets the admin list users with a Query (never a Scan).
DIRECTORY_INDEX = "directory-index"
LIKES_USER_INDEX = "user-content-index"
# Inquiries table: open and handled inquiries, each newest first, with a Query.
INQUIRY_STATUS_INDEX = "status-created-index"
# Reports table: a user's reports (and their daily tokens), and every report, newest first.
REPORTS_USER_INDEX = "created_by-created_id-index"
REPORTS_ALL_INDEX = "kind-created_id-index"


@dataclass(frozen=True)
class IndexSpec:
    name: str
    hash_key: str
    range_key: str | None = None
    projection: str = "ALL"


@dataclass(frozen=True)
class TableSpec:
    setting: str  # the Settings field holding this table's name
    hash_key: str
    range_key: str | None = None
    # Only key attributes (of the table and its indexes) are declared; DynamoDB is schemaless.
    attributes: tuple[tuple[str, str], ...] = ()
    indexes: tuple[IndexSpec, ...] = ()
    # The attribute holding an expiry time (epoch seconds) for DynamoDB's TTL, if any.
    ttl_attribute: str | None = None

    def create_table_kwargs(self, table_name: str) -> dict[str, Any]:
        """The ``CreateTable`` request for this spec (on-demand billing)."""
        kwargs: dict[str, Any] = {
            "TableName": table_name,
            "KeySchema": _key_schema(self.hash_key, self.range_key),
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": kind} for name, kind in self.attributes
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if self.indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": _key_schema(index.hash_key, index.range_key),
                    "Projection": {"ProjectionType": index.projection},
                }
                for index in self.indexes
            ]
        return kwargs


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


TABLE_SPECS: dict[str, TableSpec] = {
    "content": TableSpec(
        setting="content_table",
        hash_key="id",
        attributes=(
            ("id", "S"),
            ("status", "S"),
            ("created_at", "S"),
            ("category_status", "S"),
            ("author_id", "S"),
            ("sample_flag", "S"),
        ),
        indexes=(
            IndexSpec(STATUS_INDEX, "status", "created_at"),
            IndexSpec(CATEGORY_INDEX, "category_status", "created_at"),
            IndexSpec(AUTHOR_INDEX, "author_id", "created_at"),
            # Sparse: only sample items carry sample_flag; only their ids are needed.
            IndexSpec(SAMPLE_INDEX, "sample_flag", projection="KEYS_ONLY"),
        ),
    ),
    "likes": TableSpec(
        setting="likes_table",
        hash_key="content_id",
        range_key="user_id",
        attributes=(("content_id", "S"), ("user_id", "S")),
        # The items one user liked (the profile page).
        indexes=(IndexSpec(LIKES_USER_INDEX, "user_id", "content_id", projection="KEYS_ONLY"),),
    ),
    "users": TableSpec(
        setting="users_table",
        hash_key="username",
        attributes=(("username", "S"), ("directory", "S")),
        indexes=(IndexSpec(DIRECTORY_INDEX, "directory", "username"),),
    ),
    # Signed-in Cognito sessions (dynamodb_sessions.py): keyed by a hash of the browser's
    # random session id; the refresh token is encrypted; expired items go by TTL.
    "sessions": TableSpec(
        setting="sessions_table",
        hash_key="key",
        attributes=(("key", "S"),),
        ttl_attribute="expires_epoch",
    ),
    # Contact-form inquiries (dynamodb_inquiries.py).
    "inquiries": TableSpec(
        setting="inquiries_table",
        hash_key="id",
        attributes=(("id", "S"), ("status", "S"), ("created_id", "S")),
        indexes=(IndexSpec(INQUIRY_STATUS_INDEX, "status", "created_id"),),
        ttl_attribute="expires_at",  # the contact form's rate-limit counters only
    ),
    # Saved AI reports (dynamodb_reports.py): the report as JSON in one item.
    "reports": TableSpec(
        setting="reports_table",
        hash_key="id",
        attributes=(("id", "S"), ("created_by", "S"), ("kind", "S"), ("created_id", "S")),
        indexes=(
            IndexSpec(REPORTS_USER_INDEX, "created_by", "created_id"),
            IndexSpec(REPORTS_ALL_INDEX, "kind", "created_id"),
        ),
    ),
    "audit": TableSpec(
        setting="audit_table",
        hash_key="day",
        range_key="sk",
        attributes=(("day", "S"), ("sk", "S")),
    ),
    # Usage analytics (events.py, event_append.py). Raw events: "<UTC day>#<shard>"
    # partitions, expired by TTL. Rollups: one partition per local day (counters, hourly
    # totals, visitor sketch).
    "events": TableSpec(
        setting="events_table",
        hash_key="pk",
        range_key="sk",
        attributes=(("pk", "S"), ("sk", "S")),
        ttl_attribute="expires_at",
    ),
    "rollups": TableSpec(
        setting="rollups_table",
        hash_key="day",
        range_key="sk",
        attributes=(("day", "S"), ("sk", "S")),
    ),
}
