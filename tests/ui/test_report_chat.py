"""Follow-up questions under a report through AppTest: an offline answer from the report's data,
a hostile question kept literal, a model's made-up number marked, and a refused question."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.testing.v1 import AppTest

from services.adapters.aws.bedrock.lazy import LazyBedrock
from services.bootstrap import Services
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.errors import ServiceUnavailable
from services.reports.cost import estimate_tokens
from services.settings import Settings
from services.ui.report_chat import CHATS_KEY, Message, _Chat
from tests.doubles.fake_llm import FakeLLM
from tests.ui.conftest import texts
from tests.ui.test_report_interrupted import interrupt_once
from tests.ui.test_reports import generate, open_reports, open_tab, seed

__all__ = ["interrupt_once"]  # a fixture used below

CHAT = "rep_last_view_chat"
INTERRUPTED = "답변이 중단되었습니다"


@pytest.fixture
def report_page(new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
                make_item: Callable[..., ContentItem]) -> AppTest:
    """An analyst's page with an offline report just generated (12 views of one item)."""
    seed(services, make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI))
    return generate(open_reports(new_app, users["analyst"].username))


def html_of(at: AppTest) -> str:
    return "\n".join(str(e.proto.body) for e in at.get("html"))


def history_of(at: AppTest) -> list[Message]:
    """The chat of the one report on the page: its questions and answers."""
    (chat,) = at.session_state[CHATS_KEY].values()
    return list(chat.history)


def chat_key(at: AppTest) -> str:
    """The key of the question box as drawn: it carries the chat's submission token."""
    (key,) = [c.key for c in at.chat_input if c.key and c.key.startswith(CHAT)]
    return key


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input(key=chat_key(at)).set_value(question).run()
    assert not at.exception, at.exception
    return at


def test_an_offline_report_answers_the_top_category_question(report_page: AppTest) -> None:
    at = ask(report_page, "가장 많이 본 카테고리는?")
    shown = html_of(at)
    assert "가장 많이 본 카테고리는?" in shown  # the question, in the history
    assert "콘텐츠 조회가 가장 많은 카테고리는 생성형 AI입니다" in shown and "12회" in shown
    assert "<mark" not in shown.split("가장 많은 카테고리는", 1)[1]
    assert "답 속 숫자" in texts(at) and "모두 보고서 데이터와 일치합니다" in texts(at)
    history = history_of(at)
    assert [m["role"] for m in history] == ["user", "assistant"]
    at.run()  # the conversation stays on the next run
    assert "생성형 AI입니다" in html_of(at)


def test_a_hostile_question_stays_literal(report_page: AppTest) -> None:
    hostile = '<img src=x onerror="alert(1)"> **굵게** [링크](https://evil.example)'
    at = ask(report_page, hostile)
    shown = html_of(at)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in shown
    assert "<img" not in shown and "<strong>굵게" not in shown and 'href="https://evil' \
        not in shown
    assert "오프라인 모드에서는 다음과 같은 질문에" in shown  # unknown: the help text


@pytest.fixture
def bedrock_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # Bedrock looks configured
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_a_model_s_made_up_number_is_marked(bedrock_configured: None, report_page: AppTest,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeLLM(["콘텐츠 조회는 12회", "이고 방문자는 <b>9876명</b>입니다."], usage=(800, 20))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = report_page
    at.selectbox(key=f"{CHAT}_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}")
    at.run()
    ask(at, "방문자는 몇 명?")
    (sent,) = fake.requests
    assert "<data>" in sent.prompt and '"방문자는 몇 명?"' in sent.prompt
    shown = html_of(at)
    assert "<strong>9876</strong></mark>" in shown and "&lt;b&gt;" in shown
    assert "답 속 숫자 1개가 보고서 데이터에 없습니다" in texts(at)


def test_a_click_while_the_model_answers_keeps_the_whole_answer(
        bedrock_configured: None, report_page: AppTest, interrupt_once: list[bool],
        services: Services, users: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    """A click while the model answers stops only the run that shows the answer: the answer
    is read to its end all the same, lands whole in the history on the next run, and counts
    what the model used, once."""
    fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(800, 20))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = report_page  # drawn before ``interrupt_once`` was armed
    at.selectbox(key=f"{CHAT}_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}")
    at.run()
    assert interrupt_once == [True]
    ask(at, "방문자는 몇 명?")  # stopped when the first words are drawn
    (box,) = [c for c in at.chat_input if c.key and c.key.startswith(CHAT)]
    assert not box.proto.disabled  # open for the next question, which waits its turn

    at.run()  # the run of the click that stopped it
    assert not at.exception, at.exception
    assert "방문자는 몇 명?" in html_of(at) and "방문자는 늘었습니다." in html_of(at)
    assert not any(INTERRUPTED in w.value for w in at.warning), [w.value for w in at.warning]
    history = history_of(at)
    assert [(m["role"], m.get("text")) for m in history] == [
        ("user", "방문자는 몇 명?"), ("assistant", "방문자는 늘었습니다.")]
    assert len(fake.requests) == 1
    analyst = users["analyst"].as_actor()
    assert services.reports.tokens_used_today(analyst) == 820  # what it used, once


def _other_tab_and_back(at: AppTest) -> None:
    open_tab(at, "보고서 기록")
    open_tab(at, "새 보고서")


def _english(at: AppTest) -> None:
    at.radio(key="df_lang_widget").set_value("en").run()


@pytest.mark.parametrize("click", [_other_tab_and_back, _english])
def test_an_answer_left_for_another_tab_or_language_is_kept_whole(
        bedrock_configured: None, report_page: AppTest, interrupt_once: list[bool],
        monkeypatch: pytest.MonkeyPatch, click: Callable[[AppTest], None]) -> None:
    fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(800, 20))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = report_page
    at.selectbox(key=f"{CHAT}_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}")
    at.run()
    ask(at, "방문자는 몇 명?")  # stopped while the model answers, by the click below
    click(at)
    assert not at.exception, at.exception
    assert [(m["role"], m.get("text")) for m in history_of(at)] == [
        ("user", "방문자는 몇 명?"), ("assistant", "방문자는 늘었습니다.")]
    assert "방문자는 늘었습니다." in html_of(at) and len(fake.requests) == 1


