"""A per-day chart marks a day still being counted: today, at the end of a period that has
not ended, lay at the foot of every line like a cliff (the period's caption alone said why)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Preset
from services.bootstrap import Services
from services.domain.models import ContentItem
from services.domain.users import User
from services.ui.i18n import t
from tests.ui.conftest import errors
from tests.ui.test_dashboard import open_dashboard, views
from tests.ui.test_item_stats import open_item


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
