"""Where the previous platform's data is read from: its live DynamoDB tables and S3 bucket, or a
folder of exported JSON with the files beside it. Both yield plain dicts (``legacy_mapping``
parses them) and file bytes by the legacy ``s3Key``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError

from services.adapters.aws.common import from_item, translate_client_error

_TYPE_TAGS = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}
CONTENT_TABLE = "DemoFactoryContents"
ANALYTICS_TABLE = "DemoFactoryAnalytics"


class LegacySource(Protocol):
    def describe(self) -> str:
        """Where the data comes from, for the summary and the audit log."""

    def contents(self) -> Iterator[dict[str, Any]]: ...

    def analytics(self) -> Iterator[dict[str, Any]]: ...

    def counts(self) -> tuple[int | None, int | None]:
        """(content items, analytics items) if known up front, for the progress bar."""

    def file(self, s3_key: str) -> bytes | None:
        """The object's bytes, or None when it is missing (reported, never fatal)."""


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


class FolderSource:
    """An export on disk: ``<table>.json`` / ``.jsonl`` (or ``contents.*`` / ``analytics.*``)
    holding a JSON array, a Scan output (``{"Items": [...]}``) or one record per line, in
    plain or DynamoDB JSON; files at ``<folder>/<s3Key>`` or ``<folder>/files/<s3Key>``."""

    def __init__(self, folder: Path, *, content_table: str = CONTENT_TABLE,
                 analytics_table: str = ANALYTICS_TABLE) -> None:
        self._folder = folder.resolve()
        self._content = self._find(content_table, "contents")
        self._analytics = self._find(analytics_table, "analytics")

    def _find(self, *stems: str) -> Path | None:
        for stem in stems:
            for suffix in (".json", ".jsonl", ".ndjson"):
                path = self._folder / f"{stem}{suffix}"
                if path.is_file():
                    return path
        return None

    def describe(self) -> str:
        return f"folder:{self._folder.name}"

    def contents(self) -> Iterator[dict[str, Any]]:
        return _records(self._content)

    def analytics(self) -> Iterator[dict[str, Any]]:
        return _records(self._analytics)

    def counts(self) -> tuple[int | None, int | None]:
        return None, None

    def file(self, s3_key: str) -> bytes | None:
        for base in (self._folder, self._folder / "files"):
            path = (base / s3_key).resolve()
            # A key is data from the export: it must not lead out of the folder.
            if path.is_relative_to(self._folder) and path.is_file():
                return path.read_bytes()
        return None


def _records(path: Path | None) -> Iterator[dict[str, Any]]:
    if path is None:
        return
    with path.open(encoding="utf-8-sig") as handle:
        first = handle.read(1)
        while first.isspace():
            first = handle.read(1)
        handle.seek(0)
        if first == "[" or (first == "{" and not _is_json_lines(path)):
            loaded = json.load(handle)
            items = loaded.get("Items", [loaded]) if isinstance(loaded, dict) else loaded
            for record in items:
                if isinstance(record, dict):
                    yield from_dynamodb_json(record)
            return
        for line in handle:
            if line.strip():
                record = json.loads(line)
                if isinstance(record, dict):
                    yield from_dynamodb_json(record)


def _is_json_lines(path: Path) -> bool:
    """More than one non-empty line, each a JSON object of its own."""
    with path.open(encoding="utf-8-sig") as handle:
        lines = [line for line in (handle.readline() for _ in range(2)) if line.strip()]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(line), dict) for line in lines)
    except json.JSONDecodeError:
        return False
