"""Deep links: a page the visitor may not open leads to sign-in and back (anonymous) or says
which role opens it (signed in); an anonymous visitor's like button leads to sign-in and back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.navigation.page import StreamlitPage
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import ContentItem
from services.domain.permissions import Actor
from services.domain.users import User
from services.i18n import labels, translate
from services.ui.page_names import TITLE_KEYS
from tests.ui.conftest import PASSWORD, as_shown, errors, follow_replacement, ko, texts


def _sign_in(at: AppTest, username: str) -> AppTest:
    """Sign in on the sign-in page the last run shows, and follow where it sends the browser."""
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    [submit] = [b for b in at.button if b.label == "로그인"]
    submit.click().run()
    assert not at.exception and not errors(at)
    return follow_replacement(at)


def _page_name(at: AppTest) -> str:
    """The title of the page the last run showed (every page has one)."""
    return at.title[0].value if at.title else ""


def test_an_anonymous_deep_link_goes_to_sign_in_and_back(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/dashboard.py").run()
    assert not at.exception
    assert "Page not found" not in texts(at)
    assert not at.title  # nothing of the dashboard: the browser is sent on
    follow_replacement(at)
    assert _page_name(at) == "로그인"
    assert at.query_params["next"] == "dashboard"
    # Why a link to the dashboard shows a sign-in form: nothing said so.
    assert [info.value for info in at.info] == [ko("auth.sign_in_for_page", page="대시보드")]

    _sign_in(at, "analyst-user")
    assert _page_name(at) == _title_of(new_app, "analyst-user", "app_pages/dashboard.py")
    assert not at.warning


def test_a_shared_dashboard_view_survives_the_sign_in(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    """A link to a filtered dashboard opened by someone not signed in yet: after signing in
    they see that view, not the default one (and no provider answer is carried along)."""
    at = new_app()
    at.run()
    at.query_params.update({"period": "30d", "category": "Finance", "state": "x"})
    at.switch_page("app_pages/dashboard.py").run()
    follow_replacement(at)
    assert _page_name(at) == "로그인"
    assert at.query_params["period"] == "30d" and at.query_params["category"] == "Finance"

    _sign_in(at, "analyst-user")
    assert _page_name(at) == _title_of(new_app, "analyst-user", "app_pages/dashboard.py")
    assert at.query_params["period"] == "30d" and at.query_params["category"] == "Finance"
    assert "state" not in at.query_params and "next" not in at.query_params
    assert at.session_state["dash_category"] == "Finance"


@pytest.mark.parametrize("wanted", ["https://evil.example/", "//evil.example", "../admin",
                                    "javascript:alert(1)", ""])
def test_next_never_leads_outside_the_app(
    new_app: Callable[..., AppTest], users: dict[str, User], wanted: str
) -> None:
    at = new_app()
    at.run()
    at.query_params["next"] = wanted
    at.switch_page("app_pages/login.py").run()
    home_title = _home_title(new_app)
    _sign_in(at, "viewer-user")
    assert _page_name(at) == home_title


def _title_of(new_app: Callable[..., AppTest], username: str, page: str) -> str:
    at = new_app(username)
    at.run()
    at.switch_page(page).run()
    return _page_name(at)


def _home_title(new_app: Callable[..., AppTest]) -> str:
    at = new_app()
    at.run()
    return _page_name(at)


@pytest.mark.parametrize(("role", "page", "roles_ko"), [
    ("viewer", "app_pages/dashboard.py", "분석가 또는 관리자"),
    ("author", "app_pages/admin.py", "관리자"),
    ("analyst", "app_pages/editor.py", "작성자 또는 관리자"),
])
def test_a_signed_in_user_without_the_role_reads_which_role_opens_the_page(
    new_app: Callable[..., AppTest], users: dict[str, User], role: str, page: str,
    roles_ko: str
) -> None:
    at = new_app(users[role].username)
    at.run()
    at.switch_page(page).run()
    assert not at.exception and not errors(at)
    message = f"이 페이지는 {roles_ko} 역할이 있어야 열 수 있습니다."
    assert [w.value for w in at.warning] == [message]
    assert "Page not found" not in texts(at)
    assert [link.proto.page for link in at.get("page_link")
            if link.proto.label == "홈으로"]
    # Which page it is: a warning alone did not say what had been opened.
    assert _page_name(at) == ko(TITLE_KEYS[page])


def test_an_author_without_the_dashboard_is_led_to_their_own_numbers(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app(users["author"].username)
    at.run()
    at.switch_page("app_pages/dashboard.py").run()
    assert not at.exception and not errors(at)
    [mine] = [link.proto for link in at.get("page_link")
              if link.proto.label == ko("itempage.open_mine")]
    assert (mine.page, mine.query_string) == ("author-stats", f"id={users['author'].username}")
    viewer = new_app(users["viewer"].username)  # no numbers of their own
    viewer.run()
    viewer.switch_page("app_pages/dashboard.py").run()
    assert ko("itempage.open_mine") not in [link.proto.label for link in viewer.get("page_link")]


def test_the_role_message_is_in_english_for_an_english_reader(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app(users["viewer"].username)
    at.run()
    at.session_state["df_lang"] = "en"
    at.switch_page("app_pages/dashboard.py").run()
    assert [w.value for w in at.warning] == [
        "You need the Analyst or Administrator role to open this page."]


@pytest.mark.parametrize("role", [None, "analyst"], ids=lambda r: r or "anonymous")
def test_the_menu_lists_only_pages_the_actor_may_open(
    new_app: Callable[..., AppTest], users: dict[str, User], role: str | None,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.ui import nav

    shown: list[dict[str, list[StreamlitPage]]] = []
    real = nav.pages_for

    def recording(actor: Actor, needs_first_admin: bool) -> dict[str, list[StreamlitPage]]:
        shown.append(real(actor, needs_first_admin))
        return shown[-1]

    monkeypatch.setattr(nav, "pages_for", recording)
    at = new_app(users[role].username if role else None)
    at.run()
    pages = [p for section in shown[-1].values() for p in section]
    visible = {p.url_path for p in pages if p.visibility == "visible"}
    hidden = {p.url_path for p in pages} - visible
    if role is None:
        assert {"editor", "dashboard", "admin", "admin_audit"} <= hidden
        assert "login" in visible
    else:
        assert {"dashboard", "reports"} <= visible
        assert {"editor", "admin", "login"} <= hidden


HINT = "♡ 좋아요를 눌러 저장하세요."
WHY_SIGN_IN = "좋아요를 누르려면 로그인하세요. 로그인 후 이 콘텐츠로 돌아갑니다."


def test_an_anonymous_like_leads_to_sign_in_and_back_to_the_item(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem]
) -> None:
    item = make_item()
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    like = at.button(key=f"like_{item.id}")
    assert like.label == "좋아요 (0)"

    like.click().run()
    follow_replacement(at)
    assert _page_name(at) == "로그인"
    assert at.query_params["next"] == "content" and at.query_params["id"] == item.id
    # Why they are here: a phone never shows the like button's tooltip (the like's own
    # reason, not the page's behind it as well).
    assert [info.value for info in at.info] == [WHY_SIGN_IN]

    _sign_in(at, "viewer-user")
    assert _page_name(at) == item.title
    assert at.query_params["id"] == item.id
    # Back on the item, not liked on their behalf: they click like themselves.
    assert services.content.get(item.id, Actor.anonymous()).likes == 0
    assert at.button(key=f"like_{item.id}").label == "좋아요 (0)"
    # A phone shows no tooltip: the page says what to do now, once.
    assert HINT in texts(at)
    at.button(key=f"like_{item.id}").click().run()
    assert at.button(key=f"unlike_{item.id}").label == "좋아요 취소 (1)"
    assert HINT not in texts(at)
    assert as_shown(item.title) in texts(at)


def test_the_sign_in_page_gives_no_reason_it_was_not_given(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    """Only the app's own hint names a reason: from the menu, or with any other value, none."""
    for hint in (None, "like2", "<b>x</b>"):
        at = new_app()
        at.run()
        if hint is not None:
            at.query_params["hint"] = hint
        at.switch_page("app_pages/login.py").run()
        assert not at.exception, at.exception
        assert WHY_SIGN_IN not in texts(at)
        assert all("x</b>" not in str(info.value) for info in at.info)
    # Nor a page that is not one of ours, or home, behind it.
    for wanted in ("https://evil.example/", "<b>x</b>", "home", "dashboard/../admin"):
        at = new_app()
        at.run()
        at.query_params["next"] = wanted
        at.switch_page("app_pages/login.py").run()
        assert not at.exception, at.exception
        assert not at.info, (wanted, [info.value for info in at.info])


@pytest.mark.parametrize("page", ["editor", "my_content", "reports", "admin_audit", "profile",
                                  "item-stats"])
def test_the_sign_in_page_names_the_page_behind_it_in_the_readers_language(
    new_app: Callable[..., AppTest], users: dict[str, User], page: str
) -> None:
    for language in ("ko", "en"):
        at = new_app()
        at.run()
        if language == "en":
            at.radio(key="df_lang_widget").set_value("en").run()
        at.query_params["next"] = page
        at.switch_page("app_pages/login.py").run()
        assert not at.exception, at.exception
        expected = translate(language, "auth.sign_in_for_page",
                             page=labels.page_name(language, page))
        assert [info.value for info in at.info] == [expected], language
        assert "analytics.unknown_page" not in expected and "?" not in expected
