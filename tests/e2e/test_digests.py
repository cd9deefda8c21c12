"""Followed metrics in a real browser: an analyst follows a metric on the home page, the digest
script's dry run (a separate process on the same data dir) lists it and stores nothing, and
"My insights" shows the metric after a reload.

The app runs with ``late_finish/`` on its path: while its flag file exists, a run's clean-up
waits for the next click's run (see there), the interleaving that once lost a follow click."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.bootstrap import build_services
from services.domain.permissions import Actor, Role
from services.settings import Settings
from tests.e2e.conftest import ROOT, RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
LATE_FINISH = Path(__file__).parent / "late_finish"
FOLLOWED = f"{tr('insights.metric.visitors')} ({tr('follows.platform_wide')})"


def _flag(app: RunningApp) -> Path:
    return app.data_dir.parent / "late-finish"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    users = {"analyst": ("분석가", Role.ANALYST), "second": ("두번째 분석가", Role.ANALYST)}
    tmp = tmp_path_factory.mktemp("digests")
    path = os.pathsep.join(p for p in (str(LATE_FINISH), os.environ.get("PYTHONPATH")) if p)
    env = {"PYTHONPATH": path, "DF_E2E_LATE_FINISH": str(tmp / "late-finish")}
    with app_with_users(tmp, users, PASSWORD, env) as running:
        assert _flag(running) == tmp / "late-finish"
        yield running


def _follow_visitors(page: Page, app: RunningApp, username: str, *, settled: bool) -> None:
    """Home, the follow form opened and "Follow" clicked (visitors, platform-wide), then the
    metric shown. ``settled``: the click waits until the page's run has finished, as a person
    reading the form would; otherwise it lands as soon as the button is there. No second
    click: a lost one fails, saying whether the browser sent anything after it (a message
    reached the app, or the click never left the page) and what was stored."""
    sent: list[object] = []
    page.on("websocket", lambda socket: socket.on("framesent", lambda frame: sent.append(frame)))
    page.goto(app.url)
    expect(page.get_by_text(tr("follows.empty"))).to_be_visible(timeout=60_000)
    page.get_by_text(tr("follows.add_title"), exact=True).click()
    follow = page.get_by_role("button", name=tr("follows.follow"))
    expect(follow).to_be_enabled()
    if settled:
        idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
        expect(idle).to_have_count(1, timeout=30_000)
    before = len(sent)
    follow.click()
    try:
        expect(page.get_by_text(FOLLOWED).first).to_be_visible(timeout=30_000)
    except AssertionError as lost:
        shot(page, f"40-follow-lost-{username}")
        raise AssertionError(f"the follow click was lost: {len(sent) - before} messages sent "
                             f"after it, stored: {_stored_follows(app, username)}") from lost


def test_a_followed_metric_is_in_the_dry_run_and_in_my_insights(app: RunningApp,
                                                                page: Page) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    # This test is about the digest; a click timed against the page's run is the next one's.
    _follow_visitors(page, app, "analyst", settled=True)
    page.get_by_text(tr("follows.freq.daily"), exact=True).click()
    page.wait_for_timeout(1000)

    env = {**os.environ, "DEMO_FACTORY_DATA_DIR": str(app.data_dir)}
    run = subprocess.run([sys.executable, "scripts/send_digests.py", "--dry-run"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    assert "analyst" in run.stdout and "dry_run" in run.stdout, run.stdout + run.stderr
    assert tr("insights.metric.visitors") in run.stdout

    page.reload()
    expect(page.get_by_text(FOLLOWED).first).to_be_visible(timeout=60_000)
    shot(page, "40-my-insights")
    services = build_services(Settings(data_dir=app.data_dir, sample_content=False))
    assert services.follows is not None
    analyst = Actor("analyst", "분석가", frozenset({Role.ANALYST}))
    assert services.follows.digests(analyst) == []  # the dry run kept nothing
    services.tracker.close()


def test_a_follow_clicked_as_the_page_finishes_its_run_is_not_lost(app: RunningApp,
                                                                   page: Page) -> None:
    """The click lands while home's run is finishing: that run's clean-up resets the buttons
    after the click's run has taken the click (forced here). The follow still happens."""
    sign_in(page, app, "second", PASSWORD, "두번째 분석가")
    _flag(app).touch()
    try:
        _follow_visitors(page, app, "second", settled=False)
    finally:
        _flag(app).unlink()
    assert _stored_follows(app, "second") == ["visitors|all|"]


def _stored_follows(app: RunningApp, username: str) -> list[str]:
    services = build_services(Settings(data_dir=app.data_dir, sample_content=False))
    try:
        actor = Actor(username, username, frozenset({Role.ANALYST}))
        return [f.key for f in services.follows.follows(actor)] if services.follows else []
    finally:
        services.tracker.close()
