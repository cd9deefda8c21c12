"""The follow-up chat outlives the page's session: a reload or another tab (a new AppTest) finds
the asker's questions and answers under the report again; another person's view of the same
report does not show them."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.users import User
from tests.ui.test_report_chat import ask, html_of, report_page
from tests.ui.test_reports import open_history, open_reports

__all__ = ["report_page"]  # a fixture used below

QUESTION = "가장 많이 본 카테고리는?"
ANSWER = "콘텐츠 조회가 가장 많은 카테고리는 생성형 AI입니다"


def open_saved(at: AppTest, services: Services) -> AppTest:
    open_history(at)
    (saved,) = services.ports.reports.list()
    at.selectbox(key="rep_history_open").set_value(saved.id).run()
    assert not at.exception, at.exception
    return at


def test_a_new_tab_shows_the_questions_asked_before(
        report_page: AppTest, new_app: Callable[..., AppTest], users: dict[str, User],
        services: Services) -> None:
    ask(report_page, QUESTION)
    again = open_saved(open_reports(new_app, users["analyst"].username), services)
    shown = html_of(again)
    assert shown.count(QUESTION) == 1 and shown.count(ANSWER) == 1
    assert "12회" in shown.split(ANSWER, 1)[1]

    other = open_saved(open_reports(new_app, users["admin"].username), services)
    assert QUESTION not in html_of(other)  # each person's own conversation
