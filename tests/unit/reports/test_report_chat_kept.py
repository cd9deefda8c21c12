"""The follow-up chat kept with a report (``ReportService.ask`` / ``turns``) over the real local
adapters: each asker finds their own questions and answers again, in order, a broken-off answer
as such, nothing of a refused question, and nothing once the report is deleted."""

from __future__ import annotations

import pytest

from services.bootstrap import Ports
from services.domain.permissions import Role
from services.errors import QuotaExceeded, ServiceUnavailable
from services.reports.chat_turns import UNFINISHED
from tests.conftest import make_actor
from tests.doubles.fake_llm import FakeLLM
from tests.unit.reports.test_report_questions import (
    ANALYST,
    MODEL,
    NOW,
    OTHER,
    ask,
    saved_report,
    service,
)
from tests.unit.reports.test_report_questions import ports as ports  # the fixture

ADMIN = make_actor("root", Role.ADMIN)


def test_each_asker_finds_their_questions_and_answers_again(ports: Ports) -> None:
    reports = service(ports, FakeLLM(text="페이지 조회는 110회입니다.", usage=(500, 30)))
    report = saved_report(reports)
    ask(reports, report, "페이지   조회는?")
    ask(reports, report, "페이지 조회는 왜 늘었어?", "offline")
    ask(reports, report, "내 질문", who=ANALYST)
    first, second = reports.turns(OTHER, report.id)
    assert (first.question, first.answer, first.language, first.at) == (
        "페이지 조회는?", "페이지 조회는 110회입니다.", "ko", NOW)
    assert (first.checked, first.unmatched, first.error) == (1, 0, "")
    assert second.question == "페이지 조회는 왜 늘었어?" and "110" in second.answer
    assert [t.question for t in reports.turns(ANALYST, report.id)] == ["내 질문"]
    assert reports.turns(ADMIN, report.id) == []  # nobody reads another's chat


def test_a_broken_off_answer_is_kept_as_unfinished(ports: Ports) -> None:
    broken = FakeLLM(["페이지 조회는 ", "110회"], usage=(500, 30),
                     fail_with=ServiceUnavailable("llm.throttled"), fail_after=1)
    reports = service(ports, broken)
    report = saved_report(reports)
    answer = reports.ask(OTHER, report.id, "조회수는?", MODEL, "ko")
    with pytest.raises(ServiceUnavailable):
        "".join(answer)
    (turn,) = reports.turns(OTHER, report.id)
    assert (turn.question, turn.answer, turn.error) == ("조회수는?", "", UNFINISHED)


def test_a_refused_question_is_not_kept(ports: Ports) -> None:
    reports = service(ports, FakeLLM(text="OK"), budget=10)
    report = saved_report(reports)
    with pytest.raises(QuotaExceeded):
        reports.ask(OTHER, report.id, "왜 늘었어?", MODEL, "ko")
    assert reports.turns(OTHER, report.id) == []


def test_deleting_the_report_deletes_everyone_s_chat(ports: Ports) -> None:
    reports = service(ports, FakeLLM(text="OK"))
    report = saved_report(reports)
    ask(reports, report, "방문자는?")
    ask(reports, report, "조회수는?", who=ANALYST)
    reports.delete(ADMIN, report.id)
    assert reports.turns(OTHER, report.id) == []
    assert reports.turns(ANALYST, report.id) == []
