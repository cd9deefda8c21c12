"""Self-service sign-up in a real browser (local sign-in, `approval` mode, no mail): a visitor
asks for an account, cannot sign in while it waits, an administrator approves it on the users
page, and the person then signs in."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from services.domain.analytics import Purpose
from services.domain.permissions import Role
from tests.e2e.conftest import RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
# A passphrase the strength estimate accepts; unrelated to the person's own details.
NEW_PASSWORD = "lantern-" + secrets.token_urlsafe(10) + "-orbit"
USERS = {"boss": ("관리책임자", Role.ADMIN)}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with app_with_users(tmp_path_factory.mktemp("signup"), USERS, PASSWORD,
                        {"DEMO_FACTORY_SIGNUP": "approval"}) as running:
        yield running


def ask_for_an_account(page: Page, app: RunningApp) -> None:
    page.goto(f"{app.url}/login")
    expect(page.get_by_role("heading", name=tr("auth.login_title"))).to_be_visible(timeout=90_000)
    page.get_by_text(tr("signup.login_link")).click()
    expect(page.get_by_role("heading", name=tr("signup.title"))).to_be_visible(timeout=30_000)
    fields = {"signup.name": "한지우", "signup.email": "jiwoo@example.com",
              "signup.username": "jiwoo", "signup.company": "에이크미"}
    for key, value in fields.items():
        page.get_by_label(tr(key), exact=True).fill(value)
    page.get_by_role("combobox", name=tr("signup.purpose")).click()
    evaluation = tr(f"analytics.purpose.{Purpose.TECH_EVALUATION.name.lower()}")
    page.get_by_role("option", name=evaluation).click()
    page.get_by_label(tr("signup.password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(tr("signup.password_again"), exact=True).fill(NEW_PASSWORD)
    page.get_by_text(tr("signup.consent")).click()
    shot(page, "70-signup-filled")
    page.get_by_role("button", name=tr("signup.submit")).click()
    expect(page.get_by_text(tr("signup.received"))).to_be_visible(timeout=30_000)
    shot(page, "71-signup-received")


def try_sign_in(page: Page, app: RunningApp) -> None:
    page.goto(f"{app.url}/login")
    expect(page.get_by_role("heading", name=tr("auth.login_title"))).to_be_visible(timeout=90_000)
    for label, value in ((tr("auth.username"), "jiwoo"), (tr("auth.password"), NEW_PASSWORD)):
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Tab")
    page.get_by_role("button", name=tr("auth.login_button")).click()


def test_a_sign_up_waits_for_the_administrator_then_signs_in(
    app: RunningApp, browser: Browser, page: Page
) -> None:
    ask_for_an_account(page, app)

    try_sign_in(page, app)
    expect(page.get_by_text(tr("auth.err_pending"))).to_be_visible(timeout=30_000)
    shot(page, "72-signup-waiting")

    admin = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        sign_in(admin, app, "boss", PASSWORD, "관리책임자")
        # The admin entry counts what waits: "관리 (1)".
        admin.locator('[data-testid="stSidebarNav"]').get_by_text(
            f"{tr('nav.admin')} (1)", exact=True).click()
        expect(admin.get_by_text(tr("signup.pending_title"))).to_be_visible(timeout=30_000)
        admin.get_by_role("button", name=tr("signup.approve"), exact=True).click()
        admin.get_by_role("button", name=tr("signup.approve_yes"), exact=True).click()
        expect(admin.get_by_text("jiwoo").first).to_be_visible()
        expect(admin.get_by_text(tr("signup.pending_none"))).to_be_visible(timeout=30_000)
        shot(admin, "73-signup-approved")
    finally:
        admin.close()

    sign_in(page, app, "jiwoo", NEW_PASSWORD, "한지우")
    shot(page, "74-signup-signed-in")
