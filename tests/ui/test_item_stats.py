"""An item's and an author's own analytics pages through AppTest: the numbers, the CSVs, who
is refused, deleted and unpublished items, and the links to them from the dashboard."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import (
    DIRECT,
    ITEM_VISIT_PROP,
    SEARCH_TERM_PROP,
    SRC_PROP,
    Event,
    EventType,
)
from services.domain.models import ContentItem, Status
from services.domain.users import User
from tests.ui.conftest import (
    errors,
    follow_replacement,
    ko,
    shown_tiles,
    texts,
    tile_notes,
    tile_value,
)

ITEM_PAGE = "app_pages/item_stats.py"
AUTHOR_PAGE = "app_pages/author_stats.py"
_ids = itertools.count(1)
PURPOSE_RESEARCH = "리서치"  # the purpose "research", as the page names it


def view(services: Services, item: ContentItem, days_ago: int, session: str,
         **props: Any) -> Event:
    day = services.analytics.today() - timedelta(days=days_ago)
    ts = datetime.combine(day, time(0, 5), tzinfo=services.settings.tz)
    return Event(id=f"iv{next(_ids):06d}", ts=ts, type=EventType.CONTENT_VIEW,
                 session_id=session, content_id=item.id, category=str(item.category),
                 author_id=item.author_id, properties=props)


@pytest.fixture
def item(make_item: Callable[..., ContentItem], services: Services) -> ContentItem:
    """Today: 3 views in 2 visits, 2 of them after a search for "=cmd|x" (a formula-like
    term); 8 days ago (the previous 7 days): 1 view."""
    made = make_item("벡터 검색 데모")
    searched = {SEARCH_TERM_PROP: "=cmd|x"}
    services.ports.events.append([
        view(services, made, 0, "s1", **{ITEM_VISIT_PROP: True}, **searched),
        view(services, made, 0, "s1", **searched),
        view(services, made, 0, "s2", **{ITEM_VISIT_PROP: True}, vp="research"),
        view(services, made, 8, "s3", **{ITEM_VISIT_PROP: True}),
    ])
    return made


def open_item(new_app: Callable[..., AppTest], user: User | None, content_id: str,
              page: str = ITEM_PAGE) -> AppTest:
    at = new_app(user.username if user else None)
    at.run()
    at.query_params["id"] = content_id
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    return at


def metric(at: AppTest, label: str) -> str:
    return tile_value(at, label)


def test_an_unchanged_number_is_grey_without_an_arrow(
    new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
    services: Services,
) -> None:
    services.ports.events.append([view(services, item, 8, "s4", **{ITEM_VISIT_PROP: True}),
                                  view(services, item, 8, "s4")])  # 3 views, as today
    at = open_item(new_app, users["author"], item.id)
    at.button_group(key="item_stats_preset").set_value("7d").run()
    views = next(shown for shown in shown_tiles(at) if shown.label == "조회수")
    assert (views.delta, views.tone, views.arrow) == ("+0.0%", "quiet", None)


@pytest.mark.parametrize("role", ["author", "analyst", "admin"])
def test_the_item_page_shows_numbers_charts_and_csvs(
    role: str, new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
) -> None:
    at = open_item(new_app, users[role], item.id)
    at.button_group(key="item_stats_preset").set_value("7d").run()

    assert at.title[0].value == item.title
    assert (metric(at, "조회수"), metric(at, "방문자")) == ("3", "2")
    notes = tile_notes(at, "item_tile_notes")  # what each counts, then its previous value
    assert sorted(notes) == sorted(shown.label for shown in shown_tiles(at))
    assert all(not note.startswith("비교 기간") and "비교 기간" in note
               for note in notes.values()), notes
    assert at.get("plotly_chart")
    labels = [b.proto.label for b in at.get("download_button")]
    # search terms, purposes (no sources yet), the two funnels, per day
    assert labels == ["CSV 내려받기"] * 5
    terms, purposes, _, _, daily = (frame.value for frame in at.dataframe)
    assert terms.iloc[:, 0].tolist() == ["=cmd|x"] and terms.iloc[:, 1].tolist() == [2]
    assert purposes.iloc[:, 0].tolist() == [PURPOSE_RESEARCH] and len(daily) == 7
    assert "유입 경로를 아는 것이 아직 없습니다" in texts(at)
    assert f"csv_item_{item.id}_search_terms" in at.get("download_button")[0].proto.id


def download(services: Services, item: ContentItem, session: str, minutes: int) -> Event:
    """A download of ``item`` today, ``minutes`` after the views of the ``item`` fixture."""
    ts = datetime.combine(services.analytics.today(), time(0, 5 + minutes),
                          tzinfo=services.settings.tz)
    return Event(id=f"id{next(_ids):06d}", ts=ts, type=EventType.DOWNLOAD, session_id=session,
                 content_id=item.id, category=str(item.category), author_id=item.author_id)


@pytest.mark.parametrize("role", ["author", "analyst"])
def test_the_item_page_shows_its_funnels_against_the_previous_period(
    role: str, new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
    services: Services,
) -> None:
    services.ports.events.append([download(services, item, "s2", 3)])
    at = open_item(new_app, users[role], item.id)
    at.button_group(key="item_stats_preset").set_value("7d").run()

    assert "이 콘텐츠의 퍼널" in texts(at)
    to_download, to_like = (frame.value for frame in at.dataframe[2:4])
    # Today 2 visits viewed it and 1 downloaded it; the previous 7 days: 1 visit, none.
    assert to_download.iloc[:, 0].tolist() == ["1. 콘텐츠 조회", "2. 다운로드"]
    assert to_download.iloc[:, 1].tolist() == [2, 1]
    assert to_download.iloc[:, 4].tolist() == [1, 0]
    assert to_like.iloc[:, 1].tolist() == [2, 0]
    assert len(at.get("plotly_chart")) == 3  # the trend and both funnels
    ids = [b.proto.id for b in at.get("download_button")]
    assert any(f"csv_item_{item.id}_funnel_download" in i for i in ids)
    assert any(f"csv_item_{item.id}_funnel_like" in i for i in ids)


def test_an_item_nobody_viewed_has_empty_funnels_that_say_what_to_do(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem],
) -> None:
    quiet = make_item("조용한 데모")
    at = open_item(new_app, users["author"], quiet.id)

    empty = [i.value for i in at.info if "이 콘텐츠를 조회한 방문이 없어" in i.value]
    assert len(empty) == 2 and "기간을 늘리거나" in empty[0]
    # Each named as its chart would name it: two alike notes had said nothing of which is which.
    assert {"**조회 → 다운로드**", "**조회 → 좋아요**"} <= {m.value for m in at.markdown}
    # Nothing in this period nor the previous one: no flat chart and no 30 rows of zeros
    # under the note that says so; the funnels' two step tables stay.
    assert ko("itempage.nothing") in [i.value for i in at.info]
    assert not at.get("plotly_chart")
    assert len(at.dataframe) == 2 and ko("itempage.daily_title") not in texts(at)


def test_views_from_before_item_funnels_existed_are_not_called_no_visits(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem], services: Services,
) -> None:
    # Views stored by a version without item funnels: in the event store, not in the funnels.
    from services.adapters.sqlite.db import SqliteDatabase
    from services.adapters.sqlite.events import SqliteEventStore

    older = make_item("예전 데모")
    settings = services.settings
    SqliteEventStore(SqliteDatabase(settings.sqlite_path), settings.tz,
                     settings.event_retention_days).append(
        [view(services, older, 0, "old1"), view(services, older, 0, "old2")])
    at = open_item(new_app, users["author"], older.id)

    assert metric(at, "조회수").startswith("2")
    shown = [i.value for i in at.info if "퍼널" in i.value]
    assert len(shown) == 2 and all("추가된 날부터" in text for text in shown)
    assert not [i for i in at.info if "이 콘텐츠를 조회한 방문이 없어" in i.value]


@pytest.mark.parametrize("role", ["viewer", "other_author"])
def test_others_read_which_role_opens_the_page(
    role: str, new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
    make_user: Callable[..., User],
) -> None:
    user = make_user("other-author", "author") if role == "other_author" else users[role]
    at = open_item(new_app, user, item.id)
    assert [w.value for w in at.warning if "역할이 있어야" in w.value]
    assert not shown_tiles(at) and not at.get("download_button")


def test_an_anonymous_visitor_signs_in_first(new_app: Callable[..., AppTest],
                                            item: ContentItem) -> None:
    at = follow_replacement(open_item(new_app, None, item.id))
    assert at.title[0].value == "로그인"
    assert (at.query_params["next"], at.query_params["id"]) == ("item-stats", item.id)


def test_deleted_and_unpublished_items_say_so(
    new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
    services: Services, make_item: Callable[..., ContentItem],
) -> None:
    draft = make_item("초안 데모", status=Status.DRAFT)
    at = open_item(new_app, users["author"], draft.id)
    assert "게시되지 않은 콘텐츠입니다" in texts(at)

    services.content.delete(item.id, users["admin"].as_actor())
    at = open_item(new_app, users["analyst"], item.id)
    assert "삭제된 콘텐츠입니다" in texts(at)
    assert metric(at, "조회수") == "4"  # 30 days by default: its views are still counted
    at = open_item(new_app, users["author"], item.id)
    assert "삭제되었거나 더 이상 볼 수 없는" in texts(at) and not shown_tiles(at)


def test_the_author_page_lists_items_with_links_to_their_pages(
    new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
) -> None:
    at = open_item(new_app, users["analyst"], users["author"].username, AUTHOR_PAGE)

    assert f"작성자 통계: {users['author'].name}" in texts(at)
    assert metric(at, "조회수") == "4"  # 30 days by default
    items = at.dataframe[0].value
    assert items.iloc[0, 0] == item.title
    assert items.iloc[0, -1] == f"item-stats?id={item.id}&period=30d"  # the page's period
    assert len(at.get("download_button")) == 2  # the items, per day
    other = open_item(new_app, users["viewer"], users["author"].username, AUTHOR_PAGE)
    assert [w.value for w in other.warning if "역할이 있어야" in w.value]


def open_tab(at: AppTest, label: str) -> Any:
    return next(tab for tab in at.tabs if tab.label == label)


def test_the_dashboard_tables_link_to_item_and_author_pages(
    new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
) -> None:
    at = new_app(users["analyst"].username)
    at.run()
    at.switch_page("app_pages/dashboard.py").run()
    at.session_state["analytics_tab"] = "콘텐츠"
    at.run()
    top = open_tab(at, "콘텐츠").dataframe[0].value  # (the panels above have tables too)
    assert top.iloc[0, -1] == f"item-stats?id={item.id}&period=7d"  # the dashboard's period
    at.session_state["analytics_tab"] = "작성자"
    at.run()
    authors = open_tab(at, "작성자").dataframe[0].value
    assert authors.iloc[0, -1] == f"author-stats?id={users['author'].username}&period=7d"


def test_my_content_links_to_the_item_page(
    new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
) -> None:
    at = new_app(users["author"].username)
    at.run()
    at.switch_page("app_pages/my_content.py").run()
    links = {(link.proto.page, link.proto.query_string) for link in at.get("page_link")}
    assert ("item-stats", f"id={item.id}") in links
    assert ("author-stats", f"id={users['author'].username}") in links  # "my author page"


def test_an_unknown_author_from_the_address_is_shown_as_typed(
    new_app: Callable[..., AppTest], users: dict[str, User],
) -> None:
    at = open_item(new_app, users["analyst"], "**nobody**", AUTHOR_PAGE)
    assert at.title[0].value == r"작성자 통계\: \*\*nobody\*\*"  # escaped: no bold
    assert "콘텐츠가 아직 없습니다" in texts(at) and not shown_tiles(at)


def test_the_content_page_reads_its_stats_only_when_the_author_opens_them(
    new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem
) -> None:
    at = open_item(new_app, users["author"], item.id, "app_pages/content.py")
    assert [e.label for e in at.expander].count("이 콘텐츠의 통계 (최근 30일)") == 1
    chart = f"item_stats_chart_{item.id}"
    assert chart not in [c.key for c in at.get("plotly_chart")]  # closed: nothing built
    at.session_state[f"item_stats_open_{item.id}"] = True
    at.run()
    assert not at.exception, at.exception
    assert chart in [c.key for c in at.get("plotly_chart")]
    assert "4" in [shown.value for shown in shown_tiles(at)]  # four views in 30 days


def test_visits_without_a_source_read_as_words_on_the_item_page(
    new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem,
    services: Services,
) -> None:
    services.ports.events.append([
        view(services, item, 0, "s9", **{ITEM_VISIT_PROP: True, SRC_PROP: DIRECT})])
    at = open_item(new_app, users["author"], item.id)

    sources = next(frame.value for frame in at.dataframe
                   if frame.value.columns[0] == "유입 경로")
    assert "(직접 방문)" in sources.iloc[:, 0].tolist()
    assert DIRECT not in sources.iloc[:, 0].tolist()
