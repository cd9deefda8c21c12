"""Model tokens of the day that no saved report carries, kept in the audit log.

A saved report carries its own tokens (``ReportStore.tokens_used``). Two kinds of spending have
no report: follow-up questions (``report.ask`` entries) and generations that were not read to
their end (a ``report.generate`` entry whose outcome is ``UNFINISHED``: the user clicked
something while the model wrote, or the stream broke off), and reports their author deleted on
the day they were made (``report.delete`` entries). Both are kept in the audit log, with
their tokens: it is written on every backend, read per actor and action since a time, and
already held the questions' tokens; the report store keeps only whole reports. Without an audit
log (some tests), neither is counted.
"""

from __future__ import annotations

from datetime import datetime

from services.domain.llm import LLMStream
from services.domain.models import AuditEntry
from services.ops.audit import record_audit
from services.ports import AuditLog
from services.reports.cost import estimate_tokens

REPORT_AUDIT_ACTION = "report.generate"
ASK_AUDIT_ACTION = "report.ask"  # a follow-up question; its tokens count against the budget
# A report deleted by its author on the day it was made: its tokens stay spent that day.
DELETE_AUDIT_ACTION = "report.delete"
UNFINISHED = "unfinished"  # the outcome of a stream abandoned before its end
ENTRIES_PER_DAY_READ = 10_000  # the audit entries read to sum a day's tokens, per action


def audited_tokens(audit: AuditLog | None, user_id: str, since: datetime) -> int:
    """Tokens of the user's questions and unfinished generations since ``since``."""
    if audit is None:
        return 0
    asks = audit.entries(actor=user_id, action=ASK_AUDIT_ACTION, since=since,
                         limit=ENTRIES_PER_DAY_READ)
    generations = audit.entries(actor=user_id, action=REPORT_AUDIT_ACTION, since=since,
                                limit=ENTRIES_PER_DAY_READ)
    # A saved report's entry carries no tokens, and its report already counts them.
    unfinished = [e for e in generations if e.outcome == UNFINISHED]
    deleted = audit.entries(actor=user_id, action=DELETE_AUDIT_ACTION, since=since,
                            limit=ENTRIES_PER_DAY_READ)
    return sum(_tokens(e) for e in [*asks, *unfinished, *deleted])


def spent_today(report_tokens: int, created_by: str, created_at: datetime, deleter: str,
                since: datetime) -> int:
    """What a deleted report leaves on its deleter's budget of today: all its tokens when its
    author deletes it on the day it was made (else deleting would give the budget back),
    nothing otherwise (another day's budget, or another person's)."""
    return report_tokens if created_by == deleter and created_at >= since else 0


def _tokens(entry: AuditEntry) -> int:
    return int(entry.detail.get("tokens") or 0)


def unfinished_tokens(stream: LLMStream, prompt_tokens: int, received: str) -> int:
    """What a stream not read to its end cost: the model's own usage when it did finish (the
    result could not be saved), else the prompt's estimate and the text received so far (the
    model reports its usage only at the end of the stream)."""
    if stream.done:
        return stream.result().total_tokens
    return prompt_tokens + estimate_tokens(received)


def record_unfinished(audit: AuditLog | None, ts: datetime, user_id: str, action: str,
                      target: str, tokens: int, detail: dict[str, str]) -> None:
    """An ``UNFINISHED`` entry of ``action`` with its tokens (none for a stream that cost
    nothing, such as the offline narrator's)."""
    if audit is None or tokens <= 0:
        return
    record_audit(audit, ts, user_id, action, target, outcome=UNFINISHED,
                 detail={**detail, "tokens": str(tokens)})
