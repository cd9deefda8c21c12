"""The dashboard's insights panel, through AppTest: a planted driver and a planted unusual day
are named, with the item's title; too little history is said, not flagged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Preset
from services.bootstrap import Services
from services.domain.analytics import Dim
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.i18n import translate
from services.insights.drivers import Contribution, Drivers
from services.ui.dashboard import INSIGHTS_OPEN_KEY
from services.ui.insights import PART_KEY, drivers_frame, value_label
from tests.ui.conftest import static_tables, texts
from tests.ui.test_dashboard import open_dashboard, views


@pytest.fixture
def items(make_item: Callable[..., ContentItem]) -> dict[str, ContentItem]:
    return {"genai": make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI),
            "finance": make_item("금융 리스크 데모", category=Category.FINANCE)}


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def drivers_with(at: AppTest, column: str) -> pd.DataFrame:
    """The drivers' table: a short HTML table (read at a glance), its cells as shown."""
    found = [frame for frame in static_tables(at) if column in frame.columns]
    assert found, [list(frame.columns) for frame in static_tables(at)]
    return found[0]


def open_insights(new_app: Callable[..., AppTest], username: str) -> AppTest:
    """The dashboard with its insights panel opened (it is folded at first)."""
    return open_dashboard(new_app, username, INSIGHTS_OPEN_KEY)


def panel_labels(at: AppTest) -> list[str]:
    return [e.label for e in at.expander if e.label.startswith(("인사이트", "Insights"))]


def open_part(at: AppTest, part: str, lang: str = "ko") -> AppTest:
    """The panel draws one part at a time: open ``part`` (drivers, anomalies, forecast)."""
    at.session_state[PART_KEY] = translate(lang, f"insights.{part}_title")
    at.run()
    assert not at.exception, at.exception
    return at


def five_quiet_weeks_then_a_spike(services: Services, items: dict[str, ContentItem]) -> None:
    """10 Finance views on yesterday's weekday for five weeks; yesterday 50 GenAI views."""
    events = [e for weeks in range(1, 6)
              for e in views(services, items["finance"], 1 + 7 * weeks, 10)]
    services.ports.events.append(events + views(services, items["genai"], 1, 50))


