"""What a new user meets, in a real browser: a shared link to a protected page leads through
sign-in and back to it, and the chosen language is still there in a new tab."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from services.domain.permissions import Role
from services.i18n import translate
from tests.e2e.conftest import RunningApp, app_with_users, shot, submit_sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    users = {"analyst": ("분석가", Role.ANALYST)}
    with app_with_users(tmp_path_factory.mktemp("first-hour"), users, PASSWORD) as running:
        yield running


def test_a_link_to_the_dashboard_leads_through_sign_in_and_back(
    app: RunningApp, page: Page
) -> None:
    page.goto(f"{app.url}/dashboard")
    expect(page.get_by_role("heading", name=tr("auth.login_title"))).to_be_visible(
        timeout=90_000)
    assert "next=dashboard" in page.url
    submit_sign_in(page, "analyst", PASSWORD)
    tile = page.locator('.df-tile').filter(has_text=tr("analytics.kpi.page_views"))
    expect(tile.first).to_be_visible(timeout=60_000)
    assert page.url.split("?")[0].endswith("/dashboard")
    shot(page, "50-deep-link-after-sign-in")


def test_the_chosen_language_is_kept_in_a_new_tab(app: RunningApp, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="ko-KR")
    context.set_default_timeout(60_000)
    try:
        first = context.new_page()
        first.goto(app.url)
        expect(first.get_by_text(tr("nav.home")).first).to_be_visible(timeout=90_000)
        first.get_by_text("English", exact=True).click()
        expect(first.get_by_text(translate("en", "nav.home")).first).to_be_visible()
        # The preference cookie is written by the next run's inline script.
        first.wait_for_function("document.cookie.includes('df_lang=en')", timeout=30_000)
        second = context.new_page()
        second.goto(f"{app.url}/browse")
        expect(second.get_by_role("heading", name=translate("en", "nav.browse"))
               ).to_be_visible(timeout=90_000)
    finally:
        context.close()


def test_back_after_signing_in_from_a_link_leaves_the_app_as_it_came(
    app: RunningApp, page: Page
) -> None:
    """Sign-in's detour is not in the history: Back from the page reached through it returns to
    where the visitor was before the link, not to the sign-in page (which, signed in, would send
    them forward again: a trap)."""
    page.goto(f"{app.url}/browse")
    expect(page.get_by_role("heading", name=tr("nav.browse"))).to_be_visible(timeout=90_000)
    page.goto(f"{app.url}/dashboard")
    submit_sign_in(page, "analyst", PASSWORD)
    tile = page.locator('.df-tile').filter(has_text=tr("analytics.kpi.page_views"))
    expect(tile.first).to_be_visible(timeout=60_000)
    page.go_back()
    expect(page.get_by_role("heading", name=tr("nav.browse"))).to_be_visible(timeout=60_000)
    assert page.url.split("?")[0].endswith("/browse")
    page.reload()  # the sign-in's cookie was written on the way
    expect(page.get_by_text("분석가", exact=True).first).to_be_visible(timeout=60_000)
