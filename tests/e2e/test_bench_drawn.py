"""The page benchmark's "drawn" (scripts/bench_pages.py) is what a person sees as finished:
not while a chart or table is still a loading placeholder, even when the part it waits for is
already there."""

from __future__ import annotations

from playwright.sync_api import Page

from scripts.bench_pages import DRAWN_JS

PAGE = """<div data-testid="stApp" data-test-script-state="notRunning"
  data-test-connection-state="CONNECTED">
  <div class="df-tile">페이지 조회 4,245</div>
  <div data-testid="stSkeleton" id="loading" style="height: 20px"></div>
</div>"""
PARTS = [['.df-tile', "페이지 조회"]]


def test_a_page_with_a_loading_placeholder_is_not_drawn_yet(page: Page) -> None:
    page.set_content(PAGE)
    assert page.evaluate(DRAWN_JS, PARTS) is False
    page.evaluate("document.getElementById('loading').remove()")
    assert page.evaluate(DRAWN_JS, PARTS) is True


def test_a_hidden_placeholder_does_not_hold_the_page(page: Page) -> None:
    page.set_content(PAGE.replace('style="height: 20px"', 'style="display: none"'))
    assert page.evaluate(DRAWN_JS, PARTS) is True
