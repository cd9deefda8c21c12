"""The offline narrator: an implementation of the LLM port that needs no cloud account.

It reads the report context back out of the request's ``<data>`` block and writes the report
the prompts ask for (summary, numbered key insights, recommendations by horizon, risks, what to
measure next) by fixed rules, in the context's language, streamed a line at a time like a model.
Every number it writes is a figure of the context, formatted as the grounding check reads it
(counts with thousands separators, ratios as percentages with one decimal, changes with a
sign), and cited by its key (readers see each citation as a numbered footnote:
``services.reports.citations``); the sentences live in ``services/i18n/<lang>/narrator.toml``.
It uses no model tokens (usage 0), so its reports never count against the token budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from services.domain.llm import LLMRequest, LLMResult, LLMStream, StreamBody
from services.domain.reports import OFFLINE_MODEL_ID, ReportType
from services.errors import ValidationError
from services.reports.narrator.advice import long_term, measures, mid_term, now, risks
from services.reports.narrator.changes import change_blocks, headline_sentence
from services.reports.narrator.rules import Facts, insights
from services.reports.prompts import PromptError, data_of

__all__ = ["OFFLINE_MODEL_ID", "OfflineNarrator", "narrate"]


def narrate(context: dict[str, Any]) -> str:
    """The whole report, in markdown, deterministically from ``context``."""
    facts = Facts(context)
    t = facts.t
    summary = facts.summary()
    changes = change_blocks(facts)
    if facts.kind is ReportType.WHAT_CHANGED:  # the largest change first, then its story
        summary = [headline_sentence(facts), *summary]
        blocks = [t("h_summary"), " ".join(summary), *changes, t("h_insights")]
    else:
        blocks = [t("h_summary"), " ".join(summary), t("h_insights")]
    blocks.append("\n".join(f"{n}. {line}" for n, line in
                            enumerate(insights(facts) or [t("ins_none")], start=1)))
    if facts.kind is not ReportType.WHAT_CHANGED:
        blocks += changes
    blocks.append(t("h_recommendations"))
    for heading, rules in (("h_now", now), ("h_mid", mid_term), ("h_long", long_term)):
        blocks += [t(heading), _bullets(rules(facts))]
    blocks += [t("h_risks"), _bullets(risks(facts)), t("h_measure"), _bullets(measures(facts))]
    blocks.append("> " + t("label"))
    return "\n\n".join(blocks) + "\n"


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


class OfflineNarrator:
    """Implements ``services.ports.LLM``; the model id is ``offline-narrator``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock

    def complete(self, request: LLMRequest) -> LLMResult:
        return self.stream(request).read_all()

    def stream(self, request: LLMRequest) -> LLMStream:
        try:
            context = data_of(request.prompt)
        except PromptError as exc:
            raise ValidationError("reports.err_offline_no_data") from exc
        return LLMStream(self._body(request, narrate(context)))

    def _body(self, request: LLMRequest, text: str) -> StreamBody:
        started = self._clock()
        yield from text.splitlines(keepends=True)
        return LLMResult(text=text, input_tokens=0, output_tokens=0,
                         latency_ms=round((self._clock() - started) * 1000),
                         model_id=request.model_id, stop_reason="end_turn")
