"""Every page renders for every role; pages a role may not open are reachable but show the
sign-in redirect or the role message instead (tests/ui/test_deep_links.py has the round trips)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.domain.models import Category, ContentItem, Upload
from services.domain.users import User
from services.i18n.labels import category_name
from services.ui.page_names import TITLE_KEYS
from services.ui.routes import category_url_path
from tests.ui.conftest import (
    as_shown,
    assert_page_ran,
    errors,
    follow_replacement,
    ko,
    open_page,
    pdf_bytes,
    png_bytes,
    role_refusals,
    texts,
)

CATEGORY_PAGES = [category_url_path(c) for c in Category]
PUBLIC = ["app_pages/home.py", "app_pages/browse.py", "app_pages/content.py",
          "app_pages/contact.py", *CATEGORY_PAGES]
AUTHOR = ["app_pages/editor.py", "app_pages/my_content.py"]
ADMIN = ["app_pages/admin.py", "app_pages/admin_inquiries.py"]
LOGIN = ["app_pages/login.py"]
# The title each page draws when it runs (the content page's is its item's title).
TITLES = {
    "app_pages/home.py": ko("common.home_title"),
    "app_pages/browse.py": ko("nav.browse"),
    "app_pages/contact.py": ko("inquiries.title"),
    **{category_url_path(c): str(category_name("ko", c)) for c in Category},
    "app_pages/editor.py": ko("content.new_title"),
    "app_pages/my_content.py": ko("nav.my_content"),
    "app_pages/admin.py": ko("nav.admin"),
    "app_pages/admin_inquiries.py": ko("inquiries.admin_title"),
    "app_pages/login.py": ko("auth.login_title"),
}

VISIBLE = {
    None: PUBLIC + LOGIN,
    "viewer": PUBLIC,
    "analyst": PUBLIC,
    "author": PUBLIC + AUTHOR,
    "admin": PUBLIC + AUTHOR + ADMIN,
}
HIDDEN = {
    None: AUTHOR + ADMIN,
    "viewer": AUTHOR + ADMIN + LOGIN,
    "analyst": AUTHOR + ADMIN + LOGIN,
    "author": ADMIN + LOGIN,
    "admin": LOGIN,
}


@pytest.fixture
def item(make_item: Callable[..., ContentItem]) -> ContentItem:
    uploads = (Upload("banner.png", png_bytes()), Upload("guide.pdf", pdf_bytes()))
    return make_item(uploads=uploads)


def _start(new_app: Callable[..., AppTest], users: dict[str, User], role: str | None) -> AppTest:
    at = new_app(users[role].username if role else None)
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("role", list(VISIBLE), ids=lambda r: r or "anonymous")
def test_every_visible_page_renders(
    role: str | None, new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem
) -> None:
    """Each page draws its own title: not the role message, nor (for an anonymous visitor)
    the sign-in page it would be sent to."""
    at = _start(new_app, users, role)
    for page in VISIBLE[role]:
        at.query_params.clear()
        if page == "app_pages/content.py":
            at.query_params["id"] = item.id
        open_page(at, page).run()
        assert_page_ran(at, TITLES.get(page, item.title))
        assert "next" not in at.query_params, page  # not sent to sign-in


@pytest.mark.parametrize("role", list(HIDDEN), ids=lambda r: r or "anonymous")
def test_pages_a_role_may_not_open_are_reachable_but_not_run(
    role: str | None, new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    """A deep link never meets "Page not found": an anonymous visitor lands on sign-in with
    ``?next=``, a signed-in user reads which role opens the page (or, on the sign-in page,
    goes home)."""
    at = _start(new_app, users, role)
    for page in HIDDEN[role]:
        at.query_params.clear()
        open_page(at, page).run()
        assert not at.exception, (page, at.exception)
        assert not errors(at), (page, errors(at))
        assert "Page not found" not in texts(at)
        if page in LOGIN:
            follow_replacement(at)
            assert at.title and at.title[0].value != ko("auth.login_title"), page
        elif role is None:
            assert not at.title, page  # the page itself did not run
            follow_replacement(at)
            assert at.title[0].value == ko("auth.login_title"), page
            assert at.query_params["next"] == page.removeprefix("app_pages/")[:-3]
        else:
            assert role_refusals(at), page
            # The page itself did not run: its name as the menu gives it, and nothing more.
            assert [title.value for title in at.title] == [ko(TITLE_KEYS[page])], page


def test_content_page_shows_text_files_and_pdf_preview(
    new_app: Callable[..., AppTest], users: dict[str, User], item: ContentItem
) -> None:
    at = _start(new_app, users, None)
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert at.title[0].value == item.title
    body = [h.proto.body for h in at.get("html")
            if "<strong>Amazon Bedrock</strong>" in h.proto.body]
    assert body, "markdown body rendered to HTML"
    images = at.image
    assert len(images) == 1 + 3  # the PNG plus the first three PDF pages
    assert len(at.get("download_button")) == 2


def test_content_page_without_id_explains(new_app: Callable[..., AppTest],
                                          users: dict[str, User]) -> None:
    at = _start(new_app, users, None)
    at.switch_page("app_pages/content.py").run()
    assert at.info and not errors(at)


def test_unknown_id_shows_one_clear_error(new_app: Callable[..., AppTest],
                                         users: dict[str, User]) -> None:
    at = _start(new_app, users, None)
    at.query_params["id"] = "01J0000000000000000000NOPE"
    at.switch_page("app_pages/content.py").run()
    assert not at.exception
    assert errors(at) == ["요청한 항목을 찾을 수 없습니다."]


def test_bad_settings_show_one_message_naming_the_variable(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_MAX_UPLOAD_MB", "0")
    at = new_app()
    at.run()
    assert not at.exception
    assert len(errors(at)) == 1
    assert as_shown(errors(at)[0]).startswith(
        "설정 값이 올바르지 않습니다: DEMO_FACTORY_MAX_UPLOAD_MB")


@pytest.mark.parametrize("key", ["replace-with-a-long-random-value", "too-short-0123",
                                 "abab" * 10])
def test_a_weak_cookie_key_stops_the_app_with_one_message_naming_it(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_COOKIE_KEY", key)
    at = new_app()
    at.run()
    assert not at.exception
    assert len(errors(at)) == 1
    assert as_shown(errors(at)[0]).startswith(
        "설정 값이 올바르지 않습니다: DEMO_FACTORY_COOKIE_KEY")
    assert not at.get("page_link")  # nothing else of the app is drawn


def test_a_weak_key_file_in_the_data_dir_stops_the_app_naming_the_file(
    new_app: Callable[..., AppTest], app_env: Path,
) -> None:
    app_env.mkdir(parents=True, exist_ok=True)
    (app_env / ".cookie_key").write_text("changeme")
    at = new_app()
    at.run()
    assert not at.exception
    assert len(errors(at)) == 1
    shown = as_shown(errors(at)[0])
    assert shown.startswith("설정 값이 올바르지 않습니다: ")
    assert ".cookie_key" in shown and "changeme" not in shown
    assert not at.get("page_link")  # nothing else of the app is drawn


def test_an_unexpected_failure_shows_a_message_not_a_traceback(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.content.service import ContentService

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(ContentService, "filter_options", broken)
    at = _start(new_app, users, None)
    at.switch_page("app_pages/browse.py").run()
    assert not at.exception
    assert errors(at) == ["예기치 않은 오류가 발생했습니다. 잠시 후 다시 시도하세요."]


@pytest.mark.parametrize("page", ["app_pages/home.py", "app_pages/content.py",
                                  "app_pages/browse.py"])
def test_korean_words_are_not_broken_mid_word(
    page: str, new_app: Callable[..., AppTest], item: ContentItem
) -> None:
    """On a narrow phone, a Korean title wraps between words (``keep-all``), not inside one:
    every page carries the style, for titles and cards alike."""
    at = new_app(None)
    at.run()
    if page == "app_pages/content.py":
        at.query_params["id"] = item.id
    at.switch_page(page).run()

    styles = [str(h.proto.body) for h in at.get("html") if "<style" in str(h.proto.body)]
    assert any("word-break: keep-all" in s and "h1" in s and "stMarkdownContainer" in s
               for s in styles)


def test_home_lists_most_viewed_only_once_something_has_been_viewed(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem], services: Any
) -> None:
    """Counters start at zero (they follow usage events): before any view, "most viewed" would
    repeat the latest items in id order, so it waits for views."""
    first, _second = make_item("첫 번째 데모"), make_item("두 번째 데모")
    at = new_app()
    at.run()
    assert "많이 본 콘텐츠" not in [h.value for h in at.header]

    services.ports.content.increment_views(first.id, by=3)
    at = new_app()
    at.run()
    assert "많이 본 콘텐츠" in [h.value for h in at.header]
