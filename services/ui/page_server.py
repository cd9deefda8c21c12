"""Each page's own address answers with Streamlit's page, already told where the server is.

Opened at ``/browse``, Streamlit's page does not know whether ``browse`` is a page or the
server's base path: it asks ``/browse/_stcore/health``, gets a 404, waits its 100 ms retry delay
and only then asks ``/_stcore/health``. Every deep link, reload or new tab of a page other than
home paid that wait. Streamlit takes the server's address from ``window.__streamlit`` when the
page sets it, so the app's page addresses are served Streamlit's own HTML with that one line
added. Every other address (home, assets, unknown paths) stays Streamlit's.

The base is the page's address without its last segment, worked out in the browser: under a
``server.baseUrlPath`` and behind a proxy that strips a prefix it is the address Streamlit's own
second try would have found.
"""

from __future__ import annotations

import functools
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route
from streamlit import config
from streamlit.file_util import get_static_dir

from services.domain.models import Category
from services.ui import routes
from services.ui.file_route import file_routes
from services.ui.gate import url_path

PAGES_DIR = Path(__file__).resolve().parents[2] / "app_pages"
# Runs before Streamlit's bundle (a module script, so deferred) reads and freezes the object.
BASE_SCRIPT = ("<script>window.__streamlit={BACKEND_BASE_URL:"
               "new URL('.',window.location.href).href}</script>")


def page_paths() -> list[str]:
    """Every page's address but home's (``/`` needs no guess): file pages and categories."""
    files = {f"app_pages/{p.name}" for p in PAGES_DIR.glob("*.py")} - {routes.HOME}
    return sorted({url_path(f) for f in files} | {routes.category_url_path(c) for c in Category})


@functools.cache
def page_html() -> str:
    """Streamlit's index page with the server's address set before its bundle runs."""
    index = (Path(get_static_dir()) / "index.html").read_text(encoding="utf-8")
    if "<head>" not in index:  # a Streamlit release that changed its page: serve it as it is
        return index
    return index.replace("<head>", "<head>" + BASE_SCRIPT, 1)


async def _serve_page(request: Request) -> HTMLResponse:
    # As Streamlit serves its HTML: never cached, so an upgrade's new bundle names are seen.
    return HTMLResponse(page_html(), headers={"Cache-Control": "no-cache"})


def page_routes(base_url_path: str | None = None) -> list[BaseRoute]:
    """One route per page address, and the pages' file links, under the configured
    ``server.baseUrlPath``."""
    base = (config.get_option("server.baseUrlPath") if base_url_path is None
            else base_url_path).strip("/")
    prefix = f"/{base}" if base else ""
    pages: list[BaseRoute] = [Route(f"{prefix}/{path}", _serve_page, methods=["GET", "HEAD"])
                              for path in page_paths()]
    return pages + file_routes(prefix)
