"""The profile page in a real browser: the language chosen there follows the user into a new
browser (no cookie carried over), and an author request approved by an administrator brings
the author's menu entry."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from services.domain.permissions import Role
from services.i18n import translate
from tests.e2e.conftest import RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
USERS = {"boss": ("관리책임자", Role.ADMIN), "yuna": ("유나", Role.VIEWER),
         "jun": ("준", Role.VIEWER)}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with app_with_users(tmp_path_factory.mktemp("profile"), USERS, PASSWORD) as running:
        yield running


def open_profile(page: Page) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(
        tr("profile.nav"), exact=True).click()
    expect(page.get_by_role("heading", name=tr("profile.title"))).to_be_visible(timeout=30_000)


def sidebar_entry(page: Page, text: str) -> object:
    return page.locator('[data-testid="stSidebarNav"]').get_by_text(text, exact=True)


def test_the_language_chosen_on_the_profile_follows_the_user_to_a_new_browser(
    app: RunningApp, browser: Browser, page: Page
) -> None:
    sign_in(page, app, "yuna", PASSWORD, "유나")
    open_profile(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("English", exact=True).click()
    main.locator(".st-key-my_profile_language_save button").click()
    expect(page.get_by_text(translate("en", "profile.language_saved"))).to_be_visible(
        timeout=30_000)

    # Another browser: no cookie, no session; Korean until the sign-in reads the profile.
    other = browser.new_context(viewport={"width": 1400, "height": 1800})
    try:
        fresh = other.new_page()
        sign_in(fresh, app, "yuna", PASSWORD, "유나")
        expect(sidebar_entry(fresh, translate("en", "nav.home"))).to_be_visible(timeout=30_000)
        shot(fresh, "80-profile-language-in-a-new-browser")
    finally:
        other.close()


def test_an_author_request_approved_brings_the_editor_to_the_menu(
    app: RunningApp, browser: Browser, page: Page
) -> None:
    sign_in(page, app, "jun", PASSWORD, "준")
    expect(sidebar_entry(page, tr("nav.editor"))).to_have_count(0)
    open_profile(page)
    page.get_by_label(tr("profile.request_reason"), exact=True).fill("고객 워크숍 데모를 올립니다")
    page.get_by_role("button", name=tr("profile.request_send")).click()
    expect(page.get_by_text(tr("profile.request_sent"))).to_be_visible(timeout=30_000)
    shot(page, "81-profile-author-requested")

    admin = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        sign_in(admin, app, "boss", PASSWORD, "관리책임자")
        sidebar_entry(admin, f"{tr('nav.admin')} (1)").click()  # the count of what waits
        expect(admin.get_by_text(tr("signup.pending_title"))).to_be_visible(timeout=30_000)
        admin.get_by_role("button", name=tr("signup.approve"), exact=True).click()
        admin.get_by_role("button", name=tr("signup.approve_yes"), exact=True).click()
        expect(admin.get_by_text(tr("signup.pending_none"))).to_be_visible(timeout=30_000)
    finally:
        admin.close()

    page.reload()  # the next run reads the roles again
    expect(sidebar_entry(page, tr("nav.editor"))).to_be_visible(timeout=30_000)
    open_profile(page)
    expect(page.get_by_text(tr("profile.request_approved"))).to_be_visible()
    shot(page, "82-profile-author-approved")
