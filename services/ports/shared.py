"""Seams every capability uses: mail, the audit log, the clock.

Protocols; import them from ``services.ports``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from services.domain.models import AuditEntry


class Mailer(Protocol):
    def send(
        self, sender: str, recipient: str, subject: str, body: str, reply_to: str | None = None,
        html: str | None = None,
    ) -> None:
        """A plain-text email (with ``html`` as its alternative part, if given; the caller
        escapes it). A project error if the message was not accepted."""


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def entries(
        self,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Newest first."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...
