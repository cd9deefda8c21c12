"""An audit log in memory, for service tests that count what was recorded."""

from __future__ import annotations

from typing import Any

from services.domain.models import AuditEntry


class MemoryAudit:
    def __init__(self) -> None:
        self.recorded: list[AuditEntry] = []

    def record(self, entry: AuditEntry) -> None:
        self.recorded.append(entry)

    def entries(self, *_: Any, **__: Any) -> list[AuditEntry]:
        return list(reversed(self.recorded))

    def targets(self, action: str) -> list[str]:
        """The targets of the entries of ``action``, oldest first."""
        return [entry.target for entry in self.recorded if entry.action == action]
