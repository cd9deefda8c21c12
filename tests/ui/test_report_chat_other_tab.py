"""A tab that shows a report's chat picks up the questions the same person asks in another tab:
the chat's history is a fragment that reruns on its own (``run_every``), reads the asker's kept
turns and shows the new ones, without a reload and without touching the question box."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.reports import ChatTurn
from services.domain.users import User
from services.reports.models import OFFLINE
from services.reports.service import MAX_QUESTION_CHARS
from services.ui.report_chat import CHATS_KEY, _Chat, _Question
from tests.ui.fragment_runs import run_fragment
from tests.ui.test_report_chat import CHAT, ask, chat_key, html_of, report_page

__all__ = ["report_page"]  # a fixture used below

HERE = "가장 많이 본 카테고리는?"
THERE = "방문자는 몇 명?"
THERE_ANSWER = "방문자"
HISTORY = f"{CHAT}_history"  # the history's fragment
TOO_LONG = "x" * (MAX_QUESTION_CHARS + 1)


def ask_in_another_tab(services: Services, user: User, question: str) -> None:
    """The same person asks in another tab: the service keeps the turn once its answer ends."""
    (saved,) = services.ports.reports.list()
    answer = services.reports.ask(user.as_actor(), saved.id, question, OFFLINE, "ko")
    for _ in answer:
        pass


def chat_of(at: AppTest) -> _Chat:
    (chat,) = at.session_state[CHATS_KEY].values()
    return cast(_Chat, chat)


def test_a_question_asked_in_another_tab_appears_when_the_history_reruns(
    report_page: AppTest, services: Services, users: dict[str, User]
) -> None:
    at = report_page
    box = chat_key(at)
    ask_in_another_tab(services, users["analyst"], THERE)
    assert THERE not in html_of(at)

    run_fragment(at, HISTORY)
    shown = html_of(at)  # the fragment's elements: the history
    assert shown.count(THERE) == 1 and THERE_ANSWER in shown.split(THERE, 1)[1]
    assert not at.chat_input  # the question box was not drawn again: what is typed stays
    assert box.endswith(chat_of(at).token)

    run_fragment(at, HISTORY)  # nothing new: the same history
    assert html_of(at).count(THERE) == 1
    at.run()  # and the page's next run shows it once too
    assert html_of(at).count(THERE) == 1 and chat_key(at) == box


def test_this_tab_s_own_question_is_not_news_and_another_s_comes_after_it(
    report_page: AppTest, services: Services, users: dict[str, User]
) -> None:
    at = ask(report_page, HERE)  # shown under the history by the page's run
    run_fragment(at, HISTORY)
    assert HERE not in html_of(at)  # not drawn a second time in the history above it
    assert [m["role"] for m in chat_of(at).history] == ["user", "assistant"]

    ask_in_another_tab(services, users["analyst"], THERE)
    run_fragment(at, HISTORY)  # the page runs again: each message drawn once
    shown = html_of(at)
    assert shown.count(HERE) == 1 and shown.count(THERE) == 1
    assert shown.index(HERE) < shown.index(THERE)
    assert chat_key(at).endswith(chat_of(at).token)


def test_a_refused_question_stays_where_it_was_asked(
    report_page: AppTest, services: Services, users: dict[str, User]
) -> None:
    """A question refused before anything was asked is kept by no store, yet stays in the
    tab's history, in its place, when another tab's question comes in."""
    at = ask(report_page, HERE)
    ask(at, TOO_LONG)  # refused, nothing asked
    refused = len(chat_of(at).history)
    assert refused == 4
    ask_in_another_tab(services, users["analyst"], THERE)
    run_fragment(at, HISTORY)
    history = chat_of(at).history
    assert [m.get("text") for m in history if m["role"] == "user"] == [HERE, TOO_LONG, THERE]


def test_a_chat_writing_an_answer_or_with_questions_waiting_reads_nothing() -> None:
    """This tab's own turns are landing then: the refresh waits for the next rerun."""
    reads: list[int] = []

    def read() -> list[ChatTurn]:
        reads.append(1)
        return []

    waiting = _Chat(waiting=[_Question(HERE, OFFLINE, "ko")])
    assert not waiting.refresh(read)
    writing = _Chat(reading=cast(Any, object()))
    assert not writing.refresh(read)
    assert reads == []
    assert not _Chat().refresh(read) and reads == [1]  # idle: one read, nothing new


def test_a_chat_whose_count_did_not_move_reads_no_turns() -> None:
    """The check every few seconds is one count; the turns are read only once it moved."""
    reads: list[int] = []

    def read() -> list[ChatTurn]:
        reads.append(1)
        return [ChatTurn(question=THERE, language="ko", answer="답", checked=0, unmatched=0,
                         at=datetime.now(UTC))]

    chat = _Chat()
    assert not chat.refresh(read, lambda: 0) and reads == []
    assert chat.refresh(read, lambda: 1) and reads == [1]
    assert [m.get("text") for m in chat.history if m["role"] == "user"] == [THERE]
