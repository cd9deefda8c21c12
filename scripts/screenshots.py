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

from scripts.bench_pages import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    LOCAL_MODE,
    PAGE_TIMEOUT_MS,
    ROOT,
    drawn,
    prepare,
    sign_in,
    start_streamlit,
    stop,
)

# Pages beside the dashboard's tabs: (file name, path and query after the app's address).
EXTRA_PAGES: tuple[tuple[str, str], ...] = ()
# Drawn in any language: the KPI tiles are there and the script has finished.
DRAWN = [('[data-testid="stMetric"]', "")]
VIEWPORT = {"width": 1400, "height": 1700}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "tab"


def shoot(events: int, out: Path, lang: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data_dir = folder / "data"
        prepare(data_dir, events, password)
        server = start_streamlit(ROOT / "app.py", ROOT, folder / "app.log",
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
                tabs = page.get_by_role("tab")
                for index in range(tabs.count()):
                    tab = tabs.nth(index)
                    name = tab.inner_text().strip()
                    tab.click()
                    page.wait_for_timeout(1500)
                    drawn(page, DRAWN)
                    path = out / f"dashboard-{index + 1:02d}-{slug(name)}.png"
                    page.screenshot(path=str(path), full_page=True)
                    saved.append(path)
                for file_name, target in EXTRA_PAGES:
                    sep = "&" if "?" in target else "?"
                    page.goto(f"{server.url}/{target}{sep}lang={lang}")
                    page.wait_for_timeout(3000)
                    path = out / f"{file_name}.png"
                    page.screenshot(path=str(path), full_page=True)
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
