"""The item and author pages open at the period of the page that linked to them (the dashboard,
each other) and keep their own period in their address, validated as any link parameter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Preset
from services.bootstrap import Services
from services.domain.models import ContentItem
from services.domain.users import User
from tests.ui.conftest import errors, texts
from tests.ui.test_item_stats import AUTHOR_PAGE, ITEM_PAGE, item, metric, open_item, open_tab

__all__ = ["item"]  # the fixture: 3 views today, 1 eight days ago


def link_params(link: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}


def test_the_dashboards_links_carry_its_period(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    item: ContentItem,
) -> None:
    at = new_app(users["analyst"].username)
    at.run()
    at.switch_page("app_pages/dashboard.py").run()
    at.button_group(key="dash_preset").set_value(Preset.DAYS_90).run()
    at.session_state["analytics_tab"] = "콘텐츠"
    at.run()
    link = open_tab(at, "콘텐츠").dataframe[0].value.iloc[0, -1]
    assert link_params(link) == {"id": item.id, "period": "90d"}
    at.session_state["analytics_tab"] = "작성자"
    at.run()
    link = open_tab(at, "작성자").dataframe[0].value.iloc[0, -1]
    assert link_params(link) == {"id": users["author"].username, "period": "90d"}


def test_the_item_page_opens_at_the_linked_period_and_keeps_its_own_in_the_address(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    item: ContentItem,
) -> None:
    at = new_app(users["analyst"].username)
    at.run()
    at.query_params.update({"id": item.id, "period": "7d"})
    at.switch_page(ITEM_PAGE).run()
    assert not errors(at), errors(at)
    assert at.button_group(key="item_stats_preset").value == Preset.DAYS_7
    assert metric(at, "조회수") == "3"  # the view eight days ago is outside the 7 days
    at.button_group(key="item_stats_preset").set_value(Preset.DAYS_30).run()
    assert metric(at, "조회수") == "4"
    assert at.query_params["period"] == "30d" and at.query_params["id"] == item.id
    # The author page's link carries the period on screen.
    author = next(link for link in at.get("page_link") if "author" in link.proto.page)
    assert parse_qs(author.proto.query_string)["period"] == ["30d"]


def test_a_custom_period_travels_and_a_bad_one_is_named(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    item: ContentItem,
    services: Services,
) -> None:
    today = services.analytics.today()
    eight = (today - timedelta(days=8)).isoformat()
    at = new_app(users["analyst"].username)
    at.run()
    at.query_params.update(
        {"id": users["author"].username, "period": "custom", "start": eight, "end": eight}
    )
    at.switch_page(AUTHOR_PAGE).run()
    assert not errors(at), errors(at)
    assert metric(at, "조회수") == "1"  # only the day eight days ago
    link = at.dataframe[0].value.iloc[0, -1]
    assert link_params(link) == {"id": item.id, "period": "custom", "start": eight, "end": eight}

    bad = open_item(new_app, users["analyst"], item.id)
    bad.query_params.update({"id": item.id, "period": "400d"})
    bad.run()
    assert "period" in texts(bad) and any("period" in w.value for w in bad.warning)
    assert bad.button_group(key="item_stats_preset").value == Preset.DAYS_30
