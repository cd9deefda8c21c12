"""Analytics and reports in a real browser: visits move the dashboard's counts, and an offline
AI report is generated and downloaded as a PDF whose Korean text is intact."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from playwright.sync_api import Locator, Page, expect

from services.bootstrap import build_services
from services.domain.permissions import Actor, Role
from services.i18n import translate
from services.settings import Settings
from tests.e2e.conftest import RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    users = {"analyst": ("분석가", Role.ANALYST)}
    with app_with_users(tmp_path_factory.mktemp("insights"), users, PASSWORD) as running:
        yield running


def sidebar_link(page: Page, text: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(text, exact=True).click()


def page_views_tile(page: Page) -> int:
    tile = page.locator('.df-tile').filter(has_text=tr("analytics.kpi.page_views"))
    value = tile.locator('.df-tile-value').first.inner_text()
    return int(re.sub(r"[^\d]", "", value) or 0)


def test_visits_show_up_on_the_dashboard(app: RunningApp, page: Page) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    skip = page.get_by_role("button", name=tr("analytics.purpose_skip"))
    if skip.count():
        skip.first.click()
    for link in (tr("nav.browse"), tr("content.category.finance"), tr("nav.home")):
        sidebar_link(page, link)
        page.wait_for_timeout(500)
    sidebar_link(page, tr("analytics.nav"))
    tile = page.locator('.df-tile').filter(has_text=tr("analytics.kpi.page_views"))
    expect(tile.first).to_be_visible(timeout=30_000)
    # Events are written in batches every couple of seconds; revisit until they are counted.
    deadline = time.monotonic() + 40
    while page_views_tile(page) < 4 and time.monotonic() < deadline:
        page.wait_for_timeout(1500)
        sidebar_link(page, tr("nav.home"))
        sidebar_link(page, tr("analytics.nav"))
        expect(tile.first).to_be_visible(timeout=30_000)
    assert page_views_tile(page) >= 4
    shot(page, "10-dashboard")


def test_offline_report_is_generated_and_downloaded_as_pdf(
    app: RunningApp, page: Page, tmp_path: Path
) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    sidebar_link(page, tr("reports.nav"))
    # The page builds the exact context it will send (two dashboards) before it shows the button.
    generate = page.get_by_role("button", name=tr("reports.generate"))
    expect(generate).to_be_visible(timeout=90_000)
    generate.click()
    expect(page.get_by_text(tr("reports.generated")).first).to_be_visible(timeout=90_000)
    shot(page, "11-report-generated")
    # One click: the PDF was built with the report, the button carries it.
    download_button = page.get_by_role("button", name=tr("reports.pdf_download")).first
    expect(download_button).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_button.click()
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    with pymupdf.open(target) as pdf:
        text = "".join(p.get_text() for p in pdf)
        assert pdf.page_count >= 4
    assert target.read_bytes().startswith(b"%PDF")
    assert "Demo Factory" in text and tr("pdf.kpi_title") in text
    shot(page, "12-report-pdf")


def test_the_purpose_question_is_asked_once_per_browser_session(
    app: RunningApp, page: Page
) -> None:
    """A reload starts a new Streamlit session; the browser's session cookies keep the visit."""
    question = page.get_by_text(tr("analytics.purpose_question"), exact=True)
    page.goto(app.url)
    expect(question.first).to_be_visible(timeout=60_000)
    page.get_by_role("button", name=tr("analytics.purpose_skip")).click()
    expect(question).to_have_count(0)
    visit = next(c["value"] for c in page.context.cookies() if c["name"] == "df_visit")

    page.reload()
    expect(page.get_by_text(tr("nav.home")).first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)  # the question would be drawn in the same run as the home page
    expect(question).to_have_count(0)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["df_visit"]["value"] == visit and cookies["df_visit"]["expires"] == -1
    assert cookies["df_purpose"]["value"] == "1"


def test_the_open_tabs_stay_open_after_a_language_switch(app: RunningApp, page: Page) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    sidebar_link(page, tr("analytics.nav"))
    searches = page.get_by_role("tab", name=tr("analytics.tab.search"))
    expect(searches).to_be_visible(timeout=60_000)
    searches.click()
    expect(searches).to_have_attribute("aria-selected", "true")
    page.get_by_text("English", exact=True).click()
    english = page.get_by_role("tab", name=translate("en", "analytics.tab.search"), exact=True)
    expect(english).to_have_attribute("aria-selected", "true", timeout=30_000)


