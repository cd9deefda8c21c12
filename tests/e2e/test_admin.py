"""The admin journey in a real browser: sign in as admin, change a user's role on the users
page, and find that change in the audit log's CSV export; import a file of usage events and
see the dashboard count them."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
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


def _search_line(n: int) -> str:
    ts = (datetime.now(UTC) - timedelta(hours=1, minutes=n)).isoformat()
    return json.dumps({"ts": ts, "type": "search", "session_id": f"imported-{n}",
                       "properties": {"query": "양자 컴퓨팅", "results": 0}}, ensure_ascii=False)


def test_admin_imports_an_event_file_and_the_dashboard_counts_it(
    app: RunningApp, page: Page, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([*(_search_line(n) for n in range(5)), "not json"]) + "\n",
                      encoding="utf-8")
    sign_in(page, app, "boss", PASSWORD, "관리책임자")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text(tr("nav.admin"), exact=True).click()
    expect(page.get_by_text(tr("imports.events_title"))).to_be_visible(timeout=30_000)

    page.locator('.st-key-adm_events_file_0 input[type="file"]').set_input_files(str(events))
    page.get_by_role("button", name=tr("imports.events_check")).click()
    expect(page.get_by_text(tr("imports.events_summary", lines=6, valid=5, bad=1))).to_be_visible(
        timeout=30_000)
    shot(page, "22-admin-events-checked")
    page.get_by_role("button", name=tr("imports.events_import")).click()
    done = tr("imports.events_done", new=5, present=0, bad=1)
    expect(page.get_by_text(done)).to_be_visible(timeout=30_000)
    shot(page, "23-admin-events-imported")

    # Nobody searched in this app: the searches tile shows exactly the imported events.
    nav.get_by_text(tr("analytics.nav"), exact=True).click()
    tile = page.locator('.df-tile').filter(has_text=tr("analytics.kpi.searches"))
    expect(tile.locator('.df-tile-value').first).to_have_text("5", timeout=30_000)
    shot(page, "24-dashboard-after-import")
