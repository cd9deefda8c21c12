"""Click to filter in a real browser: a click on a bar of the top-content chart filters the
dashboard (a chip names the item, the URL carries it), and that URL opened in a new page shows
the same filtered view."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from scripts.seed_demo import published_contents, seed_stores
from services.bootstrap import build_services
from services.content.samples import load_samples
from services.domain.models import utcnow
from services.domain.permissions import Role
from services.settings import Settings
from tests.e2e.conftest import RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """A running app with a few sample items and a week of synthetic usage on them."""
    users = {"analyst": ("분석가", Role.ANALYST)}
    with app_with_users(tmp_path_factory.mktemp("click-filter"), users, PASSWORD) as running:
        services = build_services(Settings(data_dir=running.data_dir, sample_content=False))
        try:
            load_samples(services.content, limit=6)
            seed_stores(services.ports.content, services.ports.events,
                        published_contents(services), total=3000, days=7,
                        tz=services.settings.tz, seed=14, now=utcnow())
        finally:
            services.tracker.close()
        yield running


def tile_value(page: Page, key: str) -> str:
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=tr(key))
    return tile.locator('[data-testid="stMetricValue"]').first.inner_text()


def item_chip(page: Page) -> Locator:
    """The item filter's chip (its key names it; its text starts with the filter's kind)."""
    return page.locator(".st-key-dash_chip_item button").filter(
        has_text=tr("dashfilter.kind.item"))


def test_a_bar_click_filters_and_the_url_reproduces_the_view(app: RunningApp, page: Page) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    page.goto(f"{app.url}/dashboard")
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    everything = tile_value(page, "analytics.kpi.content_views")
    page.get_by_role("tab", name=tr("analytics.tab.content")).click()
    # The top-content chart (the panels above the tabs have charts of their own).
    chart = page.locator('.st-key-chart_content [data-testid="stPlotlyChart"]')
    expect(chart).to_be_visible(timeout=30_000)
    # The bars are drawn largest on top; the last bar in the DOM is the top one. plotly
    # takes clicks on its drag layer above the bars: click where the bar is, as a person does.
    bar = chart.locator("g.barlayer g.point path").last
    expect(bar).to_be_visible(timeout=30_000)
    box = bar.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    chip = item_chip(page)
    expect(chip.first).to_be_visible(timeout=30_000)
    page.wait_for_url(re.compile(r"[?&]item="), timeout=30_000)
    filtered = tile_value(page, "analytics.kpi.content_views")
    assert filtered != everything
    chip_text = chip.first.inner_text()
    shot(page, "60-click-filter")

    second = page.context.new_page()
    second.goto(page.url)
    expect(item_chip(second).first).to_be_visible(timeout=60_000)
    assert item_chip(second).first.inner_text() == chip_text
    assert tile_value(second, "analytics.kpi.content_views") == filtered
    assert re.search(r"[?&]item=", second.url)
    shot(second, "61-click-filter-link")
