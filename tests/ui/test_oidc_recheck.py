"""OIDC mode (st.login): a sign-in whose ID token expired, or that the provider verified longer
than DEMO_FACTORY_COGNITO_RECHECK_SECONDS ago, no longer counts: the tab goes on signed out and
is told so (sign in again at the provider)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.ui import routes
from tests.ui.conftest import as_shown, errors, follow_replacement, ko


@pytest.fixture(autouse=True)
def oidc_mode(app_env: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_FACTORY_AUTH", "oidc")
    monkeypatch.setenv("DEMO_FACTORY_COGNITO_RECHECK_SECONDS", "300")


def provider_user(issued_ago: float, expires_in: float) -> dict[str, Any]:
    now = time.time()
    return {"is_logged_in": True, "sub": "s-1", "email": "boss@example.com",
            "email_verified": True, "name": "Boss", "cognito:groups": ["admin"],
            "iat": int(now - issued_ago), "exp": int(now + expires_in)}


def test_a_fresh_provider_sign_in_stands(new_app: Callable[..., AppTest]) -> None:
    at = new_app()
    at.user = provider_user(issued_ago=10, expires_in=3000)
    at.run()
    assert not at.exception and not errors(at)
    assert at.session_state["username"] == "boss@example.com"
    assert at.session_state["roles"] == ["admin"]


@pytest.mark.parametrize(("issued_ago", "expires_in"), [(10, -1), (301, 3000),
                                                        (29 * 86400, 86400)])
def test_a_due_sign_in_goes_on_signed_out_and_says_so_once(
    new_app: Callable[..., AppTest], issued_ago: float, expires_in: float
) -> None:
    """The tab stays where it is (no st.logout, which left for the provider's sign-out and
    came back to home with no word, ending the provider's session too), signed out, and is
    told that the sign-in expired; the next run of the session does not say it again."""
    at = new_app()
    at.user = provider_user(issued_ago, expires_in)
    at.run()
    assert not at.exception and not errors(at)
    assert not at.session_state["authentication_status"]
    assert [w.value for w in at.warning] == [ko("auth.sign_in_expired")]
    assert at.user["is_logged_in"]  # Streamlit's cookie stays until the next st.login

    at.run()
    assert not at.session_state["authentication_status"]
    assert ko("auth.sign_in_expired") not in [w.value for w in at.warning]


def test_the_profile_offers_no_password_change_the_provider_owns_it(
    new_app: Callable[..., AppTest],
) -> None:
    at = new_app()
    at.user = provider_user(issued_ago=10, expires_in=3000)
    at.switch_page(routes.PROFILE).run()
    assert not at.exception and not errors(at)
    assert at.title[0].value == ko("profile.title")
    assert not [w for w in at.text_input if "pw" in str(w.key)]
    assert ko("profile.password_title") not in [h.value for h in at.subheader]


def test_a_page_that_needs_a_sign_in_says_why_on_the_sign_in_page(
    new_app: Callable[..., AppTest],
) -> None:
    at = new_app()
    at.user = provider_user(issued_ago=301, expires_in=3000)
    at.switch_page(routes.DASHBOARD).run()
    follow_replacement(at)  # the page needs a sign-in: on to the sign-in page
    assert not at.exception
    assert at.title[0].value == ko("auth.login_title")
    assert ko("auth.sign_in_expired") in [w.value for w in at.warning]
    assert at.button(key="oidc_login")  # one click back to the provider
    assert at.query_params["next"] == "dashboard"


README_PLACEHOLDER = "<python -c 'import secrets; print(secrets.token_urlsafe(48))'>"


@pytest.mark.parametrize("secret", [README_PLACEHOLDER, "replace-with-a-long-random-value",
                                    "s" * 40, "too-short-0123"])
def test_a_weak_cookie_secret_stops_the_app(new_app: Callable[..., AppTest],
                                            secret: str) -> None:
    """Streamlit signs its sign-in cookie, the provider's claims with the groups, with
    ``[auth] cookie_secret``: whoever knows it can sign in as an administrator."""
    at = new_app()
    at.secrets["auth"] = {"cookie_secret": secret}
    at.user = provider_user(issued_ago=10, expires_in=3000)
    at.run()
    assert not at.exception
    assert len(errors(at)) == 1
    assert as_shown(errors(at)[0]).startswith("설정 값이 올바르지 않습니다: [auth] cookie_secret")
    assert "username" not in at.session_state  # nobody is signed in


def test_a_strong_cookie_secret_starts_the_app(new_app: Callable[..., AppTest]) -> None:
    at = new_app()
    at.secrets["auth"] = {"cookie_secret": "kq3Zt8vW1xYp0aBc5dEf7gHi9jKl2mNo4rSu6"}
    at.user = provider_user(issued_ago=10, expires_in=3000)
    at.run()
    assert not at.exception and not errors(at)
    assert at.session_state["username"] == "boss@example.com"
