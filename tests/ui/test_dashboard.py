"""The usage dashboard (analysts and admins), tracking from pages, the visitor-purpose prompt
and authors' own stats, through AppTest."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Filters, Period, Preset
from services.bootstrap import Services
from services.domain.analytics import Dim, Event, EventType
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.ui.dashboard import FILTERS_OPEN_KEY, INSIGHTS_OPEN_KEY
from tests.ui.conftest import (
    PASSWORD,
    as_shown,
    assert_refused,
    errors,
    ko,
    shown_tiles,
    texts,
    tile_notes,
    tile_value,
)
from tests.ui.live_panel import board_tabs, off_panel

DASHBOARD = "app_pages/dashboard.py"
_ids = itertools.count(1)


def local(services: Services, days_ago: int, minutes: int = 1) -> datetime:
    """A moment ``days_ago`` local days before today, just after local midnight."""
    day = services.analytics.today() - timedelta(days=days_ago)
    tz = services.settings.tz
    return datetime.combine(day, time(0, 0), tzinfo=tz) + timedelta(minutes=minutes)


def event(services: Services, days_ago: int, type_: EventType, **fields: Any) -> Event:
    fields.setdefault("session_id", f"seed-{days_ago}")
    return Event(id=f"seed{next(_ids):06d}", ts=local(services, days_ago), type=type_, **fields)


def views(services: Services, item: ContentItem, days_ago: int, count: int) -> list[Event]:
    return [event(services, days_ago, EventType.CONTENT_VIEW, content_id=item.id,
                  category=str(item.category), author_id=item.author_id) for _ in range(count)]


@pytest.fixture
def items(make_item: Callable[..., ContentItem]) -> dict[str, ContentItem]:
    return {
        "genai": make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI),
        "finance": make_item("금융 리스크 데모", category=Category.FINANCE),
    }


@pytest.fixture
def seeded(services: Services, items: dict[str, ContentItem]) -> Services:
    """Today: 3 page views, 4 GenAI + 1 Finance views, 1 search with no results, one purpose
    answered and one skipped. Ten days ago (the previous 7-day period): 2 page views and
    2 Finance views."""
    events = [event(services, 0, EventType.PAGE_VIEW, page="home") for _ in range(3)]
    events += views(services, items["genai"], 0, 4) + views(services, items["finance"], 0, 1)
    events.append(event(services, 0, EventType.SEARCH,
                        properties={"query": "양자컴퓨팅", "results": 0}))
    events += [event(services, 0, EventType.VISITOR_PURPOSE, properties={"purpose": purpose})
               for purpose in ("customer-demo", "skipped")]
    events += [event(services, 10, EventType.PAGE_VIEW, page="home") for _ in range(2)]
    events += views(services, items["finance"], 10, 2)
    services.ports.events.append(events)
    return services


def open_dashboard(new_app: Callable[..., AppTest], username: str,
                   *panels: str) -> AppTest:
    """The dashboard as ``username`` sees it, with its folded ``panels`` (their keys) opened."""
    at = new_app(username)
    for key in panels:
        at.session_state[key] = True
    at.run()
    at.switch_page(DASHBOARD).run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    return at


def metric(at: AppTest, label: str) -> str:
    return tile_value(at, label)


def delta(at: AppTest, label: str) -> str:
    return str(next(shown.delta for shown in shown_tiles(at) if shown.label == label))


def each_tab(at: AppTest) -> Iterator[str]:
    """Open the dashboard's tabs one after another (only the open one is drawn)."""
    for label in [tab.label for tab in board_tabs(at)]:
        at.session_state["analytics_tab"] = label
        at.run()
        assert not errors(at)
        yield label


