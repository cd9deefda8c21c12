"""A sign-in ended elsewhere (a password changed or reset, "sign out everywhere", the account
disabled): the browser that held it says why on the page it lands on, once, in its language;
a sign-out of its own, or a cookie that never named a live sign-in, says nothing. A sign-in
that simply expired (a tab left open past its lifetime) says that instead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from services.accounts.sign_in.local import LocalSignIn
from services.bootstrap import Services, build_services
from services.domain.models import ContentItem, utcnow
from services.domain.users import User
from services.i18n import translate
from services.settings import load_settings
from services.ui import auth
from tests.ui.conftest import (
    PASSWORD,
    follow_replacement,
    ko,
    sign_in_session,
    texts,
)

ENDED_KO = ko("auth.sign_in_ended")
EXPIRED_KO = ko("auth.sign_in_expired")
NEW_PASSWORD = "another-horse-battery-staple"


def _end_elsewhere(services: Services, users: dict[str, User], how: str, username: str) -> None:
    """What another device or an administrator did meanwhile."""
    admin = users["admin"].as_actor()
    if how == "signed out everywhere":
        services.accounts.sign_out_everywhere(services.accounts.get(username).as_actor(),
                                              username)
    elif how == "password changed":
        services.accounts.change_password(services.accounts.get(username).as_actor(),
                                          PASSWORD, NEW_PASSWORD)
    elif how == "password reset":
        services.accounts.reset_password(admin, username)
    elif how == "disabled":
        services.accounts.set_disabled(admin, username, True)


HOWS = ["signed out everywhere", "password changed", "password reset", "disabled"]


@pytest.mark.parametrize("how", HOWS)
def test_an_open_tab_says_why_it_was_signed_out(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services, how: str,
) -> None:
    at = new_app("viewer-user")
    at.run()
    assert ENDED_KO not in texts(at)
    _end_elsewhere(services, users, how, "viewer-user")
    at.run()  # the next click or reload of the tab
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert ENDED_KO in texts(at)
    assert EXPIRED_KO not in texts(at)  # ended before its time: not "expired"
    at.run()
    assert ENDED_KO not in texts(at)  # said once


def test_a_gated_page_says_why_on_the_sign_in_page(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    at = new_app("author-user")
    at.run()
    at.switch_page("app_pages/my_content.py").run()
    _end_elsewhere(services, users, "signed out everywhere", "author-user")
    at.run()
    follow_replacement(at)  # the page needs a sign-in: on to the sign-in page
    assert at.title[0].value == ko("auth.login_title")
    assert ENDED_KO in texts(at)
    assert at.query_params["next"] == "my_content"


def test_the_notice_is_in_the_tab_s_language(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    at = new_app("viewer-user")
    at.query_params["lang"] = "en"
    at.run()
    _end_elsewhere(services, users, "password changed", "viewer-user")
    at.run()
    assert translate("en", "auth.sign_in_ended") in texts(at)


def _browser_sends_sign_in_cookie(monkeypatch: pytest.MonkeyPatch, username: str) -> None:
    """A new tab or a reload (a new session) of a browser that kept its sign-in cookie."""
    settings = load_settings()
    mode = build_services(settings).sign_in
    cookie = mode.cookie_value(sign_in_session(AppTest.from_string(""), username))
    monkeypatch.setattr(auth, "read_cookie", {settings.cookie_name: cookie}.get)


@pytest.mark.parametrize("how", HOWS)
def test_a_reload_with_the_ended_sign_in_s_cookie_says_why(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch, how: str,
) -> None:
    _browser_sends_sign_in_cookie(monkeypatch, "viewer-user")
    _end_elsewhere(services, users, how, "viewer-user")
    at = new_app()
    at.run()
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert ENDED_KO in texts(at)


def test_a_sign_in_cookie_that_stands_or_a_forged_one_says_nothing(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch,
) -> None:
    _browser_sends_sign_in_cookie(monkeypatch, "viewer-user")
    at = new_app()
    at.run()
    assert at.session_state["authentication_status"]
    assert ENDED_KO not in texts(at)

    settings = load_settings()
    monkeypatch.setattr(auth, "read_cookie", {settings.cookie_name: "not-a-cookie"}.get)
    forged = new_app()
    forged.run()
    assert not forged.session_state["authentication_status"]
    assert ENDED_KO not in texts(forged)


@pytest.mark.parametrize("button", ["df_logout", "df_logout_everywhere"])
def test_signing_out_here_says_nothing_of_elsewhere(
    new_app: Callable[..., AppTest], users: dict[str, User], button: str,
) -> None:
    at = new_app("viewer-user")
    at.run()
    at.button(key=button).click().run()
    at.run()
    assert not at.session_state["authentication_status"]
    assert ENDED_KO not in texts(at)


@pytest.mark.parametrize("how", ["disabled", "password changed"])
def test_the_first_click_after_a_sign_in_ended_elsewhere_does_nothing_as_the_old_user(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem], how: str,
) -> None:
    """Streamlit runs a button's on_click before the script, so before app.py checks the
    sign-in: a like tapped 2.5 s after an administrator disabled the account was stored as
    that user's."""
    from services.domain.permissions import Actor

    item = make_item()
    at = new_app("viewer-user")
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    _end_elsewhere(services, users, how, "viewer-user")
    at.button(key=f"like_{item.id}").click().run()
    assert not at.exception
    assert services.content.get(item.id, Actor.anonymous()).likes == 0
    assert not at.session_state["authentication_status"]
    assert ENDED_KO in texts(at)  # and it says why


