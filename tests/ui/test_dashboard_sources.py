"""Sources and devices: a visit's first request is where its source is read (utm tags, the
User-Agent), and the dashboard's "sources" and "devices" tabs show the visits by each."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from services.analytics.sources import VisitSource
from services.bootstrap import Services
from services.domain.analytics import OTHER_VALUE, Device, Dim, EventType
from services.domain.models import ContentItem, utcnow
from services.domain.users import User
from services.ui import visit_source
from tests.ui.conftest import errors, texts
from tests.ui.test_click_filter import chips, click
from tests.ui.test_dashboard import (
    _app_services,
    _rollup,
    event,
    metric,
    open_dashboard,
    services_tracker_flush,
)

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")
HYPERLINK = '=HYPERLINK("http://evil.example","x")'
MARKUP = '<a href="https://evil.example">spring</a>'
BOLD = "<b>news</b>"


def open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state["analytics_tab"] = label
    at.run()
    assert not at.exception and not errors(at), errors(at)
    return at


def test_a_visits_first_request_gives_every_event_its_source_and_device(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
    make_item: Callable[..., ContentItem],
) -> None:
    item = make_item("캠페인 데모")
    monkeypatch.setattr(visit_source, "_request_headers", lambda: {
        "Host": "demo.example.com", "User-Agent": CHROME,
        "Referer": "https://demo.example.com/"})  # the app itself: a direct visit
    at = new_app()
    at.query_params.update(utm_source="newsletter", utm_medium="email", utm_campaign="spring")
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    at.switch_page("app_pages/home.py").run()
    assert not at.exception and not errors(at)

    app = _app_services(at)
    services_tracker_flush(app)
    # Counted once for the visit, on its first event (a page view), however many followed.
    assert _rollup(app, EventType.PAGE_VIEW, Dim.UTM_SOURCE) == {"newsletter": 1}
    assert _rollup(app, EventType.PAGE_VIEW, Dim.REFERRER) == {"(direct)": 1}
    assert _rollup(app, EventType.PAGE_VIEW, Dim.DEVICE) == {"desktop": 1}
    assert _rollup(app, EventType.PAGE_VIEW, Dim.BROWSER) == {"Chrome": 1}
    assert _rollup(app, EventType.PAGE_VIEW, Dim.OS) == {"Windows": 1}
    assert _rollup(app, EventType.CONTENT_VIEW, Dim.CAMPAIGN_CONTENT) == {f"spring|{item.id}": 1}
    stored = list(app.ports.events.raw_events(utcnow() - timedelta(hours=1),
                                              utcnow() + timedelta(hours=1)))
    assert len(stored) >= 3
    assert {(e.properties["src"], e.properties["dev"]) for e in stored} == {
        ("newsletter", "desktop")}


def seed(services: Services, item: ContentItem) -> None:
    """Three visits: a campaign's on a phone (two views), a direct one on a desktop, and one
    whose campaign and browser are beyond the day's limit."""
    visits = [
        (VisitSource(referrer="t.co", utm_source=BOLD, utm_medium="email",
                     utm_campaign=MARKUP, device=Device.MOBILE, browser="Mobile Safari",
                     os="iOS"), 2),
        (VisitSource(device=Device.DESKTOP, browser="Chrome", os="Windows"), 0),
        (VisitSource(referrer=HYPERLINK, utm_campaign=OTHER_VALUE, device=Device.TABLET,
                     browser=OTHER_VALUE, os="Android"), 1),
    ]
    events = []
    for n, (source, views) in enumerate(visits):
        sid = f"visit-{n}"
        events.append(event(services, 0, EventType.PAGE_VIEW, page="home", session_id=sid,
                            properties=source.first_event()))
        events += [event(services, 0, EventType.CONTENT_VIEW, content_id=item.id,
                         category=str(item.category), author_id=item.author_id,
                         session_id=sid, properties=source.every_event())
                   for _ in range(views)]
    services.ports.events.append(events)


def test_the_sources_tab_shows_referrers_tags_and_campaign_items_as_plain_text(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    item = make_item("캠페인 데모")
    seed(services, item)
    at = open_tab(open_dashboard(new_app, users["analyst"].username), "유입 경로")

    assert metric(at, "출처를 아는 방문") == "3"
    tables = {tuple(frame.value.columns): frame.value for frame in at.dataframe}
    referrers = tables[("유입 사이트", "방문", "비율 (%)")]
    assert dict(zip(referrers["유입 사이트"], referrers["방문"], strict=True)) == {
        "(직접 방문)": 1, "t.co": 1, HYPERLINK: 1}
    campaigns = tables[("캠페인", "콘텐츠", "조회", "캠페인 내 비율 (%)")]
    assert campaigns.values.tolist() == [[MARKUP, "캠페인 데모", 2, 100.0],
                                         ["(기타)", "캠페인 데모", 1, 100.0]]
    assert len(at.get("download_button")) == 5  # referrers, utm source, medium, campaign, items
    sent = json.dumps([json.loads(c.proto.spec) for c in at.get("plotly_chart")],
                      ensure_ascii=False)
    assert "&lt;b&gt;news&lt;/b&gt;" in sent and "<b>" not in sent  # the utm source chart


def test_the_devices_tab_shows_device_types_browsers_and_systems(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    seed(services, make_item("캠페인 데모"))
    at = open_tab(open_dashboard(new_app, users["admin"].username), "기기")

    assert metric(at, "기기별로 센 방문") == "3"  # not the sources tab's "known source"
    tables = {frame.value.columns[0]: frame.value for frame in at.dataframe}
    assert dict(zip(tables["기기 종류"]["기기 종류"], tables["기기 종류"]["방문"],
                    strict=True)) == {"모바일": 1, "데스크톱": 1, "태블릿": 1}
    assert tables["브라우저"]["브라우저"].tolist()[-1] == "(기타)"  # beyond the cap, last
    assert set(tables["운영체제"]["운영체제"]) == {"iOS", "Windows", "Android"}
    assert len(at.get("download_button")) == 3
    assert {c.key for c in at.get("plotly_chart")} >= {"chart_devices", "chart_browsers",
                                                       "chart_os"}


def test_empty_tabs_say_how_to_get_sources(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    # Usage from before sources were recorded: the other tabs have numbers, these none.
    services.ports.events.append([event(services, 0, EventType.PAGE_VIEW, page="home")])
    at = open_tab(open_dashboard(new_app, users["analyst"].username), "유입 경로")
    assert "utm_source=newsletter" in texts(at)
    open_tab(at, "기기")
    assert "기기가 기록된 방문이 없습니다" in texts(at)


def test_a_device_slice_click_filters_the_dashboard_by_that_device(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    seed(services, make_item("캠페인 데모"))
    at = open_tab(open_dashboard(new_app, users["analyst"].username), "기기")
    assert metric(at, "콘텐츠 조회") == "3"
    # The donut's slices in trace order are the table's rows: mobile (1 visit) is among them.
    devices = next(frame.value for frame in at.dataframe if frame.value.columns[0] == "기기 종류")
    order = devices["기기 종류"].tolist()
    click(at, "chart_devices", point_index=order.index("모바일"))

    assert at.query_params["device"] == "mobile"
    assert metric(at, "콘텐츠 조회") == "2"  # the phone visit's two views
    assert any("모바일" in chip for chip in chips(at)), chips(at)
