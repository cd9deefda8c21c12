"""An anonymous like with an OpenID Connect provider (st.login): the browser leaves for the
provider and comes back to the app's home in a new session, which finds the item again, with
the hint to tap Like, from a cookie the sign-in page wrote before it left; never a like."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import ContentItem
from services.domain.permissions import Actor
from services.ui import gate
from tests.ui.conftest import follow_replacement, replaced_address, texts
from tests.ui.test_deep_links import HINT, WHY_SIGN_IN
from tests.ui.test_oidc_recheck import provider_user

_COOKIE = re.compile(r'document\.cookie = ("(?:[^"\\]|\\.)*")')


@pytest.fixture(autouse=True)
def oidc_mode(app_env: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_FACTORY_AUTH", "oidc")


class Browser:
    """The cookies the pages wrote (their scripts, as a browser runs them), sent with the
    next session's request."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def run_scripts(self, at: AppTest) -> None:
        for element in at.get("html"):
            for found in _COOKIE.finditer(str(element.proto.body)):
                pair, _, attributes = json.loads(found.group(1)).partition(";")
                name, _, value = pair.partition("=")
                if "max-age=0" in attributes:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    held = Browser()
    monkeypatch.setattr(gate, "read_cookie", lambda name: held.cookies.get(name),
                        raising=False)
    return held


def like_while_signed_out(new_app: Callable[..., AppTest], item: ContentItem,
                          browser: Browser) -> AppTest:
    """The item, its like button while signed out, and the sign-in page it leads to."""
    at = new_app()
    at.user = {"is_logged_in": False}
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    at.button(key=f"like_{item.id}").click().run()
    follow_replacement(at)
    browser.run_scripts(at)
    assert at.button(key="oidc_login")  # where the browser leaves for the provider
    assert WHY_SIGN_IN in [info.value for info in at.info]  # and why
    return at


def back_from_the_provider(new_app: Callable[..., AppTest], browser: Browser) -> AppTest:
    """The provider sends the browser to the app's home: a new session, signed in."""
    at = new_app()
    at.user = provider_user(issued_ago=10, expires_in=3000)
    at.run()
    assert not at.exception, at.exception
    browser.run_scripts(at)
    return at


def test_the_like_hint_survives_the_provider_s_round_trip(
        new_app: Callable[..., AppTest], services: Services,
        make_item: Callable[..., ContentItem], browser: Browser) -> None:
    item = make_item()
    like_while_signed_out(new_app, item, browser)
    at = back_from_the_provider(new_app, browser)
    follow_replacement(at)
    assert not at.exception, at.exception
    assert at.title[0].value == item.title and at.query_params["id"] == item.id
    assert HINT in texts(at)
    # Told what to do, not done on their behalf.
    assert services.content.get(item.id, Actor.anonymous()).likes == 0
    assert at.button(key=f"like_{item.id}").label == "좋아요 (0)"
    assert browser.cookies == {}  # used once: the next sign-in starts from home

    at.run()
    assert HINT not in texts(at)  # once
    again = back_from_the_provider(new_app, browser)
    assert replaced_address(again) is None  # a later session stays where it opened


def test_a_sign_in_without_a_page_to_return_to_stays_home(
        new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem],
        browser: Browser) -> None:
    """A detour left unfinished, then a sign-in from the menu's link: home, as asked."""
    like_while_signed_out(new_app, make_item(), browser)
    at = new_app()
    at.user = {"is_logged_in": False}
    at.run()
    at.switch_page("app_pages/login.py").run()
    browser.run_scripts(at)
    at = back_from_the_provider(new_app, browser)
    assert replaced_address(at) is None


def test_an_address_alone_gives_only_the_hint(
        new_app: Callable[..., AppTest], services: Services,
        make_item: Callable[..., ContentItem], browser: Browser) -> None:
    item = make_item()
    at = new_app()
    at.user = provider_user(issued_ago=10, expires_in=3000)
    at.run()
    at.query_params.update({"id": item.id, "hint": "like"})
    at.switch_page("app_pages/content.py").run()
    assert not at.exception, at.exception
    assert HINT in texts(at)  # words, nothing more
    assert services.content.get(item.id, Actor.anonymous()).likes == 0
    assert at.button(key=f"like_{item.id}").label == "좋아요 (0)"
