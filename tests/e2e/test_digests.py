"""Followed metrics in a real browser: an analyst follows a metric on the home page, the digest
script's dry run (a separate process on the same data dir) lists it and stores nothing, and
"My insights" shows the metric after a reload."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from scripts.bench_pages import drawn
from services.bootstrap import build_services
from services.domain.permissions import Actor, Role
from services.settings import Settings
from tests.e2e.conftest import ROOT, RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    users = {"analyst": ("분석가", Role.ANALYST)}
    with app_with_users(tmp_path_factory.mktemp("digests"), users, PASSWORD) as running:
        yield running


def test_a_followed_metric_is_in_the_dry_run_and_in_my_insights(app: RunningApp,
                                                                page: Page) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    page.goto(app.url)
    expect(page.get_by_text(tr("follows.empty"))).to_be_visible(timeout=60_000)
    # A click while home's first run is still going was lost once under load: click on the
    # page a person sees as finished.
    drawn(page, [("p", tr("follows.empty"))])
    page.get_by_text(tr("follows.add_title"), exact=True).click()
    follow = page.get_by_role("button", name=tr("follows.follow"))
    expect(follow).to_be_enabled()
    follow.click()  # visitors, platform-wide
    followed = f"{tr('insights.metric.visitors')} ({tr('follows.platform_wide')})"
    shown = page.get_by_text(followed).first
    try:
        expect(shown).to_be_visible(timeout=15_000)
    except AssertionError:
        # Seen only late in a full run of the suite (never alone, nor under CPU load): the
        # click reached no run and nothing was stored. One more click, with the evidence.
        stored = _stored_follows(app)
        shot(page, "40-my-insights-follow-lost")
        assert stored == [], f"stored but not shown: {stored}"
        follow.click()
        expect(shown).to_be_visible(timeout=30_000)
    page.get_by_text(tr("follows.freq.daily"), exact=True).click()
    page.wait_for_timeout(1000)

    env = {**os.environ, "DEMO_FACTORY_DATA_DIR": str(app.data_dir)}
    run = subprocess.run([sys.executable, "scripts/send_digests.py", "--dry-run"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    assert "analyst" in run.stdout and "dry_run" in run.stdout, run.stdout + run.stderr
    assert tr("insights.metric.visitors") in run.stdout

    page.reload()
    expect(page.get_by_text(followed).first).to_be_visible(timeout=60_000)
    shot(page, "40-my-insights")
    services = build_services(Settings(data_dir=app.data_dir, sample_content=False))
    assert services.follows is not None
    analyst = Actor("analyst", "분석가", frozenset({Role.ANALYST}))
    assert services.follows.digests(analyst) == []  # the dry run kept nothing
    services.tracker.close()


def _stored_follows(app: RunningApp) -> list[str]:
    services = build_services(Settings(data_dir=app.data_dir, sample_content=False))
    try:
        analyst = Actor("analyst", "분석가", frozenset({Role.ANALYST}))
        return [f.key for f in services.follows.follows(analyst)] if services.follows else []
    finally:
        services.tracker.close()
