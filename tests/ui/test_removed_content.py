"""Removed content on the dashboard, through AppTest: an admin removes the samples and their
demo traffic goes with them; items deleted one by one are one row, not one row each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from streamlit.testing.v1 import AppTest

from services.analytics.synthetic import ContentRef, synthetic_events
from services.bootstrap import Services
from services.domain.analytics import Event, EventType
from services.domain.models import Category, ContentItem, utcnow
from services.domain.users import User
from services.i18n import translate
from tests.ui.conftest import errors, tile_value

ADMIN_PAGE = "app_pages/admin.py"
DASHBOARD = "app_pages/dashboard.py"
DELETED = translate("ko", "analytics.deleted_items")


def views(item: ContentItem, count: int, prefix: str) -> list[Event]:
    return [Event(id=f"{prefix}-{item.id}-{n}", ts=utcnow() - timedelta(minutes=5 + n),
                  type=EventType.CONTENT_VIEW, session_id=f"{prefix}-{n}", content_id=item.id,
                  category=str(item.category), author_id=item.author_id)
            for n in range(count)]


def open_page(new_app: Callable[..., AppTest], username: str, page: str) -> AppTest:
    at = new_app(username)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    return at


def metric(at: AppTest, label: str) -> str:
    return tile_value(at, label)


def cells(at: AppTest) -> list[str]:
    return [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]


def test_an_admin_removes_the_samples_and_the_dashboard_forgets_their_traffic(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    own = make_item("직접 만든 금융 데모", category=Category.FINANCE)
    sample = make_item("샘플 생성형AI 데모", sample=True, author="admin")
    today = services.analytics.today()
    demo = synthetic_events([ContentRef(sample.id, str(sample.category), sample.author_id)],
                            total=400, days=3, end=today, tz=services.settings.tz,
                            now=utcnow(), sample=True)
    services.ports.events.append([*demo, *views(own, 2, "real")])
    assert metric(open_page(new_app, users["analyst"].username, DASHBOARD),
                  "인기 카테고리") == "생성형 AI"

    at = open_page(new_app, users["admin"].username, ADMIN_PAGE)
    at.button(key="adm_samples_remove").click().run()
    at.button(key="adm_samples_yes").click().run()
    assert not at.exception, at.exception

    board = open_page(new_app, users["analyst"].username, DASHBOARD)
    assert metric(board, "콘텐츠 조회") == "2"
    assert metric(board, "인기 카테고리") == "금융"
    assert "샘플 생성형AI 데모" not in cells(board) and DELETED not in cells(board)


def test_items_deleted_one_by_one_show_as_one_row(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    kept = make_item("남은 데모")
    gone = [make_item(f"지운 데모 {n}") for n in range(6)]
    services.ports.events.append(
        [e for item in [kept, *gone] for e in views(item, 2, "v")])
    for item in gone:
        services.content.delete(item.id, users["admin"].as_actor())

    board = open_page(new_app, users["analyst"].username, DASHBOARD)
    assert metric(board, "콘텐츠 조회") == "14"  # the deleted items' views still count
    board.session_state["analytics_tab"] = translate("ko", "analytics.tab.content")
    board.run()
    top = next(frame.value for frame in board.dataframe
               if "남은 데모" in frame.value.to_numpy().ravel().tolist())
    titles = top.iloc[:, 0].tolist()
    assert titles.count(DELETED) == 1 and "남은 데모" in titles
    assert top[top.iloc[:, 0] == DELETED].iloc[0].tolist().count(12) == 1  # 6 x 2 views
