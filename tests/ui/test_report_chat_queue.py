"""Questions while an answer is being written: the box stays as it was (what is typed in it and
not yet sent stays), a question sent meanwhile waits, shown as waiting, and is asked once when
the answer before it has ended."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from services.adapters.aws.bedrock.lazy import LazyBedrock
from services.domain.llm import LLMRequest, LLMResult, LLMStream
from services.settings import Settings
from tests.doubles.fake_llm import FakeLLM
from tests.ui.conftest import texts
from tests.ui.test_report_chat import (
    CHAT,
    ask,
    bedrock_configured,
    history_of,
    html_of,
    report_page,
)
from tests.ui.test_report_interrupted import interrupt_once

__all__ = ["bedrock_configured", "interrupt_once", "report_page"]  # fixtures used below

FIRST, SECOND = "방문자는 몇 명?", "왜 늘었어?"
WAITING = "앞의 답변이 끝나면 묻습니다"


class HeldModel:
    """A model whose first answer stops after its first words until ``go`` is set."""

    def __init__(self) -> None:
        self.fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(800, 20))
        self.go = threading.Event()

    def stream(self, request: LLMRequest) -> LLMStream:
        return LLMStream(self._body(self.fake.stream(request), len(self.fake.requests) == 1))

    def _body(self, stream: LLMStream, held: bool) -> Iterator[str]:
        for number, chunk in enumerate(stream):
            if held and number == 1:
                assert self.go.wait(10)
            yield chunk
        result: LLMResult = stream.result()
        return result  # type: ignore[return-value]  # a generator's return: the usage


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> HeldModel:
    held = HeldModel()
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: held.stream(request))
    return held


def box_of(at: AppTest) -> tuple[str, bool]:
    """The question box as drawn: its key (which carries the submission token), disabled."""
    (box,) = [c for c in at.chat_input if c.key and c.key.startswith(CHAT)]
    return str(box.key), bool(box.proto.disabled)


def answering(at: AppTest) -> AppTest:
    """Choose the model and ask the first question; the run stops when the first words are
    drawn, and the model is still writing."""
    at.selectbox(key=f"{CHAT}_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}")
    at.run()
    return ask(at, FIRST)


def test_the_box_stays_the_same_while_an_answer_is_written(
        bedrock_configured: None, report_page: AppTest, interrupt_once: list[bool],
        model: HeldModel) -> None:
    """A box drawn again under another key is a new, empty box: what someone was typing
    while the model wrote would vanish."""
    at = answering(report_page)
    drawn = box_of(at)
    assert drawn[1] is False  # open for the next question
    interrupt_once[0] = True  # another run (a click) while the model still writes
    at.run()
    assert not at.exception, at.exception
    assert box_of(at) == drawn
    model.go.set()
    at.run()  # the answer ends: the box is still the one typed in
    assert box_of(at) == drawn
    assert [m["role"] for m in history_of(at)] == ["user", "assistant"]


def test_a_question_sent_while_an_answer_is_written_waits_and_is_asked_once(
        bedrock_configured: None, report_page: AppTest, interrupt_once: list[bool],
        model: HeldModel) -> None:
    at = answering(report_page)
    interrupt_once[0] = True  # the run of the second question stops too, the model held
    ask(at, SECOND)
    assert SECOND in html_of(at) and WAITING in texts(at)  # shown, waiting its turn
    assert len(model.fake.requests) == 1

    model.go.set()
    at.run()
    assert not at.exception, at.exception
    assert [(m["role"], m.get("text")) for m in history_of(at)] == [
        ("user", FIRST), ("assistant", "방문자는 늘었습니다."),
        ("user", SECOND), ("assistant", "방문자는 늘었습니다.")]
    assert len(model.fake.requests) == 2 and SECOND in model.fake.requests[1].prompt
    assert WAITING not in texts(at)
    at.run()
    assert len(model.fake.requests) == 2  # asked once
    assert html_of(at).count(SECOND) == 1