# ---- who sees it -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_dashboard_renders_with_tiles_tabs_charts_and_csv(
    role: str, new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users[role].username)
    assert at.title[0].value == "사용 현황 대시보드"
    # Page views are not checked here: this session's own, flushed in the background, add to
    # them. Content views and searches come from the seed only.
    assert metric(at, "콘텐츠 조회") == "5"
    assert metric(at, "검색") == "1"
    assert delta(at, "콘텐츠 조회") == "+150.0%"  # 5 against 2
    assert metric(at, "인기 카테고리") == "생성형 AI"
    assert re.fullmatch(r"\d+\.\d%", delta(at, "인기 카테고리"))  # one decimal, as every rate
    assert len(board_tabs(at)) == 12  # with the companies, for analysts and administrators
    # Only the open tab is drawn; each tab draws its own chart and tables when opened.
    drawn = [chart.key for chart in off_panel(at, "plotly_chart")]
    assert drawn == ["chart_trend"]  # one figure, the content and platform-wide panels
    charts, csv_labels = set(), []
    for label in each_tab(at):
        if label == "재방문":  # signed-in users: this session's own, flushed in the background
            continue
        charts.update(chart.key for chart in off_panel(at, "plotly_chart"))
        # The insights panel above the tabs has its own tables (tests/ui/test_insights.py).
        csv_labels += [b.proto.label for b in at.get("download_button")
                       if "csv_insights" not in b.proto.id]
    assert len(charts) >= 5
    assert len(csv_labels) == 9 and set(csv_labels) == {"CSV 내려받기"}  # one per table
    at.session_state["analytics_tab"] = "검색어"  # no longer the last tab
    at.run()
    assert "양자컴퓨팅" in at.dataframe[-1].value.iloc[:, 0].tolist()  # the zero-result table
    assert "결과가 없던 검색어" in texts(at)


