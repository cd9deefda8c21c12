"""The chosen language across reloads and tabs (a preference cookie and ``?lang=``), and
Streamlit's own widget texts replaced where Streamlit allows, through AppTest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.users import User
from tests.ui.conftest import PASSWORD, follow_replacement, texts

ONE_YEAR = 365 * 24 * 3600


def scripts(at: AppTest) -> str:
    return " ".join(str(h.proto.body) for h in at.get("html"))


def _browser_sends(monkeypatch: pytest.MonkeyPatch, cookies: dict[str, str]) -> None:
    """A browser that sends ``cookies`` (AppTest has no real cookies)."""
    from services.ui import i18n

    monkeypatch.setattr(i18n, "read_cookie", cookies.get)


def test_a_chosen_language_is_kept_in_a_long_lived_cookie(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    _browser_sends(monkeypatch, {})
    at = new_app()
    at.run()
    assert "df_lang=" not in scripts(at)  # nothing chosen yet: the default is not pinned
    at.radio(key="df_lang_widget").set_value("en").run()
    assert f"df_lang=en; path=/; max-age={ONE_YEAR}" in scripts(at)
    at.run()
    assert "df_lang=" not in scripts(at)  # written once per choice


def test_a_new_session_uses_the_cookie_before_the_configured_default(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_DEFAULT_LANGUAGE", "ko")
    _browser_sends(monkeypatch, {"df_lang": "en"})
    at = new_app()
    at.run()
    assert not at.exception
    assert at.radio(key="df_lang_widget").value == "en"
    assert at.radio(key="df_lang_widget").label == "Language"
    assert "Sign in" in texts(at)


@pytest.mark.parametrize("sent", ["de", "'; alert(1)", ""])
def test_an_unknown_cookie_language_is_ignored(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, sent: str
) -> None:
    _browser_sends(monkeypatch, {"df_lang": sent})
    at = new_app()
    at.run()
    assert not at.exception
    assert at.radio(key="df_lang_widget").value == "ko"


def test_the_query_parameter_wins_and_is_kept(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    _browser_sends(monkeypatch, {"df_lang": "ko"})
    at = new_app()
    at.query_params["lang"] = "en"
    at.run()
    assert at.radio(key="df_lang_widget").value == "en"
    assert f"df_lang=en; path=/; max-age={ONE_YEAR}" in scripts(at)
    # A later switch in the sidebar is not undone by the link's parameter.
    at.radio(key="df_lang_widget").set_value("ko").run()
    at.run()
    assert at.radio(key="df_lang_widget").value == "ko"


@pytest.mark.parametrize("sent", ["de", "EN", "<b>"])
def test_an_unknown_query_language_is_ignored(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, sent: str
) -> None:
    _browser_sends(monkeypatch, {})
    at = new_app()
    at.query_params["lang"] = sent
    at.run()
    assert not at.exception
    assert at.radio(key="df_lang_widget").value == "ko"
    assert "df_lang=" not in scripts(at)


CHOOSE = {"ko": "선택하세요", "en": "Choose"}


def _open_in(new_app: Callable[..., AppTest], page: str, lang: str) -> AppTest:
    at = new_app("viewer-user")
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_browse_selects_have_placeholders_in_the_ui_language(
    new_app: Callable[..., AppTest], users: dict[str, object], lang: str
) -> None:
    """Streamlit's own "Choose an option"/"Choose options" would show in English otherwise."""
    at = new_app("viewer-user")
    at.query_params["lang"] = lang
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.run()
    at.switch_page("app_pages/browse.py").run()
    assert not at.exception
    selects = [*at.selectbox, *at.multiselect]
    assert len(selects) >= 4
    for select in selects:
        assert select.proto.placeholder, select.label
    for select in at.selectbox:
        assert select.proto.placeholder == CHOOSE[lang], select.label
    for many in at.multiselect:
        assert many.proto.select_all == 0  # no English "Select all" row


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_contact_type_has_a_placeholder_in_the_ui_language(
    new_app: Callable[..., AppTest], users: dict[str, object], lang: str
) -> None:
    at = _open_in(new_app, "app_pages/contact.py", lang)
    assert at.selectbox(key="ct_type").proto.placeholder == CHOOSE[lang]


