"""Screenshots of the dashboard's views for the README, taken in a real browser.

    python -m scripts.screenshots [--events 20000] [--out docs/screenshots] [--lang en]

Prepares a temporary local-mode data directory the way the page benchmark does (sample content,
synthetic events through the seeding code, an analyst), starts the app, signs in and saves one
PNG per dashboard tab (``dashboard-<n>-<tab>.png``) plus the pages named in ``EXTRA_PAGES``.
Nothing here runs in the test suite; the PNGs are committed with the README.
"""

from __future__ import annotations

import argparse
import re
import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.bench_pages import (
    ANALYST,
    CHROMIUM,
    CHROMIUM_FLAGS,
    LOCAL_MODE,
    PAGE_TIMEOUT_MS,
    ROOT,
    drawn,
    prepare,
    sign_in,
)
from scripts.streamlit_server import start_streamlit, stop
from services.bootstrap import build_services
from services.domain.follows import FollowScope
from services.settings import Settings

if TYPE_CHECKING:  # Playwright is a development tool: imported when the script runs
    from playwright.sync_api import Locator, Page

# Pages beside the dashboard's tabs: (file name, path and query after the app's address;
# ``{item}`` and ``{author}`` are the most viewed item and its author).
EXTRA_PAGES: tuple[tuple[str, str], ...] = (
    ("item-page", "item-stats?id={item}"),
    ("author-page", "author-stats?id={author}"),
    ("home-my-insights", ""),
)
# Drawn in any language: the KPI tiles are there and the script has finished.
DRAWN = [('.df-tile', "")]
VIEWPORT = {"width": 1400, "height": 1700}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "tab"


def _author_of(data_dir: Path, item_id: str) -> str:
    """The item's author; the analyst follows two metrics, so "My insights" has something."""
    services = build_services(Settings(data_dir=data_dir, backend="local", auth="local"))
    try:
        analyst = services.ports.users.get(ANALYST)
        if services.follows is not None:
            actor = analyst.as_actor()
            services.follows.follow(actor, "content_views")
            services.follows.follow(actor, "content_views", FollowScope.ITEM, item_id)
        return services.ports.content.get(item_id).author_id
    finally:
        services.tracker.close()


def _tabs(page: Page, group: Locator, out: Path, prefix: str) -> list[Path]:
    """Each tab of ``group`` opened in turn, the group alone in the picture (the panels above
    it have their own): ``<prefix>-<n>-<tab>.png``."""
    saved = []
    tabs = group.get_by_role("tab")
    for index in range(tabs.count()):
        tab = tabs.nth(index)
        name = tab.inner_text().strip()
        tab.click()
        page.wait_for_timeout(2500)
        drawn(page, DRAWN)
        path = out / f"{prefix}-{index + 1:02d}-{slug(name)}.png"
        group.screenshot(path=str(path))
        saved.append(path)
    return saved


def _period(page: Page, days: str) -> None:
    """The dashboard's period preset of ``days`` days, chosen and drawn."""
    page.locator('[data-testid="stButtonGroup"] button').filter(
        has_text=re.compile(days)).first.click()
    page.wait_for_timeout(3000)
    drawn(page, DRAWN)


def shoot(events: int, out: Path, lang: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data_dir = folder / "data"
        item_id, _ = prepare(data_dir, events, password)
        author = _author_of(data_dir, item_id)
        server = start_streamlit(ROOT / "server.py", ROOT, folder / "app.log",
                                 {**LOCAL_MODE, "DEMO_FACTORY_DATA_DIR": str(data_dir)})
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
                context.set_default_timeout(PAGE_TIMEOUT_MS)
                sign_in(context, server.url, password)
                page = context.new_page()
                page.goto(f"{server.url}/dashboard?lang={lang}")
                drawn(page, DRAWN)
                page.wait_for_timeout(3000)
                path = out / "dashboard-00-top.png"
                page.screenshot(path=str(path))
                saved.append(path)
                # The insights of 30 days: the seeded 90 days before now leave the 90 days
                # before a 90-day period empty, and its insights with no change to explain.
                _period(page, "30")
                # The insights panel is folded at first: opened, its parts come first on the
                # page, the dashboard's tabs last.
                page.locator('[data-testid="stExpander"] summary').filter(
                    has_text=re.compile(r"인사이트:|Insights:")).first.click()
                page.wait_for_timeout(3000)
                drawn(page, DRAWN)
                groups = page.locator('[data-testid="stTabs"]')
                saved += _tabs(page, groups.first, out, "insights")
                # 90 days: long enough for the weekly cohorts and the funnels to have shape.
                _period(page, "90")
                saved += _tabs(page, groups.last, out, "dashboard")
                for file_name, target in EXTRA_PAGES:
                    address = target.format(item=item_id, author=author)
                    sep = "&" if "?" in address else "?"
                    page.goto(f"{server.url}/{address}{sep}lang={lang}")
                    page.wait_for_timeout(5000)
                    path = out / f"{file_name}.png"
                    page.screenshot(path=str(path))
                    saved.append(path)
                browser.close()
        finally:
            stop(server)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", default="en", choices=("ko", "en"))
    args = parser.parse_args(argv)
    for path in shoot(args.events, args.out, args.lang):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
