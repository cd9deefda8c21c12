"""An author's typed text survives the app's server restarting under the open editor (a
deploy, or a reconnect that reaches another app server): the tab reconnects to a new server
session, which loaded the stored (here: empty) form over what the browser showed, and the next
save said "Enter a title"."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from services.bootstrap import build_services
from services.domain.permissions import Role
from services.settings import Settings
from tests.e2e.conftest import CLI, shot, sign_in, start_app, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
TITLE = "서버가 다시 시작해도 남는 제목"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_typed_text_survives_a_server_restart(page: Page, tmp_path: Path) -> None:
    proc, app = start_app(tmp_path)
    try:
        services = build_services(Settings(data_dir=app.data_dir, sample_content=False))
        services.accounts.create_user(CLI, "writer", "작가", "writer@example.com", PASSWORD,
                                      frozenset({Role.AUTHOR}), temporary=False)
        services.tracker.close()
        sign_in(page, app, "writer", PASSWORD, "작가")
        page.goto(f"{app.url}/editor")
        title = page.get_by_label(tr("content.title_label"), exact=True)
        title.fill(TITLE)
        title.press("Tab")
        page.wait_for_timeout(1000)  # the value reached the server session that ends now

        _stop(proc)
        proc, _ = start_app(tmp_path, port=urlparse(app.url).port)
        page.get_by_role("button", name=tr("content.save")).click()
        saved = page.locator('[data-testid="stAlert"]').filter(has_text=TITLE)
        expect(saved.or_(page.get_by_text(tr("content.err_title_empty")))).to_be_visible(
            timeout=60_000)
        shot(page, "editor-after-restart")
        expect(page.get_by_text(tr("content.err_title_empty"))).to_have_count(0)
        expect(title).to_have_value(TITLE)
        stored = build_services(Settings(data_dir=app.data_dir, sample_content=False))
        mine = stored.content.my_content(stored.accounts.get("writer").as_actor())
        stored.tracker.close()
        assert [item.title for item in mine.items] == [TITLE]
    finally:
        _stop(proc)
