"""A generation while the model writes: the page says it is writing before the first text, and
a click that stops the run (a second "generate", a tab, the language switch) neither abandons
the generation (it is read to its end and saved once) nor starts a second paid one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.adapters.aws.bedrock.lazy import LazyBedrock
from services.bootstrap import Services
from services.domain.users import User
from services.settings import Settings
from services.ui import streaming
from tests.doubles.fake_llm import FakeLLM
from tests.ui.conftest import texts
from tests.ui.test_reports import (
    bedrock_configured,
    choose_bedrock,
    generate,
    generate_key,
    open_history,
    open_reports,
    seeded,
)

__all__ = ["bedrock_configured", "seeded"]  # fixtures used below

WRITING = "보고서를 쓰는 중"


def test_the_page_says_it_is_writing_until_the_first_text_arrives() -> None:
    def page() -> None:
        from collections.abc import Iterator

        import streamlit as st

        from services.ui.reports import show_stream

        def chunks() -> Iterator[str]:
            st.stop()  # the run ends while the model has written nothing yet
            yield "## 요약\n\n"

        show_stream(chunks())

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert WRITING in texts(at)


def test_the_writing_message_makes_way_for_the_text() -> None:
    def page() -> None:
        from services.ui.reports import show_stream

        show_stream(["## 요약\n\n", "페이지 조회는 40회입니다.\n"])

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert WRITING not in texts(at) and "<h2>요약</h2>" in texts(at)


@pytest.fixture
def interrupt_once(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The first time the stream's text is drawn, the run stops as a click would stop it."""
    armed = [True]
    real = streaming.show_html

    def draw(html: str, where: Any = None) -> None:
        if armed[0]:
            armed[0] = False
            st.stop()
        real(html, where)

    monkeypatch.setattr(streaming, "show_html", draw)
    return armed


def test_a_click_while_the_model_writes_keeps_its_generation_and_starts_no_other(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        bedrock_configured: None, interrupt_once: list[bool],
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeLLM(["## 요약\n\n", "페이지 조회는 40회", "였습니다.\n"], usage=(900, 40))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = choose_bedrock(open_reports(new_app, users["analyst"].username), monkeypatch)
    key = generate_key(at)
    at.button(key=key).click().run()  # stopped while the model writes
    assert not at.exception, at.exception

    # The click that stopped it was a second "generate" on the same button: the run it starts
    # follows the generation under way, which is read to its end and saved once.
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    assert len(fake.requests) == 1
    assert len(seeded.ports.reports.list()) == 1
    assert "<h2>요약</h2>" in texts(at) and "보고서를 만들어 기록에 저장했습니다" in texts(at)
    analyst = users["analyst"].as_actor()
    assert seeded.reports.tokens_used_today(analyst) == 940  # what it used, once
    budget = Settings().report_daily_token_budget
    (left,) = [m.value for m in at.metric if m.label == "오늘 남은 예산"]
    assert left == f"{budget - 940:,} / {budget:,}"

    generate(at)  # a deliberate click generates
    assert len(fake.requests) == 2 and len(seeded.ports.reports.list()) == 2


def test_a_generation_left_for_the_history_tab_is_saved(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        interrupt_once: list[bool]) -> None:
    at = open_reports(new_app, users["analyst"].username)
    generate(at)  # stopped while the narrator writes, by a click on the other tab
    open_history(at)
    assert not at.exception, at.exception
    assert len(seeded.ports.reports.list()) == 1
