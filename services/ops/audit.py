"""Writing audit entries. Auditing never fails the user's action: the wired audit log keeps
an entry its store refuses in a spool (``audit_spool``); only when the disk refuses that too
is the entry logged here instead."""

from __future__ import annotations

import logging
from datetime import datetime

from services.domain.models import AuditEntry
from services.ports import AuditLog

log = logging.getLogger(__name__)


def record_audit(
    audit: AuditLog, ts: datetime, actor: str, action: str, target: str, outcome: str = "ok",
    detail: dict[str, str] | None = None,
) -> None:
    entry = AuditEntry(ts=ts, actor=actor, action=action, target=target, outcome=outcome,
                       detail=dict(detail or {}))
    try:
        audit.record(entry)
    except Exception:
        log.exception("could not write audit entry %s", entry)
