"""The admin journey in a real browser: sign in as admin, change a user's role on the users
page, and find that change in the audit log's CSV export."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.domain.permissions import Role
from tests.e2e.conftest import RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
USERS = {"boss": ("관리책임자", Role.ADMIN), "vera": ("베라", Role.VIEWER)}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with app_with_users(
        tmp_path_factory.mktemp("admin"), USERS, PASSWORD, {"DEMO_FACTORY_SAMPLE_CONTENT": "false"}
    ) as running:
        yield running


def test_admin_changes_a_role_and_the_audit_log_shows_it(
    app: RunningApp, page: Page, tmp_path: Path
) -> None:
    sign_in(page, app, "boss", PASSWORD, "관리책임자")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text(tr("nav.admin"), exact=True).click()

    page.get_by_label(tr("admin.selected_user")).click()
    page.get_by_role("option", name="vera").click()
    # The role picker of the selected user (the create-user form has one too).
    page.locator(".st-key-adm_roles_vera").get_by_role("combobox").click()
    page.get_by_role("option", name=tr("auth.role.author")).click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name=tr("admin.roles_button")).click()
    expect(page.get_by_text(tr("admin.roles_saved", username="vera")).first).to_be_visible()
    shot(page, "20-admin-role-changed")

    nav.get_by_text(tr("admin_tools.nav_audit"), exact=True).click()
    button = page.get_by_role("button", name=tr("admin_tools.audit_csv"))
    expect(button).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        button.click()
    csv_path = tmp_path / "audit.csv"
    info.value.save_as(csv_path)
    text = csv_path.read_text(encoding="utf-8-sig")
    changed = [line for line in text.splitlines() if "user.set_roles" in line]
    assert changed and "boss" in changed[0] and "vera" in changed[0]
    shot(page, "21-audit-log")
