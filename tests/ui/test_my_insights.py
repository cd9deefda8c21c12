""""My insights" on the home page and the dashboard's follow control, through AppTest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.follows import FollowScope, Frequency
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.insights.digests import DigestSender
from services.insights.follows import period_for
from services.ui.my_insights import DASHBOARD_FOLLOW_OPEN_KEY
from tests.ui.conftest import as_shown, errors, texts
from tests.ui.test_dashboard import open_dashboard, views

HOME = "app_pages/home.py"


def follows_of(services: Services, user: User) -> list[tuple[str, FollowScope, str]]:
    assert services.follows is not None
    return [(f.metric, f.scope, f.value) for f in services.follows.follows(user.as_actor())]


def shown_lines(at: AppTest) -> str:
    """What "My insights" shows of its metrics: their lines, as a reader sees them."""
    return "\n".join(as_shown(str(e.value)).strip("*")
                     for e in [*at.markdown, *at.caption])


def open_home(new_app: Callable[..., AppTest], username: str) -> AppTest:
    at = new_app(username)
    at.run()
    at.switch_page(HOME).run()
    assert not at.exception and not errors(at), (at.exception, errors(at))
    return at


@pytest.fixture
def items(make_item: Callable[..., ContentItem]) -> dict[str, ContentItem]:
    return {"genai": make_item("생성형AI 챗봇", category=Category.GENERATIVE_AI),
            "finance": make_item("금융 리스크 데모", category=Category.FINANCE)}


def test_my_insights_shows_a_followed_metrics_change_and_drivers(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    # The last 7 days against the 7 before: 10 -> 40 content views, all of the rise GenAI's.
    services.ports.events.append(views(services, items["finance"], 9, 10)
                                 + views(services, items["finance"], 2, 10)
                                 + views(services, items["genai"], 3, 30))
    assert services.follows is not None
    services.follows.follow(users["analyst"].as_actor(), "content_views")

    at = open_home(new_app, users["analyst"].username)
    shown = shown_lines(at)
    assert "내 인사이트" in [h.value for h in at.header]
    assert "콘텐츠 조회 (플랫폼 전체): 10 → 40 (+300.0%)" in shown
    # The panel says which days it covers: the last 7 complete ones, not the dashboard's 7.
    today = services.analytics.today()
    week = period_for(Frequency.NONE, today)
    assert f"{week.start:%m-%d} ~ {week.end:%m-%d} (지난 7일, 오늘 제외)" in shown
    assert "주요 요인:" in shown and "생성형AI 챗봇 +30" in shown


def test_an_author_sees_how_to_follow_and_follows_their_own_item(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    at = open_home(new_app, users["author"].username)
    assert "아직 팔로우한 지표가 없습니다." in texts(at)
    at.selectbox(key="follow_scope").set_value(FollowScope.ITEM).run()
    at.selectbox(key="follow_item").set_value(items["genai"].id).run()
    at.button(key="follow_add").click().run()
    assert not at.exception and not errors(at)
    assert follows_of(services, users["author"]) == [
        ("page_views", FollowScope.ITEM, items["genai"].id)]
    assert "콘텐츠: 생성형AI 챗봇" in shown_lines(at)
    at.button(key="follow_add").click().run()  # the same again: one follow, and it says so
    assert follows_of(services, users["author"]) == [
        ("page_views", FollowScope.ITEM, items["genai"].id)]
    assert [i.value for i in at.info] == ["이미 팔로우하고 있는 지표입니다."]
    at.radio(key="digest_frequency").set_value(Frequency.WEEKLY).run()
    assert services.follows is not None
    assert services.follows.frequency(users["author"].as_actor()) is Frequency.WEEKLY


def test_viewers_see_no_my_insights(new_app: Callable[..., AppTest],
                                    users: dict[str, User]) -> None:
    at = open_home(new_app, users["viewer"].username)
    assert "내 인사이트" not in [h.value for h in at.header]


def test_the_dashboard_follow_control_is_drawn_only_once_opened(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    services.ports.events.append(views(services, items["finance"], 1, 5))
    at = open_dashboard(new_app, users["analyst"].username)
    assert "☆ 팔로우" in [p.proto.popover.label for p in at.get("popover")]
    assert not [s for s in at.selectbox if s.key == "dashboard_follow_metric"]

    at.session_state[DASHBOARD_FOLLOW_OPEN_KEY] = True  # as a click on it does
    at.run()

    assert [s.key for s in at.selectbox if s.key == "dashboard_follow_metric"]
    assert "dashboard_follow" in [b.key for b in at.button]


def test_the_dashboard_follow_control_adds_the_metric_to_my_insights(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    services.ports.events.append(views(services, items["finance"], 1, 5))
    at = open_dashboard(new_app, users["analyst"].username, DASHBOARD_FOLLOW_OPEN_KEY)
    at.selectbox(key="dashboard_follow_metric").set_value("downloads").run()
    at.button(key="dashboard_follow").click().run()
    assert not at.exception and not errors(at)
    assert follows_of(services, users["analyst"]) == [("downloads", FollowScope.ALL, "")]
    at.switch_page(HOME).run()
    assert "다운로드 (플랫폼 전체)" in shown_lines(at)


def test_the_dashboard_follow_control_shows_a_followed_metric_and_unfollows_it(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    services.ports.events.append(views(services, items["finance"], 1, 5))
    at = open_dashboard(new_app, users["analyst"].username, DASHBOARD_FOLLOW_OPEN_KEY)
    at.selectbox(key="dashboard_follow_metric").set_value("downloads").run()
    at.button(key="dashboard_follow").click().run()
    # Followed: the control says so and offers to unfollow, never a second follow.
    assert "★ 팔로우 중" in texts(at)
    assert [b.key for b in at.button if b.key == "dashboard_follow"] == []
    at = open_dashboard(new_app, users["analyst"].username, DASHBOARD_FOLLOW_OPEN_KEY)  # again
    at.selectbox(key="dashboard_follow_metric").set_value("downloads").run()
    assert "★ 팔로우 중" in texts(at)
    at.selectbox(key="dashboard_follow_metric").set_value("searches").run()
    assert "★ 팔로우 중" not in texts(at)  # another metric: not followed yet
    at.selectbox(key="dashboard_follow_metric").set_value("downloads").run()
    at.button(key="dashboard_unfollow").click().run()
    assert not at.exception and not errors(at)
    assert follows_of(services, users["analyst"]) == []
    assert [b.key for b in at.button if b.key == "dashboard_follow"] == ["dashboard_follow"]


def test_unfollow_removes_the_metric_from_my_insights(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    assert services.follows is not None
    services.follows.follow(users["analyst"].as_actor(), "searches")
    at = open_home(new_app, users["analyst"].username)
    assert "검색 (플랫폼 전체)" in shown_lines(at)
    at.button(key="unfollow_0").click().run()
    assert not at.exception and not errors(at)
    assert follows_of(services, users["analyst"]) == []
    assert "아직 팔로우한 지표가 없습니다." in texts(at)


def test_a_digest_kept_in_the_app_is_titled_by_its_period(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    items: dict[str, ContentItem],
) -> None:
    """"주간 요약: 시작 – 끝", as the mail's subject reads, not the week's code ("2026-W49")."""
    analyst = users["analyst"].as_actor()
    assert services.follows is not None and services.ports.follows is not None
    services.follows.follow(analyst, "page_views")
    services.follows.set_frequency(analyst, Frequency.WEEKLY)
    DigestSender(services.ports.follows, services.ports.events, services.ports.content,
                 services.ports.users, services.settings.tz).run()

    at = open_home(new_app, users["analyst"].username)

    [title] = [e.label for e in at.expander if "앱에 보관" in e.label]
    assert title.startswith("주간 요약: ") and "-W" not in title
