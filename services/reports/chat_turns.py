"""The follow-up chat kept with a report: one turn per question, per asker and report.

A turn is kept once its answer has settled: written to its end (the answer, its grounding
counts) or broken off (``UNFINISHED``, the model's tokens spent all the same). A refused
question (the budget, an empty or long question) is not kept: nothing was sent or charged.
Keeping a turn never costs the asker the answer they paid for: a store that fails (or a report
deleted meanwhile) is logged and the answer is shown all the same.
"""

from __future__ import annotations

import logging
from datetime import datetime

from services.domain.reports import ChatTurn, ReportLanguage
from services.errors import DemoFactoryError
from services.ports import ReportStore
from services.reports.streams import AnswerResult

UNFINISHED = "followup.err_unfinished"
log = logging.getLogger(__name__)


def answered_turn(question: str, language: ReportLanguage, result: AnswerResult,
                  at: datetime) -> ChatTurn:
    return ChatTurn(question=question, answer=result.text, language=language.value,
                    checked=result.grounding.checked,
                    unmatched=len(result.grounding.unmatched), at=at)


def unfinished_turn(question: str, language: ReportLanguage, at: datetime) -> ChatTurn:
    return ChatTurn(question=question, answer="", language=language.value, checked=0,
                    unmatched=0, at=at, error=UNFINISHED)


def keep_turn(store: ReportStore, report_id: str, user_id: str, turn: ChatTurn) -> None:
    try:
        store.add_turn(report_id, user_id, turn)
    except DemoFactoryError as exc:
        log.warning("follow-up turn on report %s not kept: %s", report_id, exc)
