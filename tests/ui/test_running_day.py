"""A per-day chart marks a day still being counted: today, at the end of a period that has
not ended, lay at the foot of every line like a cliff (the period's caption alone said why).
A day-by-day table lists the latest day first, and says above it that today's row is not a
whole day yet."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Preset
from services.bootstrap import Services
from services.domain.analytics import EventType
from services.domain.models import ContentItem
from services.domain.users import User
from services.ui.i18n import t
from tests.ui.conftest import errors
from tests.ui.test_dashboard import event, open_dashboard, views
from tests.ui.test_dashboard_cohorts import the_tab
from tests.ui.test_dashboard_signup_dims import open_tab
from tests.ui.test_item_stats import open_item
from tests.ui.test_row_filter import open_folded


def layout(at: AppTest, key: str) -> dict[str, Any]:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key))
    found: dict[str, Any] = json.loads(chart.proto.spec)["layout"]
    return found


def marked_day(at: AppTest, key: str) -> str | None:
    """The day the chart's band covers (its label said), or None without one."""
    found = layout(at, key)
    shapes = found.get("shapes", [])
    alt = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)).proto.alt
    if not shapes:
        assert t("analytics.running_day") not in alt
        return None
    (band,) = shapes
    labels = [note["text"] for note in found["annotations"] if note["x"] == band["x1"]]
    assert labels == [t("analytics.running_day")]
    assert alt.endswith(" — " + t("analytics.running_day"))  # heard, not only seen
    return str(band["x0"])[:10]  # the half day before the marked one: its eve


@pytest.fixture
def item(services: Services, make_item: Callable[..., ContentItem]) -> ContentItem:
    """An item viewed today (2) and three days ago (4)."""
    made = make_item("벡터 검색 데모")
    services.ports.events.append(views(services, made, 0, 2) + views(services, made, 3, 4))
    return made


@pytest.mark.usefixtures("item")
def test_the_dashboards_trend_marks_today_until_the_period_has_ended(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    today = services.analytics.today()
    at = open_dashboard(new_app, users["analyst"].username)
    assert marked_day(at, "chart_trend") == str(today - timedelta(days=1))
    at.button_group(key="dash_preset").set_value(Preset.CUSTOM).run()
    at.date_input(key="dash_range").set_value((today - timedelta(days=6),
                                               today - timedelta(days=1))).run()
    assert not errors(at), errors(at)
    assert marked_day(at, "chart_trend") is None  # yesterday is whole


def test_the_item_page_marks_today_too(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    item: ContentItem,
) -> None:
    at = open_item(new_app, users["author"], item.id)
    today = services.analytics.today()
    assert marked_day(at, "item_stats_chart") == str(today - timedelta(days=1))


def first_column(at: AppTest, key_end: str) -> list[str]:
    (grid,) = [d for d in at.dataframe if d.proto.id.endswith(key_end)]
    return [str(day) for day in grid.value.iloc[:, 0]]


def running_note(today: date) -> str:
    return t("analytics.running_day_row", day=today.isoformat())


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def recorded_csv(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """Each CSV button's data by its key: what a press would download."""
    found: dict[str, Callable[[], bytes]] = {}
    original = st.download_button

    def record(*args: Any, **kwargs: Any) -> Any:
        found[str(kwargs.get("key"))] = kwargs["data"]
        return original(*args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    return found


@pytest.mark.usefixtures("item")
def test_the_day_table_lists_today_first_and_says_it_is_still_counted(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Oldest first, today's low counts were the table's last row, 90 rows down, and read as a
    fall: the latest day is on top, and the table says what the chart's band says. The CSV
    has the same order."""
    csv = recorded_csv(monkeypatch)
    today = services.analytics.today()
    at = open_dashboard(new_app, users["analyst"].username)
    open_folded(at, "trend")
    assert first_column(at, "table_trend") == [str(today - timedelta(days=n))
                                               for n in range(7)]
    assert running_note(today) in captions(at)
    exported = csv["csv_trend"]().decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in exported[1:3]] == [str(today),
                                                              str(today - timedelta(days=1))]

    at.button_group(key="dash_preset").set_value(Preset.CUSTOM).run()
    at.date_input(key="dash_range").set_value((today - timedelta(days=6),
                                               today - timedelta(days=1))).run()
    assert first_column(at, "table_trend")[0] == str(today - timedelta(days=1))
    assert not [c for c in captions(at) if c.startswith(running_note(today)[:8])]  # whole


def test_the_item_pages_day_table_lists_today_first_too(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    item: ContentItem,
) -> None:
    at = open_item(new_app, users["author"], item.id)
    today = services.analytics.today()
    daily = at.dataframe[-1].value
    assert daily.iloc[0, 0] == str(today) and daily.iloc[0, 1] == 2  # today's two, on top
    assert running_note(today) in captions(at)
    assert daily.iloc[3, 0] == str(today - timedelta(days=3)) and daily.iloc[3, 1] == 4


def test_new_and_returning_users_mark_today_too(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    services.ports.events.append([event(services, days, EventType.PAGE_VIEW, page="home",
                                        user_id="kim", session_id=f"s-{days}")
                                  for days in (0, 3)])
    today = services.analytics.today()
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "재방문")
    assert marked_day(at, "chart_new_returning") == str(today - timedelta(days=1))
    daily = the_tab(at).dataframe[-1].value
    assert daily.iloc[0, 0] == str(today)
    assert running_note(today) in [c.value for c in the_tab(at).caption]
