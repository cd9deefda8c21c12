"""A follow-up answer written while its report is not on screen (another tab of the page, the
report closed in the history): it is in the chat as soon as the model has written it, not only
once the chat is drawn again, and the chat shows it once when the person comes back."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from services.adapters.aws.bedrock.lazy import LazyBedrock
from services.bootstrap import Services
from services.settings import Settings
from services.ui.report_chat import CHATS_KEY, Message
from tests.doubles.fake_llm import FakeLLM
from tests.ui.test_report_chat import bedrock_configured, html_of, report_page
from tests.ui.test_report_interrupted import interrupt_once
from tests.ui.test_reports import open_history, open_tab

__all__ = ["bedrock_configured", "interrupt_once", "report_page"]  # fixtures used below

QUESTION = "방문자는 몇 명?"
ANSWER = "방문자는 늘었습니다."
LAST = "rep_last_view"
OPENED = "rep_history_view"


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> FakeLLM:
    fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(800, 20))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    return fake


def ask_from(at: AppTest, view: str, question: str) -> None:
    """Choose the model in the chat of ``view`` and send ``question`` from its box."""
    at.selectbox(key=f"{view}_chat_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}")
    at.run()
    (key,) = [c.key for c in at.chat_input if c.key and c.key.startswith(f"{view}_chat_")]
    at.chat_input(key=key).set_value(question).run()
    assert not at.exception, at.exception


def written(at: AppTest) -> list[Message]:
    """The chat once the model has written its answer (no run of the page in between)."""
    (chat,) = at.session_state[CHATS_KEY].values()
    reading = chat.reading
    if reading is not None:
        for _ in reading.follow():  # to its end, on the worker thread
            pass
    return list(chat.history)


def entries(history: list[Message]) -> list[tuple[str, str | None]]:
    return [(m["role"], m.get("text")) for m in history]


def test_an_answer_written_while_another_tab_is_open_is_in_the_chat(
        bedrock_configured: None, report_page: AppTest, interrupt_once: list[bool],
        model: FakeLLM) -> None:
    at = report_page
    ask_from(at, LAST, QUESTION)  # stopped when the first words are drawn
    open_history(at)  # the report and its chat are not drawn
    assert entries(written(at)) == [("user", QUESTION), ("assistant", ANSWER)]

    open_tab(at, "새 보고서")
    assert html_of(at).count(ANSWER) == 1  # once, as a finished answer
    assert entries(written(at)) == [("user", QUESTION), ("assistant", ANSWER)]
    assert len(model.requests) == 1


def test_an_answer_written_after_its_report_was_closed_is_there_on_opening_it(
        bedrock_configured: None, services: Services, report_page: AppTest,
        interrupt_once: list[bool], model: FakeLLM) -> None:
    at = open_history(report_page)
    (saved,) = services.ports.reports.list()
    at.selectbox(key="rep_history_open").set_value(saved.id).run()
    ask_from(at, OPENED, QUESTION)  # stopped when the first words are drawn
    at.selectbox(key="rep_history_open").set_value(None).run()  # the report closed
    assert not at.exception, at.exception
    assert entries(written(at)) == [("user", QUESTION), ("assistant", ANSWER)]

    at.selectbox(key="rep_history_open").set_value(saved.id).run()
    assert not at.exception, at.exception
    assert html_of(at).count(ANSWER) == 1
    assert entries(written(at)) == [("user", QUESTION), ("assistant", ANSWER)]