def test_a_period_change_redraws_the_board_not_the_live_panel(
    app: RunningApp, page: Page
) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    sidebar_link(page, tr("analytics.nav"))
    live = page.get_by_text(tr("analytics.live", seconds=30))
    expect(live).to_be_visible(timeout=60_000)
    live.click()  # paused: the panel no longer refreshes on its own either
    page.get_by_text(tr("live.title"), exact=True).click()  # folded at first
    panel = page.locator('[data-testid="stExpander"]').filter(has_text=tr("live.title"))
    read_at = panel.locator('[data-testid="stCaptionContainer"]').first
    expect(read_at).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # the panel's time shows seconds: a new read would differ
    before = read_at.inner_text()
    page.locator('[data-testid="stButtonGroup"] button').filter(
        has_text=tr("analytics.preset.days_30")).first.click()
    expect(page.get_by_text("(30일)").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    assert read_at.inner_text() == before


def test_a_sign_in_ended_elsewhere_ends_the_open_dashboard(app: RunningApp, page: Page) -> None:
    """The board reruns alone (a fragment, without app.py): after "sign out everywhere" its
    next click must not answer with data, but lead to sign-in."""
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    sidebar_link(page, tr("analytics.nav"))
    tile = page.locator('.df-tile').filter(has_text=tr("analytics.kpi.page_views"))
    expect(tile.first).to_be_visible(timeout=60_000)

    services = build_services(Settings(data_dir=app.data_dir, sample_content=False))
    analyst = Actor("analyst", "분석가", frozenset({Role.ANALYST}))
    services.accounts.sign_out_everywhere(analyst, "analyst")
    services.tracker.close()

    page.locator('[data-testid="stButtonGroup"] button').filter(
        has_text=tr("analytics.preset.days_30")).first.click()
    # The whole app runs again and opens sign-in: on a machine busy with the rest of the suite
    # that once took over 30 s (the page still loading), as long as other pages' first draws.
    expect(page.get_by_role("heading", name=tr("auth.login_title"))).to_be_visible(timeout=60_000)
    expect(tile).to_have_count(0)
    expect(page.get_by_text(tr("auth.sign_in_ended"))).to_be_visible()  # and why


def board_with(app: RunningApp, page: Page, part: Locator) -> None:
    """Signed in, a visit to browse, then the dashboard until it shows ``part`` (an empty
    board has no insights; visits are counted in batches)."""
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    sidebar_link(page, tr("nav.browse"))
    page.wait_for_timeout(500)
    sidebar_link(page, tr("analytics.nav"))
    deadline = time.monotonic() + 40
    while not part.count() and time.monotonic() < deadline:
        page.wait_for_timeout(1500)
        sidebar_link(page, tr("nav.home"))
        sidebar_link(page, tr("analytics.nav"))
        expect(page.locator('.df-tile').first).to_be_visible(timeout=30_000)


def test_the_follow_popover_opens_with_its_form_and_follows(app: RunningApp, page: Page) -> None:
    """Drawn only once opened (services/ui/lazy.py): the click that opens it also draws the
    metric box and the button in it, and the popover stays open through that run."""
    follow = page.get_by_role("button", name=tr("follows.follow"))
    board_with(app, page, follow)
    follow.first.click()
    box = page.locator('[data-testid="stPopoverBody"]')
    expect(box.get_by_text(tr("follows.follow_metric"), exact=True)).to_be_visible(timeout=30_000)
    box.get_by_role("button", name=tr("follows.dashboard_follow")).click()
    expect(box.get_by_text(tr("follows.following"))).to_be_visible(timeout=30_000)
    shot(page, "13-dashboard-follow")


def test_the_boards_switches_stand_beside_its_title_and_the_trend_starts_on_a_laptop_screen(
    app: RunningApp, page: Page
) -> None:
    """The live switch and the follow button are the header's actions, on the title's line;
    on lines of their own they put the trend chart below a laptop's first screen (1,000 px)."""
    panel = page.locator('[data-testid="stExpander"]').filter(has_text=tr("insights.panel"))
    board_with(app, page, panel)
    title = page.get_by_role("heading", name=tr("analytics.title"), level=1).bounding_box()
    live = page.get_by_text(tr("analytics.live", seconds=30)).bounding_box()
    follow = page.get_by_role("button", name=tr("follows.follow")).bounding_box()
    assert title is not None and live is not None and follow is not None
    for action in (live, follow):
        middle = action["y"] + action["height"] / 2
        assert title["y"] < middle < title["y"] + title["height"], (title, action)
        assert action["x"] > title["x"] + title["width"] / 2, (title, action)  # on its right
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart).to_be_visible(timeout=30_000)
    box = chart.bounding_box()
    assert box is not None and box["y"] < 1000, box


def test_the_insights_panel_is_folded_under_the_trend_and_opens_with_its_parts(
    app: RunningApp, page: Page
) -> None:
    """Folded at first, the dashboard's views (its tab bar) are on a laptop's first screen
    (1,000 px; the panel pushed them to about 1,700 before); a click
    opens the panel with its three parts, and it stays open after a visit to another page
    and a switch of language."""
    panel = page.locator('[data-testid="stExpander"]').filter(has_text=tr("insights.panel"))
    board_with(app, page, panel)
    drivers = page.get_by_role("tab", name=tr("insights.drivers_title"), exact=True)
    expect(drivers).to_have_count(0)
    trend = page.get_by_role("tab", name=tr("analytics.tab.trend"), exact=True)
    expect(trend).to_be_visible(timeout=30_000)
    box = trend.bounding_box()
    assert box is not None and box["y"] + box["height"] < 1000, box
    panel.get_by_text(tr("insights.panel")).click()
    expect(drivers).to_be_visible(timeout=30_000)
    expect(page.get_by_role("tab", name=tr("insights.forecast_title"), exact=True)).to_be_visible()
    shot(page, "14-dashboard-insights-open")
    sidebar_link(page, tr("nav.home"))
    page.wait_for_timeout(1500)
    sidebar_link(page, tr("analytics.nav"))
    expect(drivers).to_be_visible(timeout=30_000)
    page.get_by_text("English", exact=True).click()  # and through a language switch
    expect(page.get_by_role("tab", name=translate("en", "insights.drivers_title"),
                            exact=True)).to_be_visible(timeout=30_000)
