"""No dead end for a signed-in user who cannot write content: the role message of the editor
pages and the empty home page lead to the author-role request on the profile page (where
there is one), and home names the menu item as the menu does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services import wiring
from services.domain.users import User
from services.i18n import translate
from tests.ui.conftest import texts
from tests.ui.test_removed_content import open_page

REQUEST = translate("ko", "profile.request_send")  # the profile page's own button
HOME = "app_pages/home.py"




def _links(at: AppTest) -> dict[str, str]:
    """Label -> page of the page links drawn (the sidebar's included)."""
    return {link.proto.label: link.proto.page for link in at.get("page_link")}


@pytest.fixture
def no_profile_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts whose details the sign-in provider keeps (OIDC): no profile service."""
    def none(*_args: Any, **_kwargs: Any) -> None:
        return None

    monkeypatch.setattr(wiring, "_profile", none)


@pytest.mark.parametrize("role", ["viewer", "analyst"])
@pytest.mark.parametrize("page", ["app_pages/editor.py", "app_pages/my_content.py"])
def test_the_editor_pages_lead_to_the_author_request(
    role: str, page: str, new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_page(new_app, users[role].username, page)
    assert [w.value for w in at.warning]  # which role opens the page
    links = _links(at)
    assert "profile" in links[REQUEST]
    assert "홈으로" in links


def test_the_request_link_is_in_english_for_an_english_reader(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app(users["viewer"].username)
    at.run()
    at.session_state["df_lang"] = "en"
    at.switch_page("app_pages/editor.py").run()
    assert "profile" in _links(at)["Request the author role"]


def test_other_pages_offer_no_author_request(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_page(new_app, users["viewer"].username, "app_pages/dashboard.py")
    assert REQUEST not in _links(at)


def test_without_a_profile_page_the_role_message_leads_home_only(
    no_profile_page: None, new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_page(new_app, users["viewer"].username, "app_pages/editor.py")
    assert REQUEST not in _links(at)
    assert "홈으로" in _links(at)


# ---- the empty home page ---------------------------------------------------------------------


def test_the_empty_home_names_the_menu_item_as_the_menu_does(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_page(new_app, None, HOME)
    menu = translate("ko", "nav.editor")
    assert f"'{menu}'" in texts(at)
    assert "'새 콘텐츠'" not in texts(at)
    at.session_state["df_lang"] = "en"
    at.run()
    assert f"'{translate('en', 'nav.editor')}'" in texts(at)


def test_the_empty_home_leads_a_viewer_to_the_author_request(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_page(new_app, users["viewer"].username, HOME)
    assert translate("ko", "common.home_empty_hint_request",
                     profile=translate("ko", "profile.nav")) in texts(at)
    assert "profile" in _links(at)[REQUEST]


def test_the_empty_home_leads_an_author_to_the_editor(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_page(new_app, users["author"].username, HOME)
    assert REQUEST not in _links(at)
    assert translate("ko", "common.home_empty_link_create") in _links(at)


def test_without_a_profile_page_the_empty_home_names_the_menu_item(
    no_profile_page: None, new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_page(new_app, users["viewer"].username, HOME)
    assert REQUEST not in _links(at)
    assert f"'{translate('ko', 'nav.editor')}'" in texts(at)