def test_the_panel_is_folded_at_first_and_stays_open_once_opened(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    five_quiet_weeks_then_a_spike(services, items)
    at = open_dashboard(new_app, users["analyst"].username)
    assert panel_labels(at) == [translate("ko", "insights.panel")]
    assert not [f for f in static_tables(at) if "변화 중 비율(%)" in f.columns]
    assert not [tab for tab in at.tabs if tab.label == "변화의 요인"]
    at.session_state[INSIGHTS_OPEN_KEY] = True  # as a click on the panel does
    at.run()
    assert drivers_with(at, "변화 중 비율(%)") is not None
    at.switch_page("app_pages/home.py").run()
    at.switch_page("app_pages/dashboard.py").run()
    assert not at.exception, at.exception
    assert drivers_with(at, "변화 중 비율(%)") is not None  # still open after a visit home


def test_a_part_is_drawn_only_when_open(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    five_quiet_weeks_then_a_spike(services, items)
    at = open_insights(new_app, users["analyst"].username)
    assert drivers_with(at, "변화 중 비율(%)") is not None
    assert not [d for d in at.dataframe if "가능한 요인" in d.value.columns]
    assert "chart_insights_forecast" not in [c.key for c in at.get("plotly_chart")]
    open_part(at, "forecast")
    assert "chart_insights_forecast" in [c.key for c in at.get("plotly_chart")]
    assert not [f for f in static_tables(at) if "변화 중 비율(%)" in f.columns]


def test_the_panel_names_the_planted_driver_and_unusual_day(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    # Five quiet weeks of yesterday's weekday (10 Finance views), then yesterday one GenAI
    # item adds 50 views.
    events = [e for weeks in range(1, 6)
              for e in views(services, items["finance"], 1 + 7 * weeks, 10)]
    events += views(services, items["finance"], 1, 10) + views(services, items["genai"], 1, 50)
    services.ports.events.append(events)

    at = open_insights(new_app, users["analyst"].username)
    assert panel_labels(at) == [translate("ko", "insights.panel")]
    drivers = drivers_with(at, "변화 중 비율(%)")
    top = drivers.iloc[0]
    assert top["값"] in {"생성형AI 챗봇", "생성형 AI"} and top["변화"] == "50"
    assert "생성형AI 챗봇" in drivers["값"].tolist()
    assert top["변화 중 비율(%)"] == "100.0%"

    unusual = frame_with(open_part(at, "anomalies"), "가능한 요인")
    yesterday = (services.analytics.today()).toordinal() - 1
    whole_days = unusual[unusual["시점"].str.len() == 10]  # not the hours ("... 00:00")
    spike = whole_days[(whole_days["지표"] == "콘텐츠 조회") & (whole_days["범위"] == "전체")]
    assert [pd.Timestamp(d).toordinal() for d in spike["시점"]] == [yesterday]
    assert "생성형AI 챗봇" in spike["가능한 요인"].iloc[0]
    # Five weeks of history: an estimate, drawn and in its table.
    open_part(at, "forecast")
    assert "chart_insights_forecast" in [c.key for c in at.get("plotly_chart")]
    forecast = frame_with(at, "백테스트 오차(%)")
    assert "다음 7일" in forecast.columns
    # Estimates of counts are whole numbers, as every count in the app ("880", not "879.738").
    estimates = forecast.drop(columns=["지표", "백테스트 오차(%)"])
    assert all(str(kind) == "Int64" for kind in estimates.dtypes), estimates.dtypes


def test_too_little_history_is_said_not_flagged(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    services.ports.events.append(views(services, items["genai"], 1, 50))
    at = open_part(open_insights(new_app, users["analyst"].username), "anomalies")
    assert "이력이 부족해" in texts(at)
    assert not [d for d in at.dataframe if "가능한 요인" in d.value.columns]
    assert "추정할 만큼 이력이 없습니다" in texts(open_part(at, "forecast"))


def test_a_metric_no_longer_offered_falls_back_to_the_largest_change(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    services.ports.events.append(views(services, items["finance"], 8, 10)
                                 + views(services, items["genai"], 1, 30))
    at = open_insights(new_app, users["analyst"].username)
    at.session_state["insights_metric"] = "downloads"  # chosen once, nothing to explain now
    at.run()
    assert not at.exception
    assert "콘텐츠 조회: 이전 기간 대비 +200.0% (10 → 30)." in texts(at)
    assert "생성형AI 챗봇" in drivers_with(at, "변화 중 비율(%)")["값"].tolist()


def test_the_panel_in_english(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    five_quiet_weeks_then_a_spike(services, items)
    at = open_insights(new_app, users["analyst"].username)
    at.radio(key="df_lang_widget").set_value("en").run()
    assert not at.exception
    assert panel_labels(at) == [
        "Insights: what drove the change, unusual days and hours, the next 7 and 14 days"]
    assert [tab.label for tab in at.tabs][:3] == [
        "What drove the change", "Unusual days and hours", "Next 7 and 14 days (estimate)"]
    assert "Share of change (%)" in drivers_with(at, "Value").columns
    # (AppTest formats select boxes in the test's own language: no further run here, so the
    # other parts' English is not opened.)


def test_a_source_and_a_device_drive_the_change_in_korean(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    # Yesterday 30 views from a newsletter's visits on mobile, against 10 of unknown source.
    newsletter = [replace(e, properties={"src": "newsletter", "dev": "mobile"})
                  for e in views(services, items["genai"], 1, 30)]
    services.ports.events.append(views(services, items["finance"], 8, 10) + newsletter)
    at = open_insights(new_app, users["analyst"].username)
    drivers = drivers_with(at, "변화 중 비율(%)")
    shown = set(zip(drivers["차원"], drivers["값"], drivers["변화"], strict=True))
    assert ("유입 경로", "newsletter", "30") in shown
    assert ("기기", "모바일", "30") in shown
    assert ("유입 경로", "(알 수 없음)", "-10") in shown


def test_a_page_driver_is_named_as_the_menu_names_the_page() -> None:
    """Page views record addresses ("category_finance"); the drivers table shows "금융"."""
    assert value_label(Dim.PAGE.value, "category_finance", {}) == "금융"
    assert value_label(Dim.PAGE.value, "dashboard", {}) == "대시보드"
    assert value_label(Dim.PAGE.value, "a-page-since-removed", {}) == (
        "알 수 없는 페이지 (a-page-since-removed)")  # never a bare key as a page's name


def test_the_dashboard_s_captions_write_date_ranges_one_way(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    """The period above the tiles and the panel's comparison period: "시작 ~ 끝" in Korean,
    "start – end" in English, as the report history and the PDF write them."""
    import re

    five_quiet_weeks_then_a_spike(services, items)
    at = open_insights(new_app, users["analyst"].username)
    ranges = re.compile(r"\d{4}-\d{2}-\d{2}(\s*\S+\s*)\d{4}-\d{2}-\d{2}")
    captions = [c.value for c in at.caption if ranges.search(c.value)]
    assert len(captions) >= 2 and any("플랫폼 전체" in c for c in captions), captions
    assert {sep for c in captions for sep in ranges.findall(c)} == {" ~ "}

    at.radio(key="df_lang_widget").set_value("en").run()
    captions = [c.value for c in at.caption if ranges.search(c.value)]
    assert len(captions) >= 2
    assert {sep for c in captions for sep in ranges.findall(c)} == {" – "}


def test_a_custom_range_that_ended_before_yesterday_has_no_forecast_and_says_why(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    five_quiet_weeks_then_a_spike(services, items)
    at = open_insights(new_app, users["analyst"].username)
    at.button_group(key="dash_preset").set_value(Preset.CUSTOM).run()
    ten_days_ago = services.analytics.today() - timedelta(days=10)
    at.date_input(key="dash_range").set_value((ten_days_ago - timedelta(days=6),
                                               ten_days_ago)).run()
    open_part(at, "forecast")
    assert "chart_insights_forecast" not in [c.key for c in at.get("plotly_chart")]
    assert "예측 없음: 이 기간은 어제보다 전에 끝났습니다" in texts(at)


def test_deleted_items_and_authors_are_one_named_driver_row_never_an_id() -> None:
    gone = ("01M94PGC2TYSKE5SSESFHBMPRG", "01M94PGC2TYSKE5SSESFHBMPRH")
    names = {Dim.CONTENT.value: {"a": "생성형AI 챗봇"}, Dim.AUTHOR.value: {"alice": "Alice"}}
    rows = (Contribution(Dim.CONTENT.value, gone[0], 0, 40, 40, 0.4),
            Contribution(Dim.CONTENT.value, "a", 0, 30, 30, 0.3),
            Contribution(Dim.CONTENT.value, gone[1], 0, 30, 30, 0.3))
    drivers = Drivers("content_views", "count", 0, 100,
                      {Dim.CONTENT.value: rows,
                       Dim.AUTHOR.value: (Contribution(Dim.AUTHOR.value, "zed", 0, 70, 70, 0.7),
                                          Contribution(Dim.AUTHOR.value, "alice", 0, 30, 30,
                                                       0.3))})
    frame = drivers_frame(drivers, names)
    deleted = translate("ko", "analytics.deleted_items")
    assert not frame["value"].isin([*gone, "zed"]).any()
    assert list(frame["value"]).count(deleted) == 2  # one item row, one author row
    assert frame.loc[frame["value"] == deleted, "change"].tolist() == [70, 70]
    assert value_label(Dim.CONTENT.value, gone[0], names) == translate(
        "ko", "analytics.deleted_item")
