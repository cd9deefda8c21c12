"""Too many reports and answers being written at once in this process: a new one is refused
with a message that says to try again in a moment, nothing is charged or sent, and what the
person chose or typed stays."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.adapters.aws.bedrock.lazy import LazyBedrock
from services.analytics.dashboards import Preset
from services.bootstrap import Services
from services.domain.reports import ReportLanguage, ReportType
from services.domain.users import User
from services.reports.models import OFFLINE
from services.reports.request import ReportRequest
from services.reports.streams import Generation
from services.settings import Settings
from services.ui.session import _SERVICES_KEY
from tests.doubles.fake_llm import FakeLLM
from tests.ui.conftest import errors
from tests.ui.test_report_chat import ask, history_of
from tests.ui.test_reports import (
    bedrock_configured,
    choose_bedrock,
    generate,
    open_reports,
    seeded,
)

__all__ = ["bedrock_configured", "seeded"]  # fixtures used below

BUSY = "지금 작성 중인 보고서와 답변이 너무 많습니다"


@pytest.fixture
def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_FACTORY_REPORT_CONCURRENT_LIMIT", "1")


def another_being_written(at: AppTest, users: dict[str, User]) -> Generation:
    """A report someone else's page started in this process and is still reading."""
    services: Services = at.session_state[_SERVICES_KEY]
    period = services.analytics.period(Preset.DAYS_30)
    return services.reports.stream(users["admin"].as_actor(), ReportRequest(
        ReportType.OVERALL, ReportLanguage.KO, period, OFFLINE))


def test_a_generation_over_the_cap_is_refused_and_the_choices_stay(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        bedrock_configured: None, one_at_a_time: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeLLM(["## 요약\n\n", "페이지 조회는 40회였습니다.\n"], usage=(900, 40))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = choose_bedrock(open_reports(new_app, users["analyst"].username), monkeypatch)
    chosen = f"bedrock:{Settings().bedrock_model_id}"
    other = another_being_written(at, users)

    generate(at)
    assert any(BUSY in e and "잠시 후 다시" in e for e in errors(at)), errors(at)
    assert fake.requests == [] and seeded.ports.reports.list() == []
    analyst = users["analyst"].as_actor()
    assert seeded.reports.tokens_used_today(analyst) == 0  # nothing charged
    assert at.selectbox(key="rep_model_ko").value == chosen  # the choices stay

    other.close()  # that one is written: a place is free again
    generate(at)
    assert not errors(at), errors(at)
    assert len(fake.requests) == 1 and len(seeded.ports.reports.list()) == 1


def test_a_question_over_the_cap_is_refused_and_stays_in_the_chat(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        one_at_a_time: None) -> None:
    at = generate(open_reports(new_app, users["analyst"].username))
    other = another_being_written(at, users)
    ask(at, "가장 많이 본 카테고리는?")
    assert any(BUSY in e for e in errors(at)), errors(at)
    history = history_of(at)
    assert (history[0]["role"], history[0]["text"]) == ("user", "가장 많이 본 카테고리는?")
    assert "error" in history[1]
    other.close()
    ask(at, "가장 많이 본 카테고리는?")
    history = history_of(at)
    assert "생성형 AI" in history[-1]["text"]
    assert at.chat_input  # the box is there for the next question
