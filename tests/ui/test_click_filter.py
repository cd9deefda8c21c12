"""Click to filter through AppTest: a chart selection (sent as the browser sends it: the
chart's widget state) filters the dashboard, shows a removable chip and writes the URL; a link
with those query parameters opens the same view."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import EventType
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.ui.dashboard import FILTERS_OPEN_KEY
from services.ui.i18n import t
from tests.ui.conftest import errors, texts
from tests.ui.test_dashboard import DASHBOARD, event, metric, open_dashboard, views


@pytest.fixture
def items(make_item: Callable[..., ContentItem]) -> dict[str, ContentItem]:
    return {
        "genai": make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI),
        "finance": make_item("금융 리스크 데모", category=Category.FINANCE),
    }


@pytest.fixture
def seeded(services: Services, items: dict[str, ContentItem]) -> Services:
    """Today: 4 GenAI views, 1 Finance view, a page view and an answered purpose. Ten days ago
    (in the last 30 days, not the last 7): 2 Finance views."""
    events = views(services, items["genai"], 0, 4) + views(services, items["finance"], 0, 1)
    events.append(event(services, 0, EventType.PAGE_VIEW, page="home"))
    events.append(event(services, 0, EventType.VISITOR_PURPOSE,
                        properties={"purpose": "customer-demo", "vp": "customer-demo"}))
    events += views(services, items["finance"], 10, 2)
    services.ports.events.append(events)
    return services


def open_tab(at: AppTest, name: str) -> None:
    at.session_state["analytics_tab"] = t(f"analytics.tab.{name}")
    at.run()
    assert not at.exception, at.exception


def click(at: AppTest, chart_key: str, **point: Any) -> None:
    """What a click on a bar sends: the chart's selection state, a point selection."""
    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(chart_key)]
    assert charts, [c.proto.id for c in at.get("plotly_chart")]
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = charts[0].proto.id
    state.string_value = json.dumps({"selection": {"points": [point], "point_indices": [
        point.get("point_index")], "box": [], "lasso": []}})
    at._run(WidgetStates(widgets=list(states.widgets)))
    assert not at.exception, at.exception
    assert not errors(at), errors(at)


def chips(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("dash_chip_")]


def test_a_bar_click_filters_by_that_item_shows_a_chip_and_writes_the_url(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        items: dict[str, ContentItem]) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    assert metric(at, "콘텐츠 조회") == "5"
    open_tab(at, "content")
    # Bars are drawn largest on top, so in trace order the Finance item (1 view) comes first.
    click(at, "chart_content", point_index=0, x=1, y="금융 리스크 데모")
    finance = items["finance"]
    assert metric(at, "콘텐츠 조회") == "1"
    assert any("금융 리스크 데모" in chip for chip in chips(at)), chips(at)
    assert at.query_params["item"] == finance.id
    # The chip's x removes the filter, and the URL follows.
    next(b for b in at.button if b.key == "dash_chip_item").click().run()
    assert metric(at, "콘텐츠 조회") == "5"
    assert "item" not in at.query_params
    assert not [c for c in chips(at) if "✕" in c]


def test_a_link_with_filters_opens_the_same_view(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        items: dict[str, ContentItem]) -> None:
    at = new_app(users["analyst"].username)
    at.run()
    at.query_params.update({"period": "30d", "category": "Finance", "lang": "ko"})
    at.switch_page(DASHBOARD).run()
    assert not at.exception, at.exception
    assert metric(at, "콘텐츠 조회") == "3"  # 1 today + 2 ten days ago, Finance only
    assert any("카테고리" in chip for chip in chips(at)), chips(at)
    assert at.query_params["period"] == "30d" and at.query_params["lang"] == "ko"


def test_the_run_arriving_from_another_page_leaves_the_address_to_the_next_run(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = new_app(users["analyst"].username)
    at.run()
    at.query_params.update({"category": "Finance"})
    at.switch_page(DASHBOARD).run()
    at.switch_page("app_pages/home.py").run()

    at.query_params.clear()  # the menu's link carries no parameters
    at.switch_page(DASHBOARD).run()

    assert metric(at, "콘텐츠 조회") == "1"  # the session's view: Finance
    # The browser still shows home's address while this run draws: a write now would make a
    # history entry of home's path with the dashboard's filters.
    assert dict(at.query_params) == {}
    at.run()
    assert dict(at.query_params) == {"category": "Finance"}


def test_invalid_link_values_are_ignored_with_a_notice(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = new_app(users["analyst"].username)
    at.run()
    at.query_params.update({"category": "Astrology", "hour": "99"})
    at.switch_page(DASHBOARD).run()
    assert not at.exception, at.exception
    assert metric(at, "콘텐츠 조회") == "5"
    assert any("category" in w.value and "hour" in w.value for w in at.warning), texts(at)


def test_a_trend_point_sets_the_period_to_that_day(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    today = seeded.analytics.today()
    click(at, "chart_trend", point_index=6, x=today.isoformat())
    assert metric(at, "콘텐츠 조회") == "5"
    assert (at.query_params["period"], at.query_params["start"], at.query_params["end"]) == (
        "custom", today.isoformat(), today.isoformat())


def test_a_purpose_click_filters_by_the_segment_and_blanks_what_it_cannot_split(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    tagged = [event(seeded, 0, EventType.PAGE_VIEW, page="home",
                    properties={"vp": "customer-demo"}) for _ in range(2)]
    seeded.ports.events.append(tagged)
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "purposes")
    # Eight purposes, the answered one (customer-demo) on top: last in trace order.
    click(at, "chart_purposes", point_index=7)
    # The app's own page views (this test's runs) carry no purpose: only the two tagged ones.
    assert metric(at, "페이지 조회") == "2"
    assert metric(at, "방문자") == "—"
    assert at.query_params["purpose"] == "customer-demo"
    assert any("방문 목적" in chip for chip in chips(at)), chips(at)


def test_a_slice_click_sets_the_category_its_select_box_and_the_chip_clears_both(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_dashboard(new_app, users["analyst"].username, FILTERS_OPEN_KEY)
    open_tab(at, "categories")
    # Slices with views, in table order: Generative AI (4 views), then Finance (1).
    click(at, "chart_categories", point_index=1, label="금융")
    assert metric(at, "콘텐츠 조회") == "1"
    assert at.selectbox(key="dash_category_ko").value == Category.FINANCE.value
    assert at.query_params["category"] == Category.FINANCE.value
    next(b for b in at.button if b.key == "dash_chip_clear").click().run()
    assert metric(at, "콘텐츠 조회") == "5"
    assert at.selectbox(key="dash_category_ko").value == ""
    assert "category" not in at.query_params


def test_a_source_from_a_link_stays_literal_text_in_chips_and_titles(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    source = "<a href='//evil.example'>x</a>"
    seeded.ports.events.append([event(seeded, 0, EventType.PAGE_VIEW, page="home",
                                      properties={"src": source})])
    at = new_app(users["analyst"].username)
    at.run()
    at.query_params.update({"source": source})
    at.switch_page(DASHBOARD).run()
    assert not at.exception, at.exception
    assert metric(at, "페이지 조회") == "1"
    chip = next(b for b in at.button if b.key == "dash_chip_source")
    assert "evil" in chip.label and "](" not in chip.label
    layouts = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
    # A chart's title, or its panels' titles (the trend's two panels)
    titles = [text for layout in layouts
              for text in ([layout["title"]["text"]] if "title" in layout else [])
              + [note["text"] for note in layout.get("annotations", [])]]
    assert any("&lt;a href=" in title for title in titles), titles
    assert not any("<a " in title for title in titles)
