"""Cached insights and report contexts, through AppTest: a rerun of the page (any widget
change) does not compute them again; another period, or another user, does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Period, Preset
from services.bootstrap import Services
from services.domain.analytics import EventType
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.insights.service import InsightsService
from services.reports.service import ReportService
from services.ui.dashboard import INSIGHTS_OPEN_KEY
from tests.ui.test_dashboard import event, open_dashboard, views
from tests.ui.test_reports import open_reports


def counted(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> list[Any]:
    """Count the calls of ``cls.name`` (the app's own services share the class): the list
    grows by the period of each call (the one argument that is a Period)."""
    calls: list[Any] = []
    original = getattr(cls, name)

    def wrapper(self: object, *args: Any) -> Any:
        calls.append(next(a for a in args if isinstance(a, Period)))
        return original(self, *args)

    monkeypatch.setattr(cls, name, wrapper)
    return calls


@pytest.fixture
def seeded(services: Services, make_item: Callable[..., ContentItem]) -> Services:
    item = make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI)
    pages = [event(services, days, EventType.PAGE_VIEW, page="home")
             for days, count in ((8, 5), (1, 9)) for _ in range(count)]
    services.ports.events.append(views(services, item, 8, 10) + views(services, item, 1, 30)
                                 + pages)
    return services


def test_a_dashboard_rerun_reuses_the_insights_and_another_period_computes_them(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = counted(monkeypatch, InsightsService, "insights")
    at = open_dashboard(new_app, users["analyst"].username, INSIGHTS_OPEN_KEY)
    assert len(calls) == 1
    assert any("60초" in c.value for c in at.caption)  # how old the figures can be
    at.run()  # reruns, as any widget change makes
    at.run()
    assert not at.exception, at.exception
    assert len(calls) == 1
    at.button_group(key="dash_preset").set_value(Preset.DAYS_30).run()
    assert not at.exception, at.exception
    assert len(calls) == 2 and calls[1].days == 30
    # Another analyst gets their own result, never the first one's.
    other = open_dashboard(new_app, users["admin"].username)
    assert not other.exception
    assert len(calls) == 3


def test_a_report_page_rerun_reuses_the_context_and_another_period_builds_it(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = counted(monkeypatch, ReportService, "preview_context")
    at = open_reports(new_app, users["analyst"].username)
    assert len(calls) == 1
    at.run()
    assert len(calls) == 1
    at.selectbox(key="rep_preset_ko").set_value(Preset.DAYS_7.value).run()
    assert not at.exception, at.exception
    assert len(calls) == 2 and calls[1].days == 7
