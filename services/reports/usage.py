"""What a user's model calls spend of the daily token budget, held before the model is called.

A metered generation or follow-up answer first reserves its estimate (the prompt's tokens and
the ``max_tokens`` ceiling) on the user's tokens of the day, in one atomic step of the report
store (``ReportStore.spend_tokens`` with a limit): two tabs that start at the same moment
cannot both pass a budget that fits one, on SQLite and on DynamoDB alike. When the stream
settles, the reservation keeps what the model really used and gives back the rest.

The day's tokens are their own count, not a sum over saved reports, so a report deleted on the
day it was made leaves its tokens spent, and a stream not read to its end (the stream broke
off, or the process stopped while the page's worker thread read it) keeps what it cost. That
stream is also written to the audit log as an ``unfinished`` entry with its tokens, for the
admin.

A reservation never settled (the process died mid-stream) keeps the whole estimate: the budget
errs on the safe side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from services.domain.llm import LLMRequest, LLMStream
from services.ops.audit import record_audit
from services.ports import LLM, AuditLog, ReportStore
from services.reports.cost import REPORT_REFUSAL, Estimate, estimate_tokens, require_budget

REPORT_AUDIT_ACTION = "report.generate"
ASK_AUDIT_ACTION = "report.ask"  # a follow-up question and the tokens of its answer
DELETE_AUDIT_ACTION = "report.delete"
UNFINISHED = "unfinished"  # the outcome of a stream abandoned before its end
RESERVE_ATTEMPTS = 3  # a reservation refused while the day's figures move under it


@dataclass
class Reservation:
    """Tokens held on one user's day until the model's stream settles."""

    store: ReportStore
    user_id: str
    day: date
    held: int
    settled: bool = False

    def settle(self, used: int) -> None:
        """Keep ``used`` tokens of those held and give back the rest (once)."""
        if self.settled:
            return
        self.settled = True
        if used != self.held:
            self.store.spend_tokens(self.user_id, self.day, used - self.held)


def reserve(store: ReportStore, user_id: str, day: date, estimate: Estimate,
            refusal: str = REPORT_REFUSAL) -> Reservation:
    """Hold a metered estimate's tokens on the user's day, checked and added in one step;
    QuotaExceeded (``refusal``, the message for what was asked) when they do not fit, with
    the day's figures as they are now. The offline narrator holds nothing."""
    if not estimate.metered:
        return Reservation(store, user_id, day, 0)
    for _ in range(RESERVE_ATTEMPTS):
        require_budget(estimate, refusal)
        if store.spend_tokens(user_id, day, estimate.tokens, limit=estimate.budget):
            return Reservation(store, user_id, day, estimate.tokens)
        # Another tab spent (or gave back) tokens since the estimate was read: read again.
        used = store.tokens_spent(user_id, day)
        estimate = replace(estimate, used=used, left=max(0, estimate.budget - used))
    # Still moving: refuse rather than overspend.
    require_budget(replace(estimate, left=0), refusal)
    raise AssertionError("unreachable: a zero left never fits a metered estimate")


def start_stream(llm: LLM, request: LLMRequest, reservation: Reservation) -> LLMStream:
    """The model's stream. A request refused before any text (denied, throttled, a bad model
    id) cost nothing: its reservation is given back."""
    try:
        return llm.stream(request)
    except BaseException:
        reservation.settle(0)
        raise


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
