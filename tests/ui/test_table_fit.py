"""The analyst's tables fit the page on a 1400 px desktop: every column has a width, and the
widths add up to no more than the table's container (the grid scrolls sideways otherwise,
and the link, top-titles and detail columns were cut off at the right edge). The browser
check of the same is tests/e2e/test_layout.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import ITEM_VISIT_PROP, Event, EventType
from services.domain.models import AuditEntry, ContentItem, utcnow
from services.domain.users import User
from services.ui.table_widths import GROW_CAP_PX, TEXT_FLOOR_PX, WIDE_CAP_PX, column_px, fit
from tests.ui.conftest import errors

# The main column of a 1400 px window with the sidebar open (measured in chromium).
PAGE_PX = 940
LONG_TITLE = "Prompt engineering patterns for Claude on Amazon Bedrock in regulated industries"


def widths(frame: Any) -> list[int | None]:
    """The widths the grid is given for a table's shown columns."""
    columns = json.loads(frame.proto.columns or "{}")
    shown = [name for name in frame.value.columns if not columns.get(name, {}).get("hidden")]
    return [columns.get(name, {}).get("width") for name in shown]


def assert_fits(frames: list[Any], budget: int = PAGE_PX) -> None:
    assert frames
    for frame in frames:
        found = widths(frame)
        assert None not in found, (list(frame.value.columns), found)
        assert sum(w for w in found if w is not None) <= budget, (list(frame.value.columns), found)


@pytest.fixture
def viewed(make_item: Callable[..., ContentItem], services: Services) -> ContentItem:
    made = make_item(LONG_TITLE)
    today = datetime.combine(services.analytics.today(), time(0, 5), tzinfo=services.settings.tz)
    services.ports.events.append(
        [
            Event(
                id=f"fit{i}",
                ts=today,
                type=EventType.CONTENT_VIEW,
                session_id=f"s{i}",
                content_id=made.id,
                category=str(made.category),
                author_id=made.author_id,
                properties={ITEM_VISIT_PROP: True},
            )
            for i in range(3)
        ]
    )
    return made


def _open(
    new_app: Callable[..., AppTest], user: User, page: str, params: dict[str, str] | None = None
) -> AppTest:
    at = new_app(user.username)
    at.run()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    return at


@pytest.mark.parametrize("tab", ["콘텐츠", "작성자"])
def test_the_dashboards_content_and_author_tables_fit_the_page(
    tab: str,
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    viewed: ContentItem,
) -> None:
    at = _open(new_app, users["analyst"], "app_pages/dashboard.py")
    at.session_state["analytics_tab"] = tab
    at.run()
    opened = next(found for found in at.tabs if found.label == tab)
    assert_fits(list(opened.dataframe))


def test_the_dashboards_content_table_gives_its_titles_the_room_its_headings_leave(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    viewed: ContentItem,
) -> None:
    """Its titles were cut at 240–263 px in both languages: "Likes per view (%)" and "Stats page"
    took about 230 px of a table at the page's full width."""
    at = _open(new_app, users["analyst"], "app_pages/dashboard.py")
    at.session_state["analytics_tab"] = "콘텐츠"
    at.run()
    for language, tab, heading in (("ko", "콘텐츠", "제목"), ("en", "Content", "Title")):
        if language == "en":
            at.radio(key="df_lang_widget").set_value("en").run()
            at.session_state["analytics_tab"] = tab
            at.run()
        opened = next(found for found in at.tabs if found.label == tab)
        table = next(f for f in opened.dataframe if heading in list(f.value.columns))
        found = widths(table)
        title = found[list(table.value.columns).index(heading)]
        assert title is not None and title >= 320, (language, list(table.value.columns), found)
        assert_fits([table])


def test_the_item_pages_tables_and_funnels_fit_the_page(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    viewed: ContentItem,
) -> None:
    at = _open(new_app, users["analyst"], "app_pages/item_stats.py", {"id": viewed.id})
    steps = [f for f in at.dataframe if f.value.columns[0] == "단계"]
    assert len(steps) == 2, [list(f.value.columns) for f in at.dataframe]  # both funnels
    # Side by side each had half the page, less than its five columns need.
    halves = [f.proto for column in at.columns for f in column.dataframe]
    assert not [f for f in steps if f.proto in halves]
    assert_fits(list(at.dataframe))
    author = _open(
        new_app, users["analyst"], "app_pages/author_stats.py", {"id": users["author"].username}
    )
    assert_fits(list(author.dataframe))
    # In English too, whose headings are the longer ones: the per-day table's ten columns
    # ("Visitors (previous)", ...) added up to 1,060 px in a 938 px column.
    for found in (at, author):
        found.radio(key="df_lang_widget").set_value("en").run()
        assert not found.exception and not errors(found), (found.exception, errors(found))
        assert "Views" in [c for f in found.dataframe for c in f.value.columns]
        assert_fits(list(found.dataframe))


def test_a_long_title_takes_the_room_a_table_has_to_spare(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    viewed: ContentItem,
) -> None:
    """Capped at 240 px, the author page's titles were cut off in a table with room to spare
    (the grid then stretched every column alike)."""
    at = _open(
        new_app, users["analyst"], "app_pages/author_stats.py", {"id": viewed.author_id}
    )
    items = next(f for f in at.dataframe if "제목" in list(f.value.columns))
    found = widths(items)
    title = found[list(items.value.columns).index("제목")]
    whole = column_px("제목", [LONG_TITLE], GROW_CAP_PX)
    # Wider than the cap: whole, or all the room the others leave in the page's 900 px.
    assert title > WIDE_CAP_PX and (title == whole or sum(w or 0 for w in found) == 900), found
    assert_fits([items])


def test_the_audit_log_fits_the_page(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    services: Services,
) -> None:
    services.ports.audit.record(
        AuditEntry(
            utcnow(),
            "analyst1",
            "funnel.define",
            "01M94YQQ38XYK2K88V85KHXASTQ",
            "ok",
            {"name": "=SUM(1)+가입 퍼널 · 다운로드까지 가는 방문"},
        )
    )
    at = _open(new_app, users["admin"], "app_pages/admin_audit.py")
    assert_fits(list(at.dataframe))


def test_a_too_wide_table_takes_width_from_its_text_columns_only() -> None:
    widths = {"title": 240, "author": 180, "views": 60, "link": 50}
    fitted = fit(widths, ["title", "author"], budget=400)
    assert sum(fitted.values()) <= 400
    assert (fitted["views"], fitted["link"]) == (60, 50)  # numbers and links keep theirs
    assert min(fitted["title"], fitted["author"]) >= TEXT_FLOOR_PX
    assert fit(widths, ["title"], budget=1000) == widths  # a table that fits is left alone
    # Room to spare goes to the text its cap cut short, whole when there is enough of it...
    whole = {"title": 400, "author": 180}
    assert fit(widths, ["title", "author"], budget=1000, whole=whole)["title"] == 400
    # ...and as much as there is when not; other columns keep theirs.
    grown = fit(widths, ["title", "author"], budget=580, whole=whole)
    assert grown == {**widths, "title": 290}
    # A Hangul heading is counted about twice as wide as a Latin one of as many letters.
    assert column_px("조회수") > column_px("abc")
