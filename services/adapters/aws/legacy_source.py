"""The previous platform's own DynamoDB tables and S3 bucket, read for the legacy import."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from services.adapters.aws.common import from_item, translate_client_error
from services.imports.legacy.source import ANALYTICS_TABLE, CONTENT_TABLE

_TYPE_TAGS = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}


def from_dynamodb_json(record: dict[str, Any]) -> dict[str, Any]:
    """A record in DynamoDB's typed JSON (``{"id": {"S": "x"}}``, as the console, the CLI and
    table exports write it) as plain values; a plain record is returned as it is."""
    if "Item" in record and isinstance(record["Item"], dict):
        record = record["Item"]  # the S3 export's line format
    typed = record and all(
        isinstance(v, dict) and len(v) == 1 and next(iter(v)) in _TYPE_TAGS
        for v in record.values())
    if not typed:
        return record
    return from_item(record)


class DynamoDBSource:
    """The previous platform's own tables and bucket (read only: Scan and GetObject).

    A one-off migration reads every item, so Scan is the right call here, unlike in the app."""

    def __init__(self, dynamodb: Any, s3: Any, *, content_table: str = CONTENT_TABLE,
                 analytics_table: str = ANALYTICS_TABLE, bucket: str | None = None) -> None:
        self._dynamodb = dynamodb
        self._s3 = s3
        self._content_table = content_table
        self._analytics_table = analytics_table
        self._bucket = bucket

    def describe(self) -> str:
        return (f"dynamodb:{self._content_table},{self._analytics_table}"
                f" s3:{self._bucket or '-'}")

    def contents(self) -> Iterator[dict[str, Any]]:
        return self._scan(self._content_table)

    def analytics(self) -> Iterator[dict[str, Any]]:
        return self._scan(self._analytics_table)

    def counts(self) -> tuple[int | None, int | None]:
        return self._item_count(self._content_table), self._item_count(self._analytics_table)

    def _item_count(self, table: str) -> int | None:
        try:  # DynamoDB refreshes ItemCount about every six hours: a hint for progress only
            return int(self._dynamodb.describe_table(TableName=table)["Table"]["ItemCount"])
        except (ClientError, KeyError, ValueError):
            return None

    def _scan(self, table: str) -> Iterator[dict[str, Any]]:
        try:
            for page in self._dynamodb.get_paginator("scan").paginate(TableName=table):
                for item in page.get("Items", []):
                    yield from_dynamodb_json(item)
        except ClientError as exc:
            raise translate_client_error(exc) from exc

    def file(self, s3_key: str) -> bytes | None:
        if not self._bucket or not s3_key:
            return None
        try:
            body: bytes = self._s3.get_object(Bucket=self._bucket, Key=s3_key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise translate_client_error(exc) from exc
        return body
