"""Which addresses the app's server answers itself (services/ui/page_server.py): every page's
own address with Streamlit's page told where the server is; nothing else (the real-browser
side is tests/e2e/test_page_addresses.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from streamlit.file_util import get_static_dir

from services.domain.models import Category
from services.ui import page_server, routes
from services.ui.gate import url_path
from services.ui.page_server import BASE_SCRIPT, PAGES_DIR, page_routes

STREAMLIT_PAGE = (Path(get_static_dir()) / "index.html").read_text(encoding="utf-8")


def ask(path: str, base_url_path: str = "", method: str = "GET") -> httpx.Response:
    """One request to a server made of the page routes only (no Streamlit behind them)."""
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=Starlette(routes=page_routes(base_url_path)))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return await client.request(method, path)
    # Its own thread: a browser test before it may leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, send()).result()


def every_page_but_home() -> list[str]:
    files = [f"app_pages/{p.name}" for p in sorted(PAGES_DIR.glob("*.py"))]
    return [url_path(f) for f in files if f != routes.HOME] + [
        routes.category_url_path(c) for c in Category]


@pytest.mark.parametrize("path", every_page_but_home())
def test_every_page_address_gets_streamlit_page_with_the_server_address(path: str) -> None:
    answer = ask(f"/{path}?id=abc")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"
    page = answer.text
    assert page.count(BASE_SCRIPT) == 1
    # Set before Streamlit's bundle runs, and Streamlit's page otherwise unchanged.
    assert page.index(BASE_SCRIPT) < page.index('<script type="module"')
    assert page.replace(BASE_SCRIPT, "") == STREAMLIT_PAGE


@pytest.mark.parametrize("path", ["/", "/favicon.png", "/manifest.json", "/_stcore/health",
                                  "/static/js/x.js", "/no-such-page", "/browse/_stcore/health"])
def test_other_addresses_stay_streamlit_own(path: str) -> None:
    assert ask(path).status_code == 404


def test_under_a_base_url_path_the_pages_move_with_it() -> None:
    assert BASE_SCRIPT in ask("/demo/browse", "/demo/").text
    assert ask("/browse", "/demo/").status_code == 404
    assert ask("/demo/dashboard", "/demo/", "HEAD").status_code == 200


def test_a_streamlit_page_without_a_head_is_served_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Streamlit release that changed its page: the probe comes back, nothing breaks."""
    (tmp_path / "index.html").write_text("<html><body>app</body></html>", encoding="utf-8")
    monkeypatch.setattr(page_server, "get_static_dir", lambda: str(tmp_path))
    page_server.page_html.cache_clear()
    try:
        assert ask("/browse").text == "<html><body>app</body></html>"
    finally:
        page_server.page_html.cache_clear()