def test_the_ended_sign_in_s_cookie_goes_in_the_run_that_says_why(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cookie's deletion waited for the tab's next run: reload after reload (each a new
    session) found the cookie again and said the notice again."""
    _browser_sends_sign_in_cookie(monkeypatch, "viewer-user")
    _end_elsewhere(services, users, "password changed", "viewer-user")
    at = new_app()
    at.run()
    assert ENDED_KO in texts(at)
    scripts = " ".join(str(h.proto.body) for h in at.get("html"))
    assert f"{load_settings().cookie_name}=; path=/; max-age=0" in scripts


def test_the_notice_is_brought_into_view(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    """On a phone the tap that met the ended sign-in was a screen below the notice."""
    from services.ui import focus
    from tests.ui.test_outcome_in_view import in_view_scripts

    at = new_app("viewer-user")
    at.run()
    assert not in_view_scripts(at, focus.ENDED)
    _end_elsewhere(services, users, "disabled", "viewer-user")
    at.run()
    assert ENDED_KO in texts(at) and in_view_scripts(at, focus.ENDED)


def _past_its_lifetime(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> LocalSignIn:
    """The tab stayed open past its sign-in's lifetime (``DEMO_FACTORY_COOKIE_EXPIRY_DAYS``)."""
    app: Services = at.session_state["_df_services"]
    mode = app.sign_in
    assert isinstance(mode, LocalSignIn)
    later = utcnow() + timedelta(days=app.settings.cookie_expiry_days, minutes=1)
    monkeypatch.setattr(mode._sessions, "_clock", lambda: later)
    return mode


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_tab_left_open_past_the_sign_in_s_lifetime_says_it_expired(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    """It said the sign-in was ended elsewhere, sending the reader to wonder who changed the
    password: nobody did, the week was over."""
    at = new_app("viewer-user")
    at.query_params["lang"] = lang
    at.run()
    _past_its_lifetime(at, monkeypatch)
    at.run()  # the next click, a week later
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert translate(lang, "auth.sign_in_expired") in texts(at)
    assert translate(lang, "auth.sign_in_ended") not in texts(at)
    at.run()
    assert translate(lang, "auth.sign_in_expired") not in texts(at)  # said once


def test_an_expired_sign_in_whose_record_is_gone_still_says_it_expired(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The store drops expired records (SQLite at any later sign-in, DynamoDB's TTL, the first
    tab of the browser to check): the held sign-in's own lifetime still tells."""
    at = new_app("viewer-user")
    at.run()
    mode = _past_its_lifetime(at, monkeypatch)
    held = at.session_state[auth.SIGNED_IN_KEY]
    mode._sessions.end(held.session_id)
    at.run()
    assert EXPIRED_KO in texts(at) and ENDED_KO not in texts(at)


def test_a_gated_page_says_it_expired_on_the_sign_in_page(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = new_app("author-user")
    at.run()
    at.switch_page("app_pages/my_content.py").run()
    _past_its_lifetime(at, monkeypatch)
    at.run()
    follow_replacement(at)
    assert at.title[0].value == ko("auth.login_title")
    assert EXPIRED_KO in texts(at) and ENDED_KO not in texts(at)