def test_a_model_failing_mid_answer_shows_its_error_after_a_click(
        bedrock_configured: None, report_page: AppTest, interrupt_once: list[bool],
        services: Services, users: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    """The one way an answer still ends early is the model's: its error is what the chat
    keeps, and what it wrote before it failed is counted once."""
    fake = FakeLLM(["방문자는 ", "늘었습니다."], fail_with=ServiceUnavailable("llm.err_timeout"),
                   fail_after=1)
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = report_page
    at.selectbox(key=f"{CHAT}_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}")
    at.run()
    ask(at, "방문자는 몇 명?")  # stopped when the first words are drawn
    at.run()
    assert not at.exception, at.exception
    history = history_of(at)
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert "모델 응답이 너무 오래 걸렸습니다" in history[1]["error"]
    assert any("모델 응답이 너무 오래 걸렸습니다" in e.value for e in at.error)
    assert not any(INTERRUPTED in w.value for w in at.warning)
    (sent,) = fake.requests
    spent = services.reports.tokens_used_today(users["analyst"].as_actor())
    assert spent == estimate_tokens(sent.system + sent.prompt) + estimate_tokens("방문자는 ")


def second_send(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second send arriving as soon as the question was sent: the run that took it stops at
    its next Streamlit call, before the page has drawn the box of the next question."""
    real = _Chat.send

    def send_and_stop(chat: _Chat, question: Any) -> None:
        real(chat, question)
        ctx = get_script_run_ctx()
        assert ctx is not None and ctx.script_requests is not None
        ctx.script_requests.request_stop()
        monkeypatch.setattr(_Chat, "send", real)  # only the first

    monkeypatch.setattr(_Chat, "send", send_and_stop)


def test_a_question_sent_twice_is_asked_once(
        bedrock_configured: None, report_page: AppTest, monkeypatch: pytest.MonkeyPatch,
        ) -> None:
    """A second send of the same box (a double Enter, sent before the page redrew) names a
    box no longer drawn: the question is asked once, and its answer shown."""
    fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(800, 20))
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    at = report_page
    at.selectbox(key=f"{CHAT}_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}")
    at.run()
    sent_from = chat_key(at)
    second_send(at, monkeypatch)
    ask(at, "방문자는 몇 명?")  # the first send, stopped by the second one
    at.chat_input(key=sent_from).set_value("방문자는 몇 명?").run()
    assert not at.exception, at.exception
    assert len(fake.requests) == 1
    assert [m["role"] for m in history_of(at)] == ["user", "assistant"]
    assert "방문자는 늘었습니다." in html_of(at)
    assert chat_key(at) != sent_from  # the next question is asked from a new box
    ask(at, "왜 늘었어?")
    assert len(fake.requests) == 2


def test_an_over_budget_question_is_refused_with_the_reason(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("DEMO_FACTORY_REPORT_DAILY_TOKEN_BUDGET", "1000")
    fake = FakeLLM(text="OK")
    monkeypatch.setattr(LazyBedrock, "stream", lambda self, request: fake.stream(request))
    seed(services, make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI))
    at = generate(open_reports(new_app, users["analyst"].username))
    at.selectbox(key=f"{CHAT}_model_ko").set_value(f"bedrock:{Settings().bedrock_model_id}")
    at.run()
    ask(at, "왜 늘었어?")
    (refused,) = [e.value for e in at.error if "오늘의 보고서 토큰 예산을 넘습니다" in e.value]
    # The chat's own reason: what the question needs and when the budget starts again, not
    # the report's advice to lower a maximum that the chat does not have.
    assert "이 질문에 답하려면" in refused and "최대 토큰을 줄이" not in refused, refused
    shown = refused.replace("\\", "")  # the markdown escapes of the time's "-" and ":"
    assert re.search(r"\d{4}-\d{2}-\d{2} 00:00 KST에 다시 채워집니다", shown), refused
    assert fake.requests == []


def test_in_the_emulation_the_chat_does_not_send_the_user_to_a_model_it_cannot_pick(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """"Choose a Bedrock model to ask freely" stood under a list that offers none there."""
    from tests.ui.conftest import ko

    monkeypatch.setenv("DEMO_FACTORY_EMULATION", "true")
    seed(services, make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI))
    at = generate(open_reports(new_app, users["analyst"].username))
    shown = texts(at)
    assert ko("followup.chat_offline_note") not in shown
    assert ko("followup.chat_offline_emulated") in shown
