"""No page asks another host for anything: the app works offline and tells no third party who
visits (a page icon named like ``:material/...`` is fetched from a public font host)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, expect

from tests.e2e.conftest import RunningApp, tr


def test_pages_load_nothing_from_another_host(app: RunningApp, page: Page) -> None:
    hosts: set[str] = set()

    def note(request: Request) -> None:
        if request.url.startswith(("http://", "https://", "ws://", "wss://")):
            hosts.add(urlsplit(request.url).hostname or "")

    page.on("request", note)
    page.goto(app.url)
    expect(page.get_by_role("link", name=tr("content.open")).first).to_be_visible(timeout=90_000)
    page.goto(f"{app.url}/browse")
    expect(page.get_by_role("link", name=tr("content.open")).first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)  # late requests (favicon, fonts) after the page is drawn
    assert hosts == {"127.0.0.1"}
