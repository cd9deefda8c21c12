"""A/B of one page: the working tree against a git ref, side by side in one browser.

    python -m scripts.bench ab [--ref HEAD] [--page dashboard] [--events 100000] [--runs 12]

The page benchmark's ratios move by about ±0.1 between runs on the same code (the machine's own
speed drifts), so a change to how a page draws is judged here instead: A is the app at ``--ref``
(checked out into a temporary git worktree), B the working tree; both serve copies of the same
data (the page benchmark's preparation) on their own 127.0.0.1 ports, and each round reloads
A's page and B's in alternating order, so that a slow moment of the machine hits both. Prints
each side's median and p95 (seconds from reload to fully drawn, the page benchmark's "drawn")
and B's median as a ratio of A's. ``--page report`` times instead, after each reload, the click
on "generate" to the offline report shown (the page benchmark's "offline report (generate)").
Tests never assert on time.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts import bench_pages
from scripts.bench_pages import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    LOCAL_MODE,
    PAGE_TIMEOUT_MS,
    ROOT,
    Parts,
    drawn,
    ko,
    p95,
)
from scripts.streamlit_server import start_streamlit, stop

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@dataclass(frozen=True)
class Target:
    path: str  # {item} stands for the most viewed item's id
    parts: Parts
    signed_in: bool
    # A button's name: each round reloads the page, then times from that button's click to
    # ``after`` drawn (what a person waits for after the click), instead of the reload.
    click: str | None = None
    after: Parts = field(default_factory=list)


# Parts that hold whichever elements a version draws them with (a KPI's name anywhere in the
# page, not a particular widget's test id), so that both sides wait for the same thing.
TARGETS: dict[str, Target] = {
    "home": Target("", bench_pages.HOME, False),
    # the pager's "next" (a button before the pager was links, a link since)
    "browse": Target("/browse", [('[data-testid="stMain"]', ko("common.next"))], False),
    "content": Target("/content?id={item}", [("h1", "")], False),
    "dashboard": Target("/dashboard", [("div", ko("analytics.kpi.page_views")),
                                       ('[data-testid="stPlotlyChart"] .main-svg', "")], True),
    "reports": Target("/reports", bench_pages.REPORTS, True),
    "report": Target("/reports", bench_pages.REPORTS, True, click=ko("reports.generate"),
                     after=[*bench_pages.REPORTS, ("div", ko("reports.generated"))]),
}
SIDES = ("A", "B")


@contextmanager
def worktree_at(ref: str, folder: Path) -> Iterator[Path]:
    """The app as committed at ``ref``, in a temporary worktree removed afterwards."""
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=ROOT,
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT,
                       check=False, capture_output=True)


def summarize(samples: dict[str, list[float]]) -> dict[str, Any]:
    """Each side's median and p95, and B's median over A's."""
    rows = {side: {"median_s": round(statistics.median(values), 3),
                   "p95_s": round(p95(values), 3), "runs": len(values)}
            for side, values in samples.items() if values}
    ratio = (round(rows["B"]["median_s"] / rows["A"]["median_s"], 3)
             if "A" in rows and "B" in rows and rows["A"]["median_s"] else None)
    return {"sides": rows, "b_over_a": ratio}


def _reload_rounds(pages: dict[str, Page], parts: Parts, runs: int,
                   target: Target) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {side: [] for side in SIDES}
    for number in range(runs):
        order = SIDES if number % 2 == 0 else tuple(reversed(SIDES))
        for side in order:
            page = pages[side]
            start = time.perf_counter()
            page.reload(wait_until="commit", timeout=PAGE_TIMEOUT_MS)
            drawn(page, parts)
            if target.click is not None:
                start = time.perf_counter()
                page.get_by_role("button", name=target.click).click()
                drawn(page, target.after)
            samples[side].append(time.perf_counter() - start)
        print(f"round {number + 1}/{runs}", file=sys.stderr, flush=True)
    return samples


def _open(browser: Browser, url: str, state: dict[str, Any] | None, parts: Parts) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR",
                                  storage_state=state)  # type: ignore[arg-type]
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.goto(url, timeout=PAGE_TIMEOUT_MS)
    drawn(page, parts)
    return page


def bench_ab(ref: str, page_name: str, events: int, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium")
    signal.signal(signal.SIGTERM, bench_pages._stop_on_sigterm)
    target = TARGETS[page_name]
    password = "bench-" + secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        folder = Path(tmp)
        with redirect_stdout(sys.stderr):
            item = bench_pages.prepare(folder / "data-A", events, password)
        shutil.copytree(folder / "data-A", folder / "data-B")
        path = target.path.format(item=item[0])
        parts = [(css, text or item[1]) if css == "h1" else (css, text)
                 for css, text in target.parts]
        with worktree_at(ref, folder / "code-A") as code_a, sync_playwright() as pw:
            started = []
            try:
                for side, code in (("A", code_a), ("B", ROOT)):
                    started.append(start_streamlit(
                        code / "server.py", code, folder / f"{side}.log",
                        {**LOCAL_MODE, "DEMO_FACTORY_DATA_DIR": str(folder / f"data-{side}")}))
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                pages = {}
                for side, server in zip(SIDES, started, strict=True):
                    state = None
                    if target.signed_in:
                        context = browser.new_context(locale="ko-KR")
                        bench_pages.sign_in(context, server.url, password)
                        state = dict(context.storage_state())
                        context.close()
                    pages[side] = _open(browser, server.url + path, state, parts)
                samples = _reload_rounds(pages, parts, runs, target)
                browser.close()
            finally:
                for server in started:
                    stop(server)
    return {"ref": ref, "page": page_name, "events": events, "runs": runs,
            **summarize(samples)}


def print_ab(result: dict[str, Any]) -> None:
    timed = "clicked" if TARGETS[result["page"]].click else "reloaded"
    print(f"{result['page']} {timed}, {result['events']:,} events, {result['runs']} "
          f"alternating rounds: A = {result['ref']}, B = the working tree")
    for side, row in result["sides"].items():
        print(f"{side}: median {row['median_s']:.3f} s, p95 {row['p95_s']:.3f} s")
    ratio = result["b_over_a"]
    print(f"B/A: {ratio:.3f}" if ratio is not None else "B/A: -")


def run(args: Any) -> None:
    result = bench_ab(args.ref, args.page, args.events, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_ab(result)


def add_parser(sub: Any) -> None:
    """Register ``ab`` on bench.py's subcommands."""
    ab = sub.add_parser("ab", help="one page, the working tree against a git ref",
                        description=textwrap.dedent(__doc__ or "").strip(),
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ab.add_argument("--ref", default="HEAD", help="the version A (a commit, branch or tag)")
    ab.add_argument("--page", choices=sorted(TARGETS), default="dashboard")
    ab.add_argument("--events", type=int, default=100_000, help="synthetic usage events")
    ab.add_argument("--runs", type=int, default=12, help="alternating rounds")
    ab.add_argument("--json", action="store_true", help="print JSON only")
