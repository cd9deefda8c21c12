"""Errors inside the dashboard's fragments (the board, the live KPI tiles, the "now" panel) are
shown translated, as app.py shows a page's, never as Streamlit's English error box; and the
custom range picker offers no range longer than a period may be."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.analytics import periods
from services.analytics.dashboards import MAX_DAYS, Preset
from services.analytics.service import AnalyticsService
from services.bootstrap import Services
from services.domain.users import User
from services.errors import ServiceUnavailable
from services.i18n import translate
from services.ui import dashboard as ui_dashboard
from tests.ui.conftest import errors
from tests.ui.test_dashboard import DASHBOARD, open_dashboard


def test_the_custom_range_starts_no_earlier_than_the_longest_period_allows(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    at.button_group(key="dash_preset").set_value(Preset.CUSTOM).run()
    today = services.analytics.today()
    picker = at.date_input(key="dash_range")
    assert (picker.min, picker.max) == (today - timedelta(days=MAX_DAYS - 1), today)
    # A range before the earliest day cannot be picked: the picker keeps a valid one.
    picker.set_value((today - timedelta(days=MAX_DAYS + 30), today)).run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)


def test_a_custom_range_too_long_shows_the_translated_error(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    # A stricter limit for periods than the picker knows: a picked range is then too long,
    # as one that arrives some other way would be.
    monkeypatch.setattr(periods, "MAX_DAYS", 5)
    monkeypatch.setattr(ui_dashboard, "earliest_day", lambda today: today - timedelta(days=365))
    at.button_group(key="dash_preset").set_value(Preset.CUSTOM).run()
    today = services.analytics.today()
    at.date_input(key="dash_range").set_value((today - timedelta(days=9), today)).run()
    assert not at.exception, at.exception
    assert errors(at) == [translate("ko", "analytics.err_period_long", max=5)]
    assert at.title[0].value == "사용 현황 대시보드"  # the rest of the page is still there


def _failing(*_args: Any, **_kwargs: Any) -> Any:
    raise ServiceUnavailable()


@pytest.mark.parametrize("method", ["kpis", "live_now"])
def test_an_error_in_a_live_fragment_is_shown_translated(
    method: str, new_app: Callable[..., AppTest], users: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_dashboard(new_app, users["admin"].username, ui_dashboard.LIVE_OPEN_KEY)
    monkeypatch.setattr(AnalyticsService, method, _failing)
    at.run()
    assert not at.exception, at.exception
    assert errors(at) == [translate("ko", "errors.service_unavailable")]
    at.radio(key="df_lang_widget").set_value("en").run()
    assert not at.exception, at.exception
    assert errors(at) == [translate("en", "errors.service_unavailable")]


def test_a_link_to_a_range_the_picker_cannot_show_is_ignored_and_named(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    today = services.analytics.today()
    at = new_app(users["analyst"].username)
    at.run()
    at.query_params.update({"period": "custom", "start": str(today - timedelta(days=400)),
                            "end": str(today - timedelta(days=390))})
    at.switch_page(DASHBOARD).run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    assert [w.value for w in at.warning] == [
        translate("ko", "dashfilter.url_ignored", names="period")]
    assert at.session_state["dash_preset"] == Preset.DAYS_7


def test_an_unexpected_error_in_a_fragment_reads_as_one_on_a_page(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    at = open_dashboard(new_app, users["analyst"].username)
    monkeypatch.setattr(AnalyticsService, "kpis", broken)
    at.run()
    assert not at.exception, at.exception
    assert errors(at) == [translate("ko", "errors.unexpected")]
