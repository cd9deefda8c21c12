"""A page opened at its own address connects at once. Streamlit's page, opened at ``/browse``,
first asked ``/browse/_stcore/health``, got a 404 and waited 100 ms before it found the server
(services/ui/page_server.py): every deep link, reload and new tab of a page but home paid it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp, start_app, tr


def watch(page: Page) -> list[str]:
    """The paths the page asks for, websockets included, as they happen."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(urlsplit(request.url).path))
    page.on("websocket", lambda socket: seen.append(urlsplit(socket.url).path))
    return seen


def health_tries(seen: list[str]) -> list[str]:
    return [path for path in seen if path.endswith("_stcore/health")]


def open_browse_at_once(page: Page, url: str, base: str = "") -> list[str]:
    """Opens browse by its address; checks that the page found the server at the first try.
    Returns what the page asks for from then on."""
    seen = watch(page)
    page.goto(f"{url}/browse")
    expect(page.get_by_role("link", name=tr("content.open")).first).to_be_visible(timeout=90_000)
    assert f"{base}/_stcore/stream" in seen
    assert health_tries(seen) == [f"{base}/_stcore/health"]
    first_picture_shown(page, seen, base)
    return seen


def first_picture_shown(page: Page, seen: list[str], base: str) -> None:
    """The first card's thumbnail (a relative address in the cards' HTML) is fetched from
    Streamlit's media endpoint under the base path and drawn."""
    picture = page.locator("img.df-thumb").first
    expect(picture).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=picture.element_handle())
    assert any(re.fullmatch(rf"{base}/media/\w+\.webp", path) for path in seen), seen


def open_first_item(page: Page, base: str = "") -> str:
    """Follows the first card's link; returns the item's title as its page shows it."""
    page.get_by_role("link", name=tr("content.open")).first.click()
    expect(page).to_have_url(re.compile(rf"{base}/content\?id="))
    title = page.locator("h1").first
    # The switch happens inside the running app: the address changes at once, and browse's
    # title shows until the item's page is drawn.
    expect(title).not_to_have_text(tr("nav.browse"))
    expect(title).not_to_be_empty()
    return title.inner_text()


def test_a_deep_link_and_a_reload_connect_without_a_failed_try(app: RunningApp, page: Page) -> None:
    seen = open_browse_at_once(page, app.url)
    shown = open_first_item(page)
    seen.clear()
    page.reload()  # the content page's own address, with its ?id=
    expect(page.locator("h1").first).to_have_text(shown)
    assert health_tries(seen) == ["/_stcore/health"]


def test_under_a_base_url_path_pages_connect_at_once(browser: Browser, tmp_path: Path) -> None:
    proc, running = start_app(tmp_path, base_url_path="demo")
    context = browser.new_context(locale="ko-KR", viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        open_browse_at_once(page, running.url, base="/demo")
        open_first_item(page, base="/demo")
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)
