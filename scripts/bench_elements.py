"""What each group of the dashboard's first screen costs to draw, in a real browser.

    python -m scripts.bench elements [--runs 20] [--json]

The dashboard's reload is the one page over the issue's 1.3x of a plain page, and its stock
twin (``scripts/bench_stock.py``: the same Streamlit elements, none of the app's code) is over it
too. This benchmark says which elements that cost is made of: it reloads the plain page, the
stock dashboard, the stock dashboard without each group of elements (``?drop=<group>``) and its
core alone (the title, the period, the tiles and the trend chart: every group dropped), and
the full twin with each group's widgets drawn as HTML links (``&as=links``), in a new order each
round, so that a noisy machine slows all alike. A group's saving is the full twin's
median less the median without it; the groups' savings need not add up (Streamlit loads an
element's code once per page, whichever element of that kind comes first).

No app and no data: only the stock script's server, so a run takes a few minutes. Tests never
assert on time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from scripts.bench_pages import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    DASHBOARD,
    PAGE_TIMEOUT_MS,
    PLAIN,
    drawn,
    p95,
)
from scripts.bench_stock import DASHBOARD_GROUPS, STOCK_SCRIPT
from scripts.streamlit_server import start_streamlit, stop

PLAIN_PAGE = "plain page"
FULL = "stock dashboard"
CORE = "core only (title, period, tiles, chart)"
AS_LINKS = "every group's widgets as links"


def variants() -> dict[str, str]:
    """Each measured page's name and its query (after the stock server's address)."""
    pages = {PLAIN_PAGE: "", FULL: "?page=dashboard"}
    pages.update({f"without {group}": f"?page=dashboard&drop={group}"
                  for group in DASHBOARD_GROUPS})
    pages[CORE] = "?page=dashboard&drop=" + ",".join(DASHBOARD_GROUPS)
    pages[AS_LINKS] = "?page=dashboard&as=links"
    return pages


def summary(samples: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    """Per page: its median and p95, its ratio to the plain page and what it saves against
    the full stock dashboard (seconds)."""
    medians = {name: statistics.median(times) for name, times in samples.items()}
    plain, full = medians.get(PLAIN_PAGE), medians.get(FULL)
    rows: dict[str, dict[str, Any]] = {}
    for name, times in samples.items():
        median = medians[name]
        rows[name] = {
            "median_s": round(median, 3), "p95_s": round(p95(times), 3),
            "ratio": round(median / plain, 2) if plain else None,
            "saves_s": (round(full - median, 3)
                        if full is not None and name not in (PLAIN_PAGE, FULL) else None),
        }
    return rows


def bench_elements(runs: int, seed: int = 2026) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium")
    pages = variants()
    shuffle = random.Random(seed).shuffle
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-elements-") as tmp:
        script = Path(tmp) / "stock_app.py"
        script.write_text(STOCK_SCRIPT, encoding="utf-8")
        server = start_streamlit(script, script.parent, Path(tmp) / "stock.log", {})
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                try:
                    for number in range(runs):
                        print(f"round {number + 1}/{runs}", file=sys.stderr, flush=True)
                        order = list(pages)
                        shuffle(order)
                        _round(browser, server.url, [(name, pages[name]) for name in order],
                               samples)
                finally:
                    browser.close()
        finally:
            stop(server)
    return {"runs": runs, "pages": summary({name: samples[name] for name in pages})}


def _round(browser: Any, url: str, pages: list[tuple[str, str]],
           samples: dict[str, list[float]]) -> None:
    """Each page visited, then timed from a reload to drawn, in one tab (as the page
    benchmark's stock pages are)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = context.new_page()
        for name, query in pages:
            parts = PLAIN if name == PLAIN_PAGE else DASHBOARD
            page.goto(f"{url}/{query}", wait_until="commit")
            drawn(page, parts)
            start = time.perf_counter()
            page.reload(wait_until="commit")
            drawn(page, parts)
            samples.setdefault(name, []).append(time.perf_counter() - start)
    finally:
        context.close()


def print_elements(result: dict[str, Any]) -> None:
    print(f"{result['runs']} rounds. Seconds from a reload to fully drawn; ratio = median / "
          "median of the plain page; saves = the full stock dashboard's median less this one")
    width = max(len(name) for name in result["pages"])
    print(f"{'page':<{width}} {'median':>7} {'p95':>6} {'ratio':>6} {'saves':>6}")
    for name, row in result["pages"].items():
        ratio = f"{row['ratio']:>5.2f}x" if row["ratio"] is not None else f"{'-':>6}"
        saves = f"{row['saves_s']:>6.3f}" if row["saves_s"] is not None else f"{'-':>6}"
        print(f"{name:<{width}} {row['median_s']:>7.3f} {row['p95_s']:>6.3f} {ratio} {saves}")


def run(args: Any) -> None:
    result = bench_elements(args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_elements(result)


def add_parser(sub: Any) -> None:
    """Register ``elements`` on bench.py's subcommands."""
    elements = sub.add_parser("elements", help="what each part of the dashboard costs to draw",
                              description=textwrap.dedent(__doc__ or "").strip(),
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    elements.add_argument("--runs", type=int, default=20, help="rounds (median, p95)")
    elements.add_argument("--json", action="store_true", help="print JSON only")
