"""AI insight reports (DESIGN.md "Data model": Report). Pure dataclasses, no I/O.

A report keeps everything needed to rebuild its PDF and to judge it later: the exact context
sent to the model, the prompt version, the model, usage, cost, latency and the grounding check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class ReportType(StrEnum):
    OVERALL = "overall"
    CONTENT = "content"
    AUTHOR = "author"
    WHAT_CHANGED = "what_changed"  # starts from the largest change and explains it


class ReportLanguage(StrEnum):
    KO = "ko"
    EN = "en"


OFFLINE_MODEL_ID = "offline-narrator"


@dataclass(frozen=True)
class UnmatchedNumber:
    """A number in the narrative that no figure in the context supports."""

    text: str  # as written, e.g. "37.5%"
    value: float
    sentence: str


@dataclass(frozen=True)
class Grounding:
    checked: int  # numbers found in the narrative
    unmatched: tuple[UnmatchedNumber, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.unmatched


@dataclass(frozen=True)
class Report:
    id: str  # ULID
    type: ReportType
    language: ReportLanguage
    period_start: date
    period_end: date
    context: dict[str, Any]  # exactly what was placed in the prompt's data block
    prompt_version: str
    model_id: str
    narrative: str  # markdown with the fixed headings of the prompt
    grounding: Grounding
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: int
    created_by: str
    created_at: datetime
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def report_author(report: Report) -> str:
    """Who asked for the report, by the name they had then (their user id for reports saved
    before names were kept)."""
    return str(report.extra.get("created_by_name") or report.created_by)


@dataclass(frozen=True)
class ReportSummary:
    """What a list of reports shows of one (the history table and its choices): none of its
    context or narrative, tens of KB that are read only when the report is opened."""

    id: str
    type: ReportType
    language: ReportLanguage
    period_start: date
    period_end: date
    model_id: str
    created_by: str
    author: str  # ``report_author``
    created_at: datetime
    title: str
    unmatched: int  # numbers of the narrative that the grounding check did not find


def summary_of(report: Report) -> ReportSummary:
    return ReportSummary(
        id=report.id, type=report.type, language=report.language,
        period_start=report.period_start, period_end=report.period_end,
        model_id=report.model_id, created_by=report.created_by, author=report_author(report),
        created_at=report.created_at, title=report.title,
        unmatched=len(report.grounding.unmatched),
    )


@dataclass(frozen=True)
class ChatTurn:
    """One follow-up question on a report and what came of it, kept per asker and report:
    the answer's text, or ``error`` (an i18n key) when the answer broke off."""

    question: str
    answer: str
    language: str
    checked: int  # numbers of the answer the grounding check looked up
    unmatched: int  # of those, the ones it did not find in the report's data
    at: datetime  # when its answer settled
    error: str = ""


# One asker's turns on a report, oldest first (an alias: ``list`` is a method of the stores).
ChatHistory = list[ChatTurn]
