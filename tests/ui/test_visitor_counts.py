"""New anonymous visitors on the dashboard: three fresh browsers loading three pages each show
as three more visitors and nine more page views, on the "today" tiles and in the "now" panel,
once the tracker has written them (its flush interval; the page then reads them on its next
refresh), and still after local midnight on a dashboard left open on "today".

Each page load is a new Streamlit session, as a reload or an address typed in is: it carries
the visit cookie its browser was given by the previous page, and nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Preset
from services.bootstrap import Services
from services.domain.models import ContentItem, utcnow
from services.domain.users import User
from services.ui import routes, tracking
from services.ui.dashboard import KPI_FRAGMENT, LIVE_OPEN_KEY, PRESET_KEY
from services.ui.live_now import PANEL_FRAGMENT
from tests.ui.conftest import errors, ko, tile_value
from tests.ui.fragment_runs import run_fragment

_VISIT_COOKIE = re.compile(r"df_visit=([0-9A-Z]{26});")


class Browser:
    """One browser's cookie jar: what the app's cookie scripts wrote, sent with each load."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def load(
        self, new_app: Callable[..., AppTest], page: str, query: dict[str, str] | None = None
    ) -> AppTest:
        """A page load: a new session whose first run is ``page`` (no home run before it)."""
        at = new_app()
        at.query_params.update(query or {})
        if page != routes.HOME:
            at.switch_page(page)
        at.run()
        assert not at.exception and not errors(at), (at.exception, errors(at))
        for element in at.get("html"):
            found = _VISIT_COOKIE.search(str(element.proto.body))
            if found:
                self.cookies[tracking.VISIT_COOKIE] = found.group(1)
        return at


def _number(at: AppTest, key: str) -> int:
    return int(tile_value(at, ko(key)).replace(",", ""))


def _refreshed(at: AppTest) -> tuple[int, int, int]:
    """What the tiles' and the panel's own refresh shows (each fragment run alone, as the
    browser asks every ``DEMO_FACTORY_DASHBOARD_REFRESH_SECONDS``): today's visitors and page
    views, and the visitors of the last 5 minutes."""
    run_fragment(at, KPI_FRAGMENT)
    visitors, views = (
        _number(at, "analytics.kpi.visitors"),
        _number(at, "analytics.kpi.page_views"),
    )
    run_fragment(at, PANEL_FRAGMENT)
    return visitors, views, _number(at, "live.active_5")


def open_today(new_app: Callable[..., AppTest], username: str) -> AppTest:
    """The dashboard with the period "today" picked."""
    at = new_app(username)
    at.session_state[LIVE_OPEN_KEY] = True  # the live panel, folded at first
    at.switch_page(routes.DASHBOARD).run()
    at.button_group(key=PRESET_KEY).set_value(Preset.TODAY).run()
    assert not at.exception and not errors(at), (at.exception, errors(at))
    return at


@pytest.fixture
def item(make_item: Callable[..., ContentItem]) -> ContentItem:
    return make_item("새 방문자용 데모")


def test_three_fresh_browsers_with_nine_page_loads_count_as_three_visitors_and_nine_views(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    item: ContentItem,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browsers = [Browser() for _ in range(3)]
    current: list[Browser] = []  # the browser whose page is loading: its cookies are sent
    monkeypatch.setattr(
        tracking, "read_cookie", lambda name: current[0].cookies.get(name) if current else None
    )

    dashboard = open_today(new_app, users["analyst"].username)
    app: Services = dashboard.session_state["_df_services"]
    app.tracker.flush()
    before = _refreshed(dashboard)  # the analyst's own visit and page view are in them

    for browser in browsers:
        current[:] = [browser]
        browser.load(new_app, routes.HOME)
        browser.load(new_app, routes.BROWSE)
        browser.load(new_app, routes.CONTENT, {"id": item.id})
    current.clear()
    visits = {browser.cookies.get(tracking.VISIT_COOKIE) for browser in browsers}
    assert None not in visits and len(visits) == 3  # each browser its own visit id

    app.tracker.flush()  # what the flusher thread does within its interval
    after = _refreshed(dashboard)
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 9, 3]


def test_a_dashboard_left_open_past_midnight_counts_the_new_days_visitors(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tiles of "today" opened before local midnight show the new day after it: their
    refresh does not go on reading the day the page was drawn on."""
    browsers = [Browser() for _ in range(3)]
    current: list[Browser] = []
    monkeypatch.setattr(
        tracking, "read_cookie", lambda name: current[0].cookies.get(name) if current else None
    )
    dashboard = open_today(new_app, users["analyst"].username)
    app: Services = dashboard.session_state["_df_services"]

    tz = app.settings.tz
    midnight = datetime.combine(app.analytics.today() + timedelta(days=1), time(0, 0), tzinfo=tz)
    ahead = midnight + timedelta(minutes=1) - utcnow()
    monkeypatch.setattr(app.analytics, "_clock", lambda: utcnow() + ahead)
    for browser in browsers:
        current[:] = [browser]
        browser.load(new_app, routes.HOME)
    current.clear()
    app.tracker.flush()

    run_fragment(dashboard, KPI_FRAGMENT)
    shown = (
        _number(dashboard, "analytics.kpi.visitors"),
        _number(dashboard, "analytics.kpi.page_views"),
    )
    assert shown == (3, 3)
    new_day = midnight.date().isoformat()  # the whole page moved on: its period caption too
    assert any(c.value.startswith(f"{new_day} ~ {new_day}") for c in dashboard.caption)


def test_a_browser_that_signs_in_during_its_visit_counts_as_one_visitor(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    item: ContentItem,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its pages before the sign-in and after it are one visit: the visitor is the browser's
    visit id, signed in or not (it counted as the anonymous visit and the user, two)."""
    browser = Browser()
    monkeypatch.setattr(tracking, "read_cookie", browser.cookies.get)

    dashboard = open_today(new_app, users["analyst"].username)
    app: Services = dashboard.session_state["_df_services"]
    app.tracker.flush()
    before = _refreshed(dashboard)

    browser.load(new_app, routes.HOME)
    author = users["author"].username
    browser.load(lambda: new_app(author), routes.CONTENT, {"id": item.id})
    browser.load(lambda: new_app(author), routes.BROWSE)

    app.tracker.flush()
    after = _refreshed(dashboard)
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 3, 1]