@pytest.mark.parametrize("role", [None, "viewer", "author"])
def test_dashboard_is_absent_for_other_roles(
    role: str | None, new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app(users[role].username if role else None)
    at.run()
    assert_refused(at, DASHBOARD)


# ---- controls change the numbers -------------------------------------------------------------


def test_changing_the_period_changes_the_numbers(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    assert metric(at, "콘텐츠 조회") == "5"
    at.button_group(key="dash_preset").set_value(Preset.DAYS_30).run()
    assert metric(at, "콘텐츠 조회") == "7"  # now ten days ago is inside the period
    assert delta(at, "콘텐츠 조회") == "신규"  # nothing in the previous 30 days to compare with
    at.button_group(key="dash_preset").set_value(Preset.CUSTOM).run()
    ten_days_ago = seeded.analytics.today() - timedelta(days=10)
    at.date_input(key="dash_range").set_value((ten_days_ago, ten_days_ago)).run()
    assert not errors(at)
    assert metric(at, "콘텐츠 조회") == "2"
    assert metric(at, "인기 카테고리") == "금융"


def test_a_custom_range_starts_at_the_period_on_screen(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    at.button_group(key="dash_preset").set_value(Preset.DAYS_30).run()
    at.button_group(key="dash_preset").set_value(Preset.CUSTOM).run()
    today = seeded.analytics.today()
    assert at.date_input(key="dash_range").value == (today - timedelta(days=29), today)
    assert metric(at, "콘텐츠 조회") == "7"  # the 30 days' numbers stay on screen


def test_no_change_is_neither_good_nor_bad_news(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
    items: dict[str, ContentItem],
) -> None:
    seeded.ports.events.append(views(seeded, items["finance"], 0, 1))  # 2 today, as before
    at = open_dashboard(new_app, users["admin"].username, FILTERS_OPEN_KEY)
    at.selectbox(key="dash_category_ko").select(Category.FINANCE.value).run()
    same = next(shown for shown in shown_tiles(at) if shown.label == "콘텐츠 조회")
    assert (same.delta, same.tone, same.arrow) == ("+0.0%", "quiet", None)
    at.selectbox(key="dash_category_ko").select("").run()
    rise = next(shown for shown in shown_tiles(at) if shown.label == "콘텐츠 조회")  # 6 vs 2
    assert (rise.delta, rise.tone, rise.arrow) == ("+200.0%", "good", "up")


def test_filters_change_content_numbers_only(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["admin"].username, FILTERS_OPEN_KEY)
    at.selectbox(key="dash_category_ko").select(Category.FINANCE.value).run()
    assert metric(at, "콘텐츠 조회") == "1"
    assert delta(at, "콘텐츠 조회") == "-50.0%"  # 1 against 2
    assert metric(at, "검색") == "1"  # platform-wide
    assert metric(at, "인기 카테고리") == "생성형 AI"  # platform-wide too
    at.selectbox(key="dash_category_ko").select("").run()
    at.selectbox(key="dash_author_ko").select(users["author"].username).run()
    assert metric(at, "콘텐츠 조회") == "5"  # both items are the author's
    at.selectbox(key="dash_author_ko").select("").run()
    assert metric(at, "콘텐츠 조회") == "5"


def test_a_filter_survives_a_language_switch_with_new_labels(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username, FILTERS_OPEN_KEY)
    at.selectbox(key="dash_category_ko").select(Category.FINANCE.value).run()
    at.radio(key="df_lang_widget").set_value("en").run()
    english = at.selectbox(key="dash_category_en")
    assert english.options[0] == "All categories"
    assert english.options[english.proto.default] == "Finance"  # kept, shown in English
    assert metric(at, "Content views") == "1"
    # (AppTest formats selectbox values in the test's own language: no further run here.)


def test_an_empty_period_still_shows_the_tiles(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    # What an empty period says to do: tests/ui/test_dashboard_empty.py.
    at = open_dashboard(new_app, users["analyst"].username)
    assert metric(at, "콘텐츠 조회") == "0"
    assert "이 기간에는 아직 이벤트가 없습니다" in texts(at)
    assert not at.tabs


# ---- the live tiles' fragment, run directly --------------------------------------------------


def _tiles_script(analyst: str, data_dir: str) -> None:
    from services.analytics.dashboards import Filters, Preset
    from services.bootstrap import build_services
    from services.settings import load_settings
    from services.ui.dashboard import kpi_panel

    services = build_services(load_settings(data_dir=data_dir, sample_content=False))
    actor = services.accounts.get(analyst).as_actor()
    period = services.analytics.period(Preset.DAYS_7)
    kpi_panel(services.analytics, actor, period, Filters(category="Finance"))


def test_the_live_fragment_body_draws_the_tiles(
    users: dict[str, User], seeded: Services, app_env: Any
) -> None:
    at = AppTest.from_function(_tiles_script, args=(users["analyst"].username, str(app_env)),
                               default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    assert len(shown_tiles(at)) == 8
    assert metric(at, "콘텐츠 조회") == "1"  # the Finance filter applies
    assert metric(at, "페이지 조회") == "3"
    assert "기준" in at.caption[0].value and "지구 아이콘" in at.caption[0].value
    # The time names its zone: a reader abroad would take a bare "14:25" for their own.
    assert re.search(r"\d\d:\d\d:\d\d KST 기준", at.caption[0].value), at.caption[0].value
    # What each tile counts, and its previous period's value, is in the notes under them.
    at.session_state["dash_tile_notes"] = True  # what opening them sends
    at.run()
    notes = as_shown(at.expander[0].markdown[0].value)
    assert [shown.label for shown in shown_tiles(at) if f"**{shown.label}**" not in notes] == []


def test_the_time_of_day_tab_names_the_time_zone(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    at.session_state["analytics_tab"] = "시간대"
    at.run()
    assert any("시간은 KST (Asia/Seoul) 기준입니다" in c.value for c in at.caption)


# ---- tracking from pages ---------------------------------------------------------------------


def _rollup(services: Services, type_: EventType, dim: Dim) -> dict[str, int]:
    services_tracker_flush(services)
    today = services.analytics.today()
    rows = services.ports.events.rollups(today, today, types=[type_], dims=[dim])
    return {row.key.value: row.count for row in rows}


def services_tracker_flush(services: Services) -> None:
    services.tracker.flush()


def _app_services(at: AppTest) -> Services:
    found: Services = at.session_state["_df_services"]
    return found


def test_pages_record_views_once_per_navigation_and_search_once_per_query(
    new_app: Callable[..., AppTest], users: dict[str, User], items: dict[str, ContentItem]
) -> None:
    at = new_app()
    at.run()  # home
    at.run()  # a rerun of the same page is not a new view
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.switch_page("app_pages/browse.py").run()
    at.text_input(key="browse_all_q").input("챗봇").run()
    at.text_input(key="browse_all_q").input("없는검색어").run()
    at.selectbox(key="browse_all_sort").select("title").run()  # same query: not a new search
    at.query_params["id"] = items["genai"].id
    at.switch_page("app_pages/content.py").run()
    at.run()  # the content view is counted once per session
    at.switch_page("app_pages/home.py").run()
    assert not at.exception and not errors(at)
    app = _app_services(at)
    pages = _rollup(app, EventType.PAGE_VIEW, Dim.PAGE)
    assert pages == {"home": 2, "browse": 1, "content": 1}
    assert _rollup(app, EventType.SEARCH, Dim.SEARCH_TERM) == {"챗봇": 1, "없는검색어": 1}
    assert _rollup(app, EventType.SEARCH, Dim.ZERO_RESULT_TERM) == {"없는검색어": 1}
    assert _rollup(app, EventType.CONTENT_VIEW, Dim.CONTENT) == {items["genai"].id: 1}


def test_likes_and_logins_are_recorded(
    new_app: Callable[..., AppTest], users: dict[str, User], items: dict[str, ContentItem]
) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/login.py").run()
    _submit_login(at, "viewer-user", "wrong-password-123")
    assert errors(at)
    _submit_login(at, "viewer-user", PASSWORD)
    at.query_params["id"] = items["genai"].id
    at.switch_page("app_pages/content.py").run()
    at.button(key=f"like_{items['genai'].id}").click().run()
    at.button(key=f"unlike_{items['genai'].id}").click().run()
    assert not at.exception and not errors(at)
    app = _app_services(at)
    for type_, expected in ((EventType.LOGIN_FAILED, 1), (EventType.LOGIN, 1),
                            (EventType.LIKE, 1), (EventType.UNLIKE, 1)):
        assert _rollup(app, type_, Dim.ALL) == {"": expected}, type_


def _submit_login(at: AppTest, username: str, password: str) -> None:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    labels = [b.label for b in at.button]
    at.button[labels.index("로그인")].click().run()


def test_visitor_purpose_is_asked_once_and_skips_are_counted(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app()
    at.run()
    assert "어떤 목적으로 방문하셨나요?" in texts(at)
    at.button(key="df_purpose_skip").click().run()
    assert "어떤 목적으로 방문하셨나요?" not in texts(at)
    at.switch_page("app_pages/browse.py").run()
    assert "어떤 목적으로 방문하셨나요?" not in texts(at)
    answered = new_app()
    answered.run()
    answered.button_group(key="df_purpose").set_value("customer-demo").run()
    assert "어떤 목적으로 방문하셨나요?" not in texts(answered)
    purposes = _rollup(_app_services(answered), EventType.VISITOR_PURPOSE, Dim.PURPOSE)
    assert purposes == {"skipped": 1, "customer-demo": 1}


# ---- authors' own stats ----------------------------------------------------------------------


def test_authors_see_their_own_items_stats(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
    items: dict[str, ContentItem],
) -> None:
    at = new_app(users["author"].username)
    at.run()
    at.switch_page("app_pages/my_content.py").run()
    assert not at.exception and not errors(at)
    assert "내 콘텐츠 통계" in texts(at)
    assert metric(at, "조회수") == "7"  # 30 days by default: 5 today + 2 ten days ago
    # The dashboard's picker, as on the item pages: "today" and a custom range too.
    assert at.button_group(key="my_stats_preset").options == [
        ko(f"analytics.preset.{p.name.lower()}") for p in Preset]
    at.button_group(key="my_stats_preset").set_value(Preset.DAYS_7).run()
    assert metric(at, "조회수") == "5"
    at.button_group(key="my_stats_preset").set_value(Preset.TODAY).run()
    assert metric(at, "조회수") == "5"
    # Each number says what it counts, in words for this page (no filters here, no change).
    notes = tile_notes(at, "my_tile_notes")
    assert sorted(notes) == sorted(shown.label for shown in shown_tiles(at))
    assert all(note and "필터" not in note for note in notes.values()), notes
    assert at.get("plotly_chart")
    own = at.dataframe[0].value
    assert sorted(own.iloc[:, 0]) == sorted(i.title for i in items.values())
    at.query_params["id"] = items["finance"].id
    at.switch_page("app_pages/content.py").run()
    assert "이 콘텐츠의 통계 (최근 30일)" in [e.label for e in at.expander]
    viewer = new_app(users["viewer"].username)
    viewer.run()
    viewer.query_params["id"] = items["finance"].id
    viewer.switch_page("app_pages/content.py").run()
    assert viewer.title[0].value == items["finance"].title
    assert not [e for e in viewer.expander if e.label.startswith("이 콘텐츠의 통계")]


def test_an_analyst_reads_the_same_numbers_the_service_computes(
    seeded: Services, users: dict[str, User]
) -> None:
    analyst = users["analyst"].as_actor()
    week = seeded.analytics.period(Preset.DAYS_7)
    tiles = {k.key: k.value for k in seeded.analytics.kpis(analyst, week, Filters())}
    assert (tiles["content_views"], tiles["page_views"], tiles["searches"]) == (5, 3, 1)
    assert isinstance(week, Period)


def test_a_reload_is_the_same_visitor_and_is_not_asked_again(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload is a new Streamlit session; the browser's session cookies carry the visit."""
    from services.ui import tracking

    def scripts(at: AppTest) -> str:
        return " ".join(str(h.proto.body) for h in at.get("html"))

    first = new_app()
    first.run()
    visit = first.session_state["_df_session_id"]
    assert f"df_visit={visit}; path=/; SameSite=Strict" in scripts(first)  # no max-age
    first.button(key="df_purpose_skip").click().run()
    assert "df_purpose=1; path=/; SameSite=Strict" in scripts(first)
    assert "df_visit" not in scripts(first)  # written once per Streamlit session

    sent = {"df_visit": visit, "df_purpose": "1"}
    monkeypatch.setattr(tracking, "read_cookie", sent.get)
    reloaded = new_app()
    reloaded.run()
    assert reloaded.session_state["_df_session_id"] == visit
    assert "어떤 목적으로 방문하셨나요?" not in texts(reloaded)
    assert "document.cookie" not in scripts(reloaded)  # nothing to write again

    sent["df_visit"] = "'; alert(1)"  # a forged cookie is not used as an id
    forged = new_app()
    forged.run()
    assert forged.session_state["_df_session_id"] != sent["df_visit"]


def test_search_terms_and_titles_are_plain_text_in_the_charts(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    import json

    term = '<a href="https://evil.example">세션 만료</a>'
    item = make_item('<b>굵은</b> <a href="https://evil.example">제목</a>')
    search = event(services, 0, EventType.SEARCH, properties={"query": term, "results": 1})
    services.ports.events.append([*views(services, item, 0, 2), search])
    at = open_dashboard(new_app, users["analyst"].username)
    specs = [json.loads(chart.proto.spec) for _ in each_tab(at) for chart in at.get("plotly_chart")]
    sent = json.dumps(specs, ensure_ascii=False)
    assert "&lt;a href=\\\"https://evil.example\\\"&gt;세션 만료&lt;/a&gt;" in sent
    assert "&lt;b&gt;굵은&lt;/b&gt;" in sent
    assert "<a " not in sent and "<b>" not in sent


# ---- the trend: filtered and platform-wide numbers never share an axis -------------------------


def _figures(at: AppTest) -> list[dict[str, Any]]:
    import json

    return [json.loads(chart.proto.spec) for chart in off_panel(at, "plotly_chart")]


def _trend_figures(at: AppTest) -> tuple[dict[str, Any], dict[str, Any]]:
    """The trend chart's two panels (content, platform) as figures of their own: each panel's
    traces, its title and its y axis."""
    (figure,) = [f for f in _figures(at) if "yaxis2" in f["layout"]]
    titles = [note["text"] for note in figure["layout"]["annotations"]]
    return tuple(  # type: ignore[return-value]
        {"data": [trace for trace in figure["data"] if trace.get("yaxis", "y") == axis],
         "layout": {"title": {"text": title}, "yaxis": figure["layout"][layout_axis]}}
        for axis, layout_axis, title in (("y", "yaxis", titles[0]), ("y2", "yaxis2", titles[1])))


def _series(figure: dict[str, Any]) -> set[str]:
    return {trace["name"] for trace in figure["data"]}


def _values(sent: Any) -> list[int]:
    """A trace's numbers as plotly sends them (a list, or typed bytes in base64)."""
    import base64

    import numpy as np

    if isinstance(sent, dict):
        return np.frombuffer(base64.b64decode(sent["bdata"]), dtype=sent["dtype"]).tolist()
    return list(sent)


def _title(figure: dict[str, Any]) -> str:
    return str(figure["layout"]["title"]["text"])


def _y_title(figure: dict[str, Any]) -> str:
    return str(figure["layout"]["yaxis"]["title"]["text"])


def test_filtered_and_platform_wide_series_are_separate_panels_that_say_what_they_count(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username, FILTERS_OPEN_KEY)
    content, platform = _trend_figures(at)
    assert _series(content) == {"콘텐츠 조회", "다운로드", "좋아요(순증)"}
    assert _series(platform) == {"페이지 조회", "검색"}
    assert _title(content).endswith("플랫폼 전체") and _title(platform).endswith("플랫폼 전체")
    assert _y_title(content) and _y_title(platform)

    at.selectbox(key="dash_category_ko").select(Category.FINANCE.value).run()
    content, platform = _trend_figures(at)
    assert _series(content) == {"콘텐츠 조회", "다운로드", "좋아요(순증)"}  # the filtered lines
    assert _series(platform) == {"페이지 조회", "검색"}  # never on the filtered chart's axis
    assert "필터: 금융" in _title(content)
    assert _title(platform).endswith("플랫폼 전체")
    assert max(_values(content["data"][0]["y"])) == 1  # Finance: one view today

    at.selectbox(key="dash_author_ko").select(users["author"].username).run()
    assert f"필터: 금융 · {users['author'].name}" in _title(_trend_figures(at)[0])

    at.radio(key="df_lang_widget").set_value("en").run()
    content, platform = _trend_figures(at)
    assert "filtered: Finance" in _title(content)
    assert _title(platform) == "Page views, searches — whole platform"
    assert _y_title(content) == "Events per day"


def test_the_open_tabs_stay_open_across_a_language_switch(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username, INSIGHTS_OPEN_KEY)
    at.session_state["analytics_tab"] = "검색어"
    at.session_state["insights_part"] = "평소와 다른 날과 시간"
    at.run()
    at.radio(key="df_lang_widget").set_value("en").run()
    assert not at.exception, at.exception
    assert at.session_state["analytics_tab"] == "Search"
    assert at.session_state["insights_part"] == "Unusual days and hours"
    assert "Searches" in [col for d in at.dataframe for col in d.value.columns]


def test_a_choice_inside_a_tab_survives_a_trip_to_another_tab(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    """Only the open tab is drawn, and Streamlit drops the state of widgets a run does not
    draw: the trend's overlay switch and a funnel being defined are kept."""
    item = make_item("데모", category=Category.FINANCE)
    services.ports.events.append(views(services, item, 1, 3))
    at = open_dashboard(new_app, users["analyst"].username)
    at.toggle(key="dash_overlay").set_value(True).run()
    at.session_state["analytics_tab"] = "퍼널"
    at.session_state["funnel_builder_open"] = True
    at.run()
    at.number_input(key="funnel_steps_n").set_value(3).run()
    at.text_input(key="funnel_name").input("검색에서 좋아요까지").run()
    at.selectbox(key="funnel_step_0_ko").set_value("event:search").run()
    at.selectbox(key="funnel_step_1_ko").set_value("event:content_view").run()
    at.selectbox(key="funnel_item_1").set_value(item.id).run()
    at.session_state["analytics_tab"] = "추이"
    at.run()
    assert not at.exception, at.exception
    assert at.toggle(key="dash_overlay").value is True
    at.session_state["analytics_tab"] = "퍼널"
    at.run()
    # The funnel being defined is still there, half done.
    assert at.number_input(key="funnel_steps_n").value == 3
    assert at.text_input(key="funnel_name").value == "검색에서 좋아요까지"
    assert at.selectbox(key="funnel_step_0_ko").value == "event:search"
    assert at.selectbox(key="funnel_item_1").value == item.id  # picked by its title, "데모"
