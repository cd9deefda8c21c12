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
