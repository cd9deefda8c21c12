"""What a person typed survives the app's server restarting under the open tab (a deploy, or a
reconnect that reaches another app server): the tab reconnects to a new server session, which
set its own values over what the browser showed. The editor loaded the stored (here: empty)
form and the next save said "Enter a title"; the funnel builder set its steps back to none and
the next save said "Choose a page or an event for every step"."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from scripts.seed_demo import published_contents, seed_stores
from services.bootstrap import build_services
from services.content.samples import load_samples
from services.domain.models import utcnow
from services.domain.permissions import Role
from services.settings import Settings
from tests.e2e.conftest import CLI, choose, shot, sign_in, start_app, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
TITLE = "서버가 다시 시작해도 남는 제목"
FUNNEL = "다시 시작해도 남는 퍼널"


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


def _pick_step(page: Page, step: int, option_key: str) -> None:
    box = page.locator(f".st-key-funnel_step_{step}_ko").get_by_role("combobox")
    choose(page, box, tr(option_key))
    expect(box).to_have_value(tr(option_key))
    page.wait_for_timeout(500)  # the rerun it started is done: the next list stays open


def test_a_funnel_being_defined_survives_a_server_restart(page: Page, tmp_path: Path) -> None:
    services = build_services(Settings(data_dir=tmp_path / "data", sample_content=False))
    try:  # a dashboard with visits: its tabs (and the funnel builder) are drawn
        services.accounts.create_user(CLI, "analyst", "분석가", "analyst@example.com", PASSWORD,
                                      frozenset({Role.ANALYST}), temporary=False)
        load_samples(services.content, limit=3)
        seed_stores(services.ports.content, services.ports.events, published_contents(services),
                    total=300, days=7, tz=services.settings.tz, seed=3, now=utcnow())
    finally:
        services.tracker.close()
    proc, app = start_app(tmp_path)
    try:
        sign_in(page, app, "analyst", PASSWORD, "분석가")
        page.goto(f"{app.url}/dashboard")
        page.get_by_role("tab", name=tr("analytics.tab.funnels")).click(timeout=60_000)
        page.get_by_text(tr("funnels.builder"), exact=True).click()
        name = page.get_by_label(tr("funnels.name"), exact=True)
        name.fill(FUNNEL)
        name.press("Tab")
        page.wait_for_timeout(1000)  # the rerun it started is done: the next list stays open
        _pick_step(page, 0, "analytics.event.search")
        _pick_step(page, 1, "analytics.event.like")
        page.wait_for_timeout(1000)  # the values reached the server session that ends now

        _stop(proc)
        proc, _ = start_app(tmp_path, port=urlparse(app.url).port)
        # The tab must have reconnected (the status widget is gone at once while the server
        # is still down), and the page's own rerun after the reconnect (its live tiles), which
        # draws the builder's save button anew, be over: a click in between is lost.
        app_root = page.get_by_test_id("stApp")
        expect(app_root).to_have_attribute("data-test-connection-state", "CONNECTED",
                                           timeout=60_000)
        page.wait_for_timeout(1500)
        expect(app_root).to_have_attribute("data-test-script-state", "notRunning",
                                           timeout=60_000)
        page.get_by_role("button", name=tr("funnels.save")).click()
        said = page.get_by_text(tr("funnels.saved")).or_(
            page.get_by_text(tr("funnels.saved_counting"))).or_(
            page.get_by_text(tr("funnels.err_step")))
        expect(said.first).to_be_visible(timeout=60_000)
        shot(page, "funnel-builder-after-restart")
        expect(page.get_by_text(tr("funnels.err_step"))).to_have_count(0)
        stored = build_services(Settings(data_dir=app.data_dir, sample_content=False))
        funnels = stored.funnels
        assert funnels is not None
        mine = [f for f in funnels.available(stored.accounts.get("analyst").as_actor())
                if not f.is_default]
        stored.tracker.close()
        assert [(f.name, [s.value for s in f.steps]) for f in mine] == [
            (FUNNEL, ["search", "like"])]
    finally:
        _stop(proc)
