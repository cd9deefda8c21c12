"""What sign-up learned, on the dashboard: the companies tab (administrators and analysts) and
the purposes signed-up users gave, next to the answers to the visit-purpose question."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import OTHER_COMPANY, EventType
from services.domain.users import User
from tests.ui.conftest import assert_refused, errors, texts
from tests.ui.live_panel import off_panel
from tests.ui.test_dashboard import DASHBOARD, event, open_dashboard

HYPERLINK = '=HYPERLINK("http://evil.example","클릭")'


@pytest.fixture
def seeded(services: Services) -> Services:
    pv, cv = EventType.PAGE_VIEW, EventType.CONTENT_VIEW
    events = [
        event(services, 0, pv, page="home", user_id="kim",
              properties={"company": "에이씨미", "visit": True}),
        event(services, 0, pv, page="browse", user_id="kim", properties={"company": "에이씨미"}),
        event(services, 0, cv, content_id="c1", category="finance", author_id="a1",
              user_id="kim", properties={"company": "에이씨미"}),
        event(services, 0, pv, page="home", user_id="eve",
              properties={"company": HYPERLINK, "visit": True}),
        event(services, 0, pv, page="home", user_id="lee",
              properties={"company": OTHER_COMPANY, "visit": True}),
        event(services, 0, EventType.VISITOR_PURPOSE, user_id="kim",
              properties={"purpose": "technical-evaluation", "source": "profile"}),
        event(services, 0, EventType.VISITOR_PURPOSE, properties={"purpose": "research"}),
    ]
    services.ports.events.append(events)
    return services


def open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state["analytics_tab"] = label
    at.run()
    assert not at.exception and not errors(at), errors(at)
    return at


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_the_companies_table_shows_each_company_as_plain_text(
    role: str, new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users[role].username)
    assert "회사" in [tab.label for tab in at.tabs]
    open_tab(at, "회사")

    frame = off_panel(at, "dataframe")[0].value
    assert list(frame.columns) == ["회사", "방문자", "페이지 조회", "콘텐츠 조회"]
    rows = {row[0]: tuple(row[1:]) for row in frame.itertuples(index=False)}
    assert rows == {"에이씨미": (1, 2, 1), HYPERLINK: (1, 1, 0), "기타 회사": (1, 1, 0)}
    assert list(rows)[-1] == "기타 회사"  # the companies beyond the daily limit come last
    assert [b.proto.label for b in at.get("download_button")] == ["CSV 내려받기"]


@pytest.mark.parametrize("role", [None, "viewer", "author"])
def test_no_one_else_reaches_the_companies(
    role: str | None, new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = new_app(users[role].username if role else None)
    at.run()
    assert_refused(at, DASHBOARD)
    assert "에이씨미" not in texts(at)


def test_the_purposes_tab_shows_signed_up_purposes_next_to_the_answers(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "방문 목적")

    assert "가입 사용자의 방문 목적" in texts(at)
    answers, signed_up = (d.value for d in off_panel(at, "dataframe"))
    assert answers.iloc[0, 0] == "리서치" and answers.iloc[0, 1] == 1
    assert signed_up.values.tolist()[0][:2] == ["기술 검토", 1]
    charts = {c.key for c in off_panel(at, "plotly_chart")}
    assert charts == {"chart_purposes", "chart_signup_purposes"}
