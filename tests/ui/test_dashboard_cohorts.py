"""The dashboard's "returning users" tab: the retention triangle and new vs returning users of
signed-in users, with tables and CSV; anonymous visits are not in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Preset
from services.bootstrap import Services
from services.domain.analytics import EventType
from services.domain.cohorts import week_of
from services.domain.users import User
from tests.ui.conftest import texts
from tests.ui.test_dashboard import event, open_dashboard
from tests.ui.test_dashboard_signup_dims import open_tab

TAB = "재방문"


@pytest.fixture
def returning(services: Services) -> Services:
    """kim, lee and park first seen 21 days ago; kim back a week later, lee two weeks later;
    anonymous page views on every one of those days."""
    pv = EventType.PAGE_VIEW
    events = [event(services, 21, pv, page="home", user_id=user, session_id=f"s-{user}")
              for user in ("kim", "lee", "park")]
    events += [event(services, 14, pv, page="home", user_id="kim", session_id="s-kim-2"),
               event(services, 7, pv, page="home", user_id="lee", session_id="s-lee-2")]
    events += [event(services, days, pv, page="home") for days in (21, 14, 7)]
    services.ports.events.append(events)
    return services


def the_tab(at: AppTest) -> Any:
    return next(tab for tab in at.tabs if tab.label == TAB)


def test_the_tab_shows_the_triangle_and_new_vs_returning_users(
    new_app: Callable[..., AppTest], users: dict[str, User], returning: Services,
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    at.button_group(key="dash_preset").set_value(Preset.DAYS_30).run()
    open_tab(at, TAB)
    tab = the_tab(at)  # the panels above the tabs have charts and tables of their own

    assert [c.key for c in tab.get("plotly_chart")] == ["chart_cohorts", "chart_new_returning"]
    assert "익명 방문은 브라우저 세션 단위" in texts(at)
    cohort = week_of(returning.analytics.today() - timedelta(days=21)).isoformat()
    shares = tab.dataframe[0].value
    assert list(shares.columns)[:4] == ["코호트(주 시작일)", "사용자", "1주 후", "2주 후"]
    row = shares[shares["코호트(주 시작일)"] == cohort].iloc[0]
    assert (row["사용자"], row["1주 후"], row["2주 후"]) == (3, 33.3, 33.3)
    assert row["3주 후"] == 0  # a week that has begun: nobody back yet
    assert row.isna()["5주 후"]  # a week still to come
    counts = tab.dataframe[1].value
    back = counts[counts["코호트(주 시작일)"] == cohort].iloc[0]
    assert (back["1주 후"], back["2주 후"]) == (1, 1)
    daily = tab.dataframe[2].value.set_index("날짜")
    day = (returning.analytics.today() - timedelta(days=21)).isoformat()
    assert (daily.loc[day, "신규"], daily.loc[day, "재방문"]) == (3, 0)
    later = (returning.analytics.today() - timedelta(days=7)).isoformat()
    assert (daily.loc[later, "신규"], daily.loc[later, "재방문"]) == (0, 1)
    csv = [b.proto.label for b in tab.get("download_button")]
    assert csv == ["CSV 내려받기"] * 3


def test_without_signed_in_activity_the_tab_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, new_app: Callable[..., AppTest], users: dict[str, User],
    services: Services,
) -> None:
    # This session's own page views stay in the tracker's buffer for the whole test.
    monkeypatch.setenv("DEMO_FACTORY_TRACKER_FLUSH_SECONDS", "3600")
    services.ports.events.append([event(services, 1, EventType.PAGE_VIEW, page="home")])
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, TAB)
    tab = the_tab(at)

    assert "로그인한 사용자의 활동이 없습니다" in texts(at)
    assert tab.get("plotly_chart") == [] and tab.get("download_button") == []
