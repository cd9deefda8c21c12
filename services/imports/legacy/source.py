"""Where the previous platform's data is read from (the port): its live DynamoDB tables and S3
bucket (``services/adapters/aws/legacy_source.py``), or a folder of exported JSON with the
files beside it (``services/adapters/legacy_folder.py``). Both yield plain dicts
(``imports.legacy.mapping`` parses them) and file bytes by the legacy ``s3Key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

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
