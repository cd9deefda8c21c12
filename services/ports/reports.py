"""The language model and stored reports.

Protocols; import them from ``services.ports``.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from services.domain.llm import LLMRequest, LLMResult, LLMStream
from services.domain.reports import ChatHistory, ChatTurn, Report, ReportSummary


class LLM(Protocol):
    """A text model. Adapters raise only ``services.errors`` types, with ``llm.*`` keys.

    ``stream`` raises the request's errors (denied, throttled after retries, bad model id)
    when called; errors after the first chunk are raised while iterating the stream.
    """

    def complete(self, request: LLMRequest) -> LLMResult: ...

    def stream(self, request: LLMRequest) -> LLMStream:
        """Text chunks as the model writes them; ``result()`` once the stream is exhausted."""


class ReportStore(Protocol):
    """Saved reports with their provenance; the PDF is rebuilt from a Report, never stored."""

    def add(self, report: Report) -> None:
        """ConflictError if the id exists."""

    def get(self, report_id: str) -> Report:
        """NotFound if absent."""

    def list(self, created_by: str | None = None, limit: int = 100) -> list[ReportSummary]:
        """Newest first; only one user's reports when ``created_by`` is given. Summaries: a
        whole report (its context and narrative, tens of KB) is read by ``get``."""

    def delete(self, report_id: str) -> None:
        """NotFound if absent. The report's chat turns, everyone's, go with it."""

    def add_turn(self, report_id: str, user_id: str, turn: ChatTurn) -> None:
        """One more turn of ``user_id``'s chat on the report; NotFound if the report is
        absent."""

    def turns(self, report_id: str, user_id: str) -> ChatHistory:
        """``user_id``'s chat turns on the report, oldest first ([] for none)."""

    def turn_count(self, report_id: str, user_id: str) -> int:
        """How many turns ``user_id``'s chat on the report holds (0 for none): one small read,
        for a tab that checks whether another tab asked something."""

    def spend_tokens(self, user_id: str, day: date, tokens: int, limit: int | None = None
                     ) -> bool:
        """Add ``tokens`` to the user's model tokens of ``day`` (a local day); negative gives
        back what a reservation held beyond the real use. With ``limit``, one atomic step that
        adds only when the day's total stays within it, so two requests at the same moment
        cannot both pass a budget that fits one: False, and nothing added, when it would not
        fit."""

    def tokens_spent(self, user_id: str, day: date) -> int:
        """The user's model tokens of ``day`` (0 for a day without any)."""
