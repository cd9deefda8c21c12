"""The item filter is named by the item's title in its chip and in the trend's content panel,
also in a period where the item has no events (its title then comes from the catalogue, not
from the period's top content); an item no longer published reads as such, never as its id."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import EventType
from services.domain.models import Category, ContentItem
from services.domain.users import User
from tests.ui.conftest import errors
from tests.ui.test_dashboard import DASHBOARD, _title, _trend_figures, event, views

TITLE = "금융 리스크 데모"


@pytest.fixture
def quiet_item(services: Services, make_item: Callable[..., ContentItem]) -> ContentItem:
    """Viewed ten days ago, not today; today has page views only."""
    item = make_item(TITLE, category=Category.FINANCE)
    events = views(services, item, 10, 2)
    events += [event(services, 0, EventType.PAGE_VIEW, page="home") for _ in range(2)]
    services.ports.events.append(events)
    return item


def item_chip(at: AppTest) -> str:
    return str(next(b.label for b in at.button if b.key == "dash_chip_item"))


def open_linked(new_app: Callable[..., AppTest], username: str, item_id: str) -> AppTest:
    at = new_app(username)
    at.run()
    at.query_params.update({"item": item_id, "period": "today"})
    at.switch_page(DASHBOARD).run()
    assert not at.exception and not errors(at), (at.exception, errors(at))
    return at


def test_an_item_without_events_in_the_period_is_named_by_its_title(
        new_app: Callable[..., AppTest], users: dict[str, User],
        quiet_item: ContentItem) -> None:
    at = open_linked(new_app, users["analyst"].username, quiet_item.id)
    assert TITLE in item_chip(at) and quiet_item.id not in item_chip(at), item_chip(at)
    content, _ = _trend_figures(at)
    assert TITLE in _title(content) and quiet_item.id not in _title(content)


def test_an_item_no_longer_published_reads_as_such_not_as_its_id(
        new_app: Callable[..., AppTest], users: dict[str, User],
        quiet_item: ContentItem) -> None:
    gone = "01JDELETEDITEM0000000000"
    at = open_linked(new_app, users["analyst"].username, gone)
    assert "삭제되었거나 비공개로 바뀐 항목" in item_chip(at), item_chip(at)
    assert gone not in item_chip(at)
    content, _ = _trend_figures(at)
    assert gone not in _title(content)