def test_the_page_says_which_language_it_is_in(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen reader reads Korean with a Korean voice only when ``<html lang>`` says "ko"
    (Streamlit's page always says "en"): every run sets it from the session's language."""
    _browser_sends(monkeypatch, {})
    at = new_app()
    at.run()
    assert 'document.documentElement.lang = "ko"' in scripts(at)
    at.radio(key="df_lang_widget").set_value("en").run()
    assert 'document.documentElement.lang = "en"' in scripts(at)
    assert 'document.documentElement.lang = "ko"' not in scripts(at)


@pytest.mark.parametrize("asked", ["'; alert(1)", '"</script><script>alert(1)//', "de"])
def test_only_a_language_of_the_app_reaches_the_page_language_script(asked: str) -> None:
    from services.ui.i18n import page_language_script

    assert page_language_script(asked) == (
        '<script>document.documentElement.lang = "ko";</script>'
    )


def _prefers(services: Services, username: str, lang: str) -> None:
    """The account's preferred language, as saved on its profile page."""
    actor = services.accounts.get(username).as_actor()
    assert services.profile is not None
    services.profile.set_language(actor, username, lang)


def test_a_language_link_wins_over_the_account_s_preference_in_a_new_tab(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
    users: dict[str, User], services: Services,
) -> None:
    """A signed-in user who prefers English opens a ``?lang=ko`` link in a new tab (a new
    session, signed in from its cookie): the tab is Korean, the cookie keeps Korean, and the
    account's preference is not changed by a link."""
    _prefers(services, "viewer-user", "en")
    _browser_sends(monkeypatch, {"df_lang": "en"})
    at = new_app("viewer-user")
    at.query_params["lang"] = "ko"
    at.run()
    assert not at.exception
    assert at.radio(key="df_lang_widget").value == "ko"
    assert f"df_lang=ko; path=/; max-age={ONE_YEAR}" in scripts(at)
    at.switch_page("app_pages/my_content.py").run()
    assert at.radio(key="df_lang_widget").value == "ko"
    assert services.accounts.get("viewer-user").language == "en"


def test_a_browser_without_a_language_of_its_own_opens_in_the_account_s_preference(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
    users: dict[str, User], services: Services,
) -> None:
    _prefers(services, "viewer-user", "en")
    _browser_sends(monkeypatch, {})
    at = new_app("viewer-user")
    at.run()
    assert at.radio(key="df_lang_widget").value == "en"


def test_a_reload_keeps_the_language_chosen_in_the_sidebar(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
    users: dict[str, User], services: Services,
) -> None:
    """Signed in and preferring English, the person picks 한국어 in the sidebar (the browser's
    cookie then says Korean) and reloads: a new session, signed in from its cookie. The page
    was English again."""
    _prefers(services, "viewer-user", "en")
    _browser_sends(monkeypatch, {"df_lang": "ko"})
    at = new_app("viewer-user")
    at.run()
    assert not at.exception
    assert at.radio(key="df_lang_widget").value == "ko"
    at.switch_page("app_pages/my_content.py").run()
    assert at.radio(key="df_lang_widget").value == "ko"


def _sign_in(at: AppTest, username: str, button: str) -> AppTest:
    at.switch_page("app_pages/login.py").run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[[b.label for b in at.button].index(button)].click().run()
    assert not at.exception
    return follow_replacement(at)  # on to the page after sign-in


def test_a_language_chosen_on_this_tab_holds_at_sign_in(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
    users: dict[str, User], services: Services,
) -> None:
    """The person picked English in the sidebar a moment ago: signing in to an account that
    prefers Korean does not switch the page back under them."""
    _prefers(services, "viewer-user", "ko")
    _browser_sends(monkeypatch, {})
    at = new_app()
    at.run()
    at.radio(key="df_lang_widget").set_value("en").run()
    _sign_in(at, "viewer-user", "Sign in")
    assert at.session_state["authentication_status"]
    assert at.radio(key="df_lang_widget").value == "en"


def test_at_sign_in_the_account_s_preference_wins_over_the_cookie(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
    users: dict[str, User], services: Services,
) -> None:
    """Nothing chosen on this tab: the language the browser remembered gives way to the
    account's, in any browser."""
    _prefers(services, "viewer-user", "ko")
    _browser_sends(monkeypatch, {"df_lang": "en"})
    at = new_app()
    at.run()
    assert at.radio(key="df_lang_widget").value == "en"
    _sign_in(at, "viewer-user", "Sign in")
    assert at.session_state["authentication_status"]
    assert at.radio(key="df_lang_widget").value == "ko"


def test_the_welcome_is_worded_in_the_language_the_sign_in_switches_to(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
    users: dict[str, User], services: Services,
) -> None:
    """A Korean browser signing in to an account that prefers English got an English page
    topped by "…님, 환영합니다."."""
    _prefers(services, "viewer-user", "en")
    _browser_sends(monkeypatch, {})
    at = new_app()
    at.run()
    _sign_in(at, "viewer-user", "로그인")
    assert at.radio(key="df_lang_widget").value == "en"
    assert "환영합니다" not in texts(at) and "Welcome" in texts(at)
