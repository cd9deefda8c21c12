"""A search on browse is in the address: a reload shows the same search, filters and page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, tr


def test_a_reload_shows_the_same_search(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse")
    search = page.get_by_placeholder(tr("content.search_placeholder"))
    expect(search).to_be_visible(timeout=90_000)
    search.fill("Bedrock")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/browse\?q=Bedrock$"))
    first = page.locator(".df-hit-title").first.inner_text()

    page.reload()

    expect(search).to_have_value("Bedrock", timeout=60_000)
    expect(page.locator(".df-hit-title").first).to_have_text(first)
    expect(page).to_have_url(re.compile(r"/browse\?q=Bedrock$"))
