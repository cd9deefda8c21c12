"""The dashboard's "now" panel through AppTest: the numbers of the last minutes, the items
visitors are on (by title), and what it says when nobody is there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import Event, EventType
from services.domain.models import Category, ContentItem, utcnow
from services.domain.users import User
from services.ui.live_now import OPEN_KEY
from tests.ui.conftest import shown_tiles, texts, tile_value
from tests.ui.test_dashboard import open_dashboard


def recent(minutes_ago: float, type_: EventType, session: str, **fields: object) -> Event:
    return Event(id=f"live-{session}-{type_}-{minutes_ago}", type=type_, session_id=session,
                 ts=utcnow() - timedelta(minutes=minutes_ago), **fields)  # type: ignore[arg-type]



def metric(at: AppTest, label: str) -> str:
    return tile_value(at, label)


@pytest.fixture
def quiet_tracker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's own page views stay in the tracker's buffer: the panel shows the seed only."""
    monkeypatch.setenv("DEMO_FACTORY_TRACKER_FLUSH_SECONDS", "3600")


def test_the_panel_shows_who_is_on_the_site_and_where(
    quiet_tracker: None, new_app: Callable[..., AppTest], users: dict[str, User],
    services: Services, make_item: Callable[..., ContentItem],
) -> None:
    genai = make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI)
    services.ports.events.append([
        recent(2.5, EventType.PAGE_VIEW, "a", page="category_finance"),
        recent(2, EventType.CONTENT_VIEW, "a", content_id=genai.id,
               category=str(genai.category), author_id=genai.author_id),
        recent(3, EventType.PAGE_VIEW, "b", page="home"),
        recent(12, EventType.PAGE_VIEW, "c", page="home"),
        recent(1, EventType.PAGE_VIEW, "demo", page="home", sample=True),  # not a real visit
    ])
    at = open_dashboard(new_app, users["analyst"].username, OPEN_KEY)
    assert metric(at, "최근 5분 방문자") == "2"
    assert metric(at, "최근 30분 방문자") == "3"
    assert "chart_live_minutes" in [chart.key for chart in at.get("plotly_chart")]
    pages, on_items = at.dataframe[0].value, at.dataframe[1].value
    # Pages by the names the menu gives them, not their addresses.
    assert dict(zip(pages["페이지"], pages["방문자"], strict=True)) == {"홈": 2, "금융": 1}
    assert on_items["콘텐츠"].tolist() == ["생성형AI 챗봇"]
    assert "지금 접속 중" in [e.label for e in at.expander]
    assert not [b for b in at.get("download_button") if "live" in str(b.proto.id)]

    at.radio(key="df_lang_widget").set_value("en").run()
    assert metric(at, "Visitors (30 min)") == "3"
    assert set(at.dataframe[0].value["Page"]) == {"Home", "Finance"}
    assert "Live now" in [e.label for e in at.expander]


def test_nobody_there_says_so(
    quiet_tracker: None, new_app: Callable[..., AppTest], users: dict[str, User],
) -> None:
    at = open_dashboard(new_app, users["admin"].username, OPEN_KEY)
    assert "최근 30분 동안 방문자가 없습니다" in texts(at)
    assert "최근 5분 방문자" not in [shown.label for shown in shown_tiles(at)]


def test_a_closed_panel_is_neither_read_nor_drawn(
    quiet_tracker: None, new_app: Callable[..., AppTest], users: dict[str, User],
    services: Services,
) -> None:
    services.ports.events.append([recent(2, EventType.PAGE_VIEW, "a", page="home")])
    at = open_dashboard(new_app, users["analyst"].username)
    assert "지금 접속 중" in [e.label for e in at.expander]  # folded at first, there to open
    assert "최근 5분 방문자" not in [shown.label for shown in shown_tiles(at)]
    assert "chart_live_minutes" not in [chart.key for chart in at.get("plotly_chart")]

    at.session_state[OPEN_KEY] = True  # what opening it sends
    at.run()
    assert metric(at, "최근 5분 방문자") == "1"
    at.switch_page("app_pages/home.py").run()
    at.switch_page("app_pages/dashboard.py").run()
    assert metric(at, "최근 5분 방문자") == "1"  # opened, it stays open for the session

    at.session_state[OPEN_KEY] = False  # what closing it sends
    at.run()
    assert not at.exception, at.exception
    assert "최근 5분 방문자" not in [shown.label for shown in shown_tiles(at)]
    assert "chart_live_minutes" not in [chart.key for chart in at.get("plotly_chart")]
