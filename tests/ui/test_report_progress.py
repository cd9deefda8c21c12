"""While a report is made the page says which step it is at (reading the usage data, writing
the narrative, checking its numbers, saving), in the page's language, offline and with a
model; once the report is shown no step is left on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.adapters.aws.bedrock.lazy import LazyBedrock
from services.bootstrap import Services
from services.domain.users import User
from services.ui import reports as reports_ui
from services.ui.i18n import LANG_KEY
from tests.doubles.fake_llm import FakeLLM
from tests.ui.conftest import texts
from tests.ui.test_reports import (
    bedrock_configured,
    choose_bedrock,
    generate,
    open_reports,
    seeded,
)

__all__ = ["bedrock_configured", "seeded"]  # fixtures used below

KO_STEPS = ["사용 데이터를 읽는 중… (1/4)", "보고서 본문을 쓰는 중… (2/4)",
            "본문의 숫자를 데이터와 맞춰 보는 중… (3/4)", "보고서를 저장하는 중… (4/4)"]
EN_STEPS = ["Reading the usage data… (1/4)", "Writing the narrative… (2/4)",
            "Checking the numbers against the data… (3/4)", "Saving the report… (4/4)"]


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each step line the page drew, in order."""
    lines: list[str] = []
    real = reports_ui.show_phase

    def recorded(where: Any, phase: Any) -> None:
        real(where, phase)
        text = reports_ui.phase_text(phase)
        if text and text not in lines[-1:]:  # a later run may draw the step it is at again
            lines.append(text)

    monkeypatch.setattr(reports_ui, "show_phase", recorded)
    return lines


def test_an_offline_report_shows_each_step_then_the_report(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        drawn: list[str]) -> None:
    at = generate(open_reports(new_app, users["analyst"].username))

    assert drawn == KO_STEPS
    shown = texts(at)
    assert "보고서를 만들어 기록에 저장했습니다" in shown and "<h2>요약</h2>" in shown
    assert not any(step in shown for step in KO_STEPS)  # the steps make way for the report


def test_a_model_s_report_shows_each_step_while_its_text_arrives(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        bedrock_configured: None, monkeypatch: pytest.MonkeyPatch, drawn: list[str]) -> None:
    fake = FakeLLM(["## 요약\n\n", "페이지 조회는 40회입니다.\n"], usage=(900, 40))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = generate(choose_bedrock(open_reports(new_app, users["analyst"].username), monkeypatch))

    assert drawn == KO_STEPS
    assert "보고서를 만들어 기록에 저장했습니다" in texts(at)


def test_the_steps_read_in_english_on_an_english_page() -> None:
    def page() -> None:
        import streamlit as st

        from services.reports.streams import Phase
        from services.ui.reports import show_phase

        for phase in Phase:
            show_phase(st.empty(), phase)

    at = AppTest.from_function(page)
    at.session_state[LANG_KEY] = "en"
    at.run()
    assert not at.exception, at.exception
    assert [c.value for c in at.caption] == [f":material/progress_activity: {step}"
                                             for step in EN_STEPS]
