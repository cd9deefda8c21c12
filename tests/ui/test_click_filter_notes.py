"""A tab that does not apply an active dashboard filter says which, in the reader's language;
with no filter, or a filter every number of the tab follows, it says nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import EventType
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.ui.charts import ACCENT
from tests.ui.conftest import errors, texts
from tests.ui.test_dashboard import DASHBOARD, event, open_dashboard, views

NOTE_MARK = "필터를 적용하지 않"  # every wording of the note, in Korean


@pytest.fixture
def seeded(services: Services, make_item: Callable[..., ContentItem]) -> Services:
    """Today: GenAI views on a desktop and Finance views on a phone, visits on a phone and on a
    desktop (a visit's first page view), a search."""
    genai = make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI)
    finance = make_item("금융 리스크 데모", category=Category.FINANCE)
    events = [replace(e, properties={"dev": "desktop"}) for e in views(services, genai, 0, 3)]
    events += [replace(e, properties={"dev": "mobile"}) for e in views(services, finance, 0, 2)]
    events += [event(services, 0, EventType.PAGE_VIEW, page="home",
                     properties={"dev": device, "visit": True, "ref": "(direct)"})
               for device in ("mobile", "mobile", "desktop")]
    events.append(event(services, 0, EventType.SEARCH,
                        properties={"query": "bedrock", "results": 2, "dev": "mobile"}))
    services.ports.events.append(events)
    return services


def open_linked(new_app: Callable[..., AppTest], username: str,
                params: dict[str, str]) -> AppTest:
    at = new_app(username)
    at.run()
    at.query_params.update(params)
    at.switch_page(DASHBOARD).run()
    assert not at.exception and not errors(at), (at.exception, errors(at))
    return at


def donut(at: AppTest, key: str) -> dict[str, Any]:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key))
    trace: dict[str, Any] = json.loads(chart.proto.spec)["data"][0]
    return trace


def tab_text(at: AppTest, label: str) -> str:
    at.session_state["analytics_tab"] = label
    at.run()
    assert not at.exception and not errors(at), (at.exception, errors(at))
    return texts(at)


def test_the_sources_tab_sets_the_filtered_source_apart(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    services.ports.events.append([
        event(services, 0, EventType.PAGE_VIEW, page="home",
              properties={"visit": True, "ref": ref, "utm_source": utm, "src": utm or ref})
        for ref, utm in (("news.example", "newsletter"), ("news.example", "newsletter"),
                         ("(direct)", ""))])
    at = open_linked(new_app, users["analyst"].username, {"source": "newsletter"})
    tab_text(at, "유입 경로")

    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("chart_utm_sources"))
    trace = json.loads(chart.proto.spec)["data"][0]
    colours = dict(zip(trace["y"], trace["marker"]["color"], strict=True))
    assert colours["newsletter"] == ACCENT and len(set(colours.values())) == len(colours)


@pytest.mark.parametrize("tab", ["기기", "재방문", "퍼널", "유입 경로"])
def test_a_device_filter_is_named_by_the_tabs_that_do_not_apply_it(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        tab: str) -> None:
    at = open_linked(new_app, users["analyst"].username, {"device": "mobile"})
    assert "이 탭은 기기 필터를 적용하지 않은 전체 플랫폼 수치입니다." in tab_text(at, tab)


def test_the_devices_tab_sets_the_filtered_device_apart(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_linked(new_app, users["analyst"].username, {"device": "mobile"})
    tab_text(at, "기기")
    trace = donut(at, "chart_devices")
    pulled = [label for label, pull in zip(trace["labels"], trace["pull"], strict=True) if pull]
    assert pulled == ["모바일"]


def test_tabs_that_apply_the_device_filter_say_nothing(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_linked(new_app, users["analyst"].username, {"device": "mobile"})
    for tab in ("추이", "콘텐츠", "작성자", "카테고리"):
        assert NOTE_MARK not in tab_text(at, tab), tab


@pytest.mark.parametrize("tab", ["시간대", "방문 목적", "검색어", "회사"])
def test_a_category_filter_is_named_by_the_platform_wide_tabs(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        tab: str) -> None:
    at = open_linked(new_app, users["analyst"].username, {"category": "Finance"})
    assert "이 탭은 카테고리 필터를 적용하지 않은 전체 플랫폼 수치입니다." in tab_text(at, tab)


def test_the_trend_names_what_its_platform_chart_leaves_out(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_linked(new_app, users["analyst"].username,
                     {"category": "Finance", "device": "mobile"})
    shown = tab_text(at, "추이")
    # The device filter splits the page views and searches too; the category filter cannot.
    assert "두 번째 차트(페이지 조회·검색)는 카테고리 필터를 적용하지 않습니다" in shown
    assert "기기 필터를" not in shown
    # The categories tab shows every category (the category filter's slice stands out); the
    # device filter applies there.
    shown = tab_text(at, "카테고리")
    assert "이 탭은 카테고리 필터를 적용하지 않습니다" in shown and "기기 필터를" not in shown
    trace = donut(at, "chart_categories")
    pulled = [label for label, pull in zip(trace["labels"], trace["pull"], strict=True) if pull]
    assert pulled == ["금융"]


def test_the_note_is_in_english_for_an_english_reader(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_linked(new_app, users["analyst"].username, {"device": "mobile"})
    tab_text(at, "기기")
    # (AppTest formats select boxes in the test's own language: one run in English only.)
    at.radio(key="df_lang_widget").set_value("en").run()
    assert not at.exception and not errors(at), (at.exception, errors(at))
    assert ("This tab does not apply the Device filter: its numbers are the whole platform's."
            in texts(at))


def test_without_filters_no_tab_shows_the_note(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    for tab in ("추이", "콘텐츠", "작성자", "카테고리", "시간대", "방문 목적", "검색어", "회사",
                "유입 경로", "기기", "재방문", "퍼널"):
        assert NOTE_MARK not in tab_text(at, tab), tab
