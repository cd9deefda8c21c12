"""An export of the previous platform on disk, read for the legacy import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from services.adapters.aws.legacy_source import from_dynamodb_json
from services.imports.legacy.source import ANALYTICS_TABLE, CONTENT_TABLE


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
