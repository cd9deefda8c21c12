"""The page benchmark: how long a person waits for each page, in a real browser.

    python -m scripts.bench pages [--events 100000] [--runs 5] [--json]

Prepares a temporary data directory (local mode, the sample content, ``--events`` synthetic
usage events through the seeding code, an analyst made by the account service), starts the app
with ``streamlit run server.py`` on a free 127.0.0.1 port and, in the same run, a plain Streamlit
page with one plotly chart and stock Streamlit pages that draw the same elements as browse and
the dashboard (``scripts/bench_stock.py``). Chromium (Playwright) then times, for each page,
navigation (or the click) to "fully drawn": the page's own elements visible, Streamlit's script
no longer running (``data-test-script-state`` on the app root) and no stale element of an
earlier run left.

Rounds interleave the plain page and the app's pages, so that a noisy machine slows both alike;
``first`` is round one (cold caches in the app process), ``median`` and ``p95`` are over every
round. Tests never assert on time.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.bench_stock import STOCK_SCRIPT
from scripts.seed_demo import seed_events
from scripts.streamlit_server import Server, start_streamlit, stop
from services.bootstrap import build_services
from services.domain.models import SearchQuery, Sort
from services.domain.permissions import Actor, Role
from services.i18n import translate
from services.settings import Settings

if TYPE_CHECKING:  # Playwright is a development tool: imported when the benchmark runs
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"  # Debian's chromium, never a downloaded browser
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGE_TIMEOUT_MS = 90_000
ANALYST = "bench-analyst"
# Local mode whatever the shell says: the benchmark never touches a cloud account.
LOCAL_MODE = {"DEMO_FACTORY_BACKEND": "local", "DEMO_FACTORY_AUTH": "local"}
# True once the page is drawn: every (css, text) part visible, the script not running, nothing
# stale, no placeholder of an element still loading its code (a chart or table besides the
# one the parts name). The status widget fades out 200 ms after a run; the root's script state
# does not.
DRAWN_JS = """parts => {
  const root = document.querySelector('[data-testid="stApp"]');
  if (!root || root.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (root.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const shown = el => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  if (Array.from(document.querySelectorAll('[data-testid="stSkeleton"]')).some(shown)) {
    return false;
  }
  return parts.every(([css, text]) => Array.from(document.querySelectorAll(css))
    .some(el => shown(el) && (!text || el.innerText.includes(text))));
}"""


def ko(key: str, **params: object) -> str:
    """The Korean text of a message key (the benchmark's browser reads Korean)."""
    return translate("ko", key, **params)


Parts = list[tuple[str, str]]


@contextmanager
def servers(folder: Path, data_dir: Path) -> Iterator[tuple[Server, Server]]:
    plain_script = folder / "plain" / "plain_app.py"
    plain_script.parent.mkdir()
    plain_script.write_text(STOCK_SCRIPT, encoding="utf-8")
    started: list[Server] = []
    try:
        started.append(start_streamlit(ROOT / "server.py", ROOT, folder / "app.log",
                                       {**LOCAL_MODE, "DEMO_FACTORY_DATA_DIR": str(data_dir)}))
        started.append(start_streamlit(plain_script, plain_script.parent, folder / "plain.log",
                                       {}))
        yield started[0], started[1]
    finally:
        for server in started:
            stop(server)


def prepare(data_dir: Path, events: int, password: str) -> tuple[str, str]:
    """Sample content, synthetic events, the analyst and an administrator, through the app's
    own services. Returns the id and title of the most viewed item, for the content page."""
    services = build_services(Settings(data_dir=data_dir, backend="local", auth="local"))
    try:
        services.samples.ensure()
        if events:
            seed_events(services, events, days=90, seed=2026)
        cli = Actor(user_id="cli", name="command line", roles=frozenset({Role.ADMIN}))
        services.accounts.create_user(cli, ANALYST, "Bench Analyst", "bench@example.com",
                                      password, frozenset({Role.ANALYST}), temporary=False)
        # An administrator, as every deployment has one: without it every page offered to
        # create the first one (the menu's entry, home's notice), in the pictures too.
        services.accounts.create_user(cli, "bench-admin", "Bench Admin", "admin@example.com",
                                      secrets.token_urlsafe(16), frozenset({Role.ADMIN}),
                                      temporary=False)
        found = services.content.browse(SearchQuery(sort=Sort.MOST_VIEWED, page_size=1),
                                        Actor.anonymous())
        return found.items[0].id, found.items[0].title
    finally:
        services.tracker.close()


def drawn(page: Page, parts: Parts) -> None:
    page.wait_for_function(DRAWN_JS, arg=parts, polling=25, timeout=PAGE_TIMEOUT_MS)


def goto(page: Page, url: str) -> Callable[[], object]:
    return lambda: page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_MS)


def sign_in(context: BrowserContext, url: str, password: str) -> None:
    page = context.new_page()
    page.goto(f"{url}/login", timeout=PAGE_TIMEOUT_MS)
    for label, value in ((ko("auth.username"), ANALYST), (ko("auth.password"), password)):
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Tab")
    page.get_by_role("button", name=ko("auth.login_button")).click()
    drawn(page, [('[data-testid="stSidebar"]', "Bench Analyst")])
    page.close()


SETTLE_MS = 1500  # a person reads a page before clicking on it
PLAIN_NEW = "plain (first visit)"
PLAIN_RELOAD = "plain (reload)"
STOCK_BROWSE = "stock: browse's widgets"
STOCK_DASHBOARD = "stock: dashboard's elements"
# An app page and the stock page drawing the same Streamlit elements (scripts/bench_stock.py).
TWINS = {"browse": STOCK_BROWSE, "dashboard (reload)": STOCK_DASHBOARD}
PLAIN: Parts = [('[data-testid="stPlotlyChart"] .main-svg', "")]
HOME: Parts = [('[data-testid="stPageLink"]', ko("common.home_browse_all"))]
BROWSE: Parts = [("a.df-page", ko("common.next"))]  # the pager's link to the next page
DASHBOARD: Parts = [('.df-tile', ko("analytics.kpi.page_views")),
                    ('[data-testid="stPlotlyChart"] .main-svg', "")]
REPORTS: Parts = [("button", ko("reports.generate"))]


class Bench:
    """One round after another over the same two servers and browser."""

    def __init__(self, browser: Browser, app: str, plain: str, item: tuple[str, str],
                 signed_in: dict[str, Any]) -> None:
        self.browser, self.app, self.plain = browser, app, plain
        self.item, self.signed_in = item, signed_in
        self.samples: dict[str, list[float]] = {}
        self.received: dict[str, list[int]] = {}
        self._bytes = 0

    def measure(self, name: str, page: Page, action: Callable[[], object], parts: Parts) -> None:
        """Seconds from ``action`` to the page drawn, and the bytes the app sent meanwhile."""
        self._bytes = 0
        start = time.perf_counter()
        action()
        drawn(page, parts)
        self.samples.setdefault(name, []).append(time.perf_counter() - start)
        self.received.setdefault(name, []).append(self._bytes)

    def _count(self, payload: str | bytes) -> None:
        self._bytes += len(payload)

    @contextmanager
    def tab(self, signed_in: bool = False) -> Iterator[Page]:
        """A new tab in a fresh browser profile (cookies only when signed in)."""
        context = self.browser.new_context(
            viewport={"width": 1400, "height": 1000}, locale="ko-KR",
            storage_state=self.signed_in if signed_in else None)  # type: ignore[arg-type]
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        # What Streamlit sends (elements, figures, tables) travels over its websocket.
        page.on("websocket", lambda ws: ws.on("framereceived", self._count))
        try:
            yield page
        finally:
            context.close()

    def round(self) -> None:
        with self.tab() as page:
            self.measure(PLAIN_NEW, page, goto(page, self.plain), PLAIN)
            self.measure(PLAIN_RELOAD, page, page.reload, PLAIN)
            self.measure(STOCK_BROWSE, page, goto(page, f"{self.plain}/?page=browse"), BROWSE)
            self.measure(STOCK_DASHBOARD, page, goto(page, f"{self.plain}/?page=dashboard"),
                         DASHBOARD)
        with self.tab() as page:
            self.measure("home (first visit)", page, goto(page, self.app), HOME)
            self.measure("home (reload)", page, page.reload, HOME)
            self.measure("browse", page, goto(page, f"{self.app}/browse"), BROWSE)
            self.measure("content page", page,
                         goto(page, f"{self.app}/content?id={self.item[0]}"),
                         [("h1", self.item[1])])
        with self.tab(signed_in=True) as page:
            self.dashboard(page)
            self.reports(page)

    def dashboard(self, page: Page) -> None:
        self.measure("dashboard (first visit)", page, goto(page, f"{self.app}/dashboard"),
                     DASHBOARD)
        self.measure("dashboard (reload)", page, page.reload, DASHBOARD)
        period = ko("analytics.preset.days_30")
        option = page.locator('[data-testid="stButtonGroup"] button').filter(has_text=period)
        self.measure("dashboard (period change)", page, option.first.click,
                     [*DASHBOARD, ("div", "(30일)")])
        # The same change (7 days to 30) on a page a person has had a moment to read: a click
        # the very moment a page is drawn also waits for the browser to finish settling it
        # (click to message sent: 0.30 s, against 0.13 s a second and a half later).
        page.wait_for_timeout(SETTLE_MS)
        back = page.locator('[data-testid="stButtonGroup"] button').filter(
            has_text=ko("analytics.preset.days_7"))
        back.first.click()
        drawn(page, [*DASHBOARD, ("div", "(7일)")])
        page.wait_for_timeout(SETTLE_MS)
        self.measure("dashboard (period change, settled)", page, option.first.click,
                     [*DASHBOARD, ("div", "(30일)")])
        page.get_by_text(ko("dashfilter.panel"), exact=True).click()  # folded at first
        box = page.locator('[data-testid="stSelectbox"]').filter(
            has_text=ko("content.category_label"))
        drawn(page, [*DASHBOARD, ('[data-testid="stSelectbox"]', ko("content.category_label"))])
        # As a person reads the boxes before choosing: a list clicked within about 0.25 s of
        # the end of the run that drew it does not open (Chromium; not understood).
        page.wait_for_timeout(SETTLE_MS)
        box.first.click()
        choice = page.get_by_role("option", name=ko("content.category.finance"))
        self.measure("dashboard (filter change)", page, choice.first.click,
                     [*DASHBOARD, ('[data-testid="stCaptionContainer"]',
                                   ko("dashfilter.not_applied.chart_whole",
                                      filters=ko("dashfilter.kind.category")))])

    def reports(self, page: Page) -> None:
        self.measure("report page", page, goto(page, f"{self.app}/reports"), REPORTS)
        button = page.get_by_role("button", name=ko("reports.generate"))
        done = [*REPORTS, ("div", ko("reports.generated"))]
        self.measure("offline report (generate)", page, button.click, done)
        # As a person clicks it, after reading the page's choices: a click the moment the
        # page is drawn also waits for the browser to settle it (as for the period change).
        goto(page, f"{self.app}/reports")()
        drawn(page, REPORTS)
        page.wait_for_timeout(SETTLE_MS)
        self.measure("offline report (generate, settled)", page, button.click, done)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def baseline(name: str) -> str:
    """Like with like: a visit in a fresh browser profile (nothing cached) against the plain
    page in a fresh profile; everything else (reloads, pages opened in a used tab, clicks)
    against the plain page reloaded."""
    return PLAIN_NEW if name.endswith("(first visit)") or name == PLAIN_NEW else PLAIN_RELOAD


def summary(samples: dict[str, list[float]],
            received: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
    """Per page: round one, median, p95 (seconds), the ratio to its baseline's median, the ratio
    to its stock twin's median (what the app adds to Streamlit's cost of the same elements) and
    the median bytes received."""
    medians = {name: statistics.median(values) for name, values in samples.items()}
    rows: dict[str, dict[str, Any]] = {}
    for name, values in samples.items():
        base = medians.get(baseline(name))
        twin = medians.get(TWINS.get(name, ""))
        rows[name] = {"first_s": round(values[0], 3), "median_s": round(medians[name], 3),
                      "p95_s": round(p95(values), 3), "vs": baseline(name),
                      "ratio": round(medians[name] / base, 2) if base else None,
                      "vs_twin": round(medians[name] / twin, 2) if twin else None,
                      "received_kb": round(statistics.median(received[name]) / 1024),
                      "runs": len(values)}
    return rows


def rounds(bench: Bench, runs: int, app_log: Path) -> int:
    """Runs the rounds; a round that fails (a page never drawn) is reported and skipped."""
    from playwright.sync_api import Error as PlaywrightError

    failed = 0
    for number in range(runs):
        print(f"round {number + 1}/{runs}", file=sys.stderr, flush=True)
        try:
            bench.round()
        except PlaywrightError as exc:
            failed += 1
            print(f"round {number + 1} failed: {str(exc).splitlines()[0]}\n"
                  f"app log (end):\n{app_log.read_text(errors='replace')[-2000:]}",
                  file=sys.stderr, flush=True)
    return failed


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the servers


def bench_pages(events: int, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    password = "bench-" + secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        with redirect_stdout(sys.stderr):  # the seeding's report; stdout stays the result
            item = prepare(folder / "data", events, password)
        prepared_s = time.perf_counter() - started
        with servers(folder, folder / "data") as (app, plain), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            try:
                context = browser.new_context(locale="ko-KR")
                sign_in(context, app.url, password)
                state = context.storage_state()
                context.close()
                bench = Bench(browser, app.url, plain.url, item, dict(state))
                failed = rounds(bench, runs, app.log)
            finally:
                browser.close()
    return {"events": events, "runs": runs, "failed_rounds": failed,
            "prepare_s": round(prepared_s, 1), "cpus": os.cpu_count(),
            "pages": summary(bench.samples, bench.received)}


def print_pages(result: dict[str, Any]) -> None:
    print(f"{result['events']:,} events, {result['runs']} rounds "
          f"({result['failed_rounds']} failed), {result['cpus']} CPUs. Seconds from navigation "
          "(or click) to fully drawn; ratio = median / median of the plain page visited the "
          "same way; stock = median / median of the stock page drawing the same Streamlit "
          "elements; kB = websocket bytes received (median)")
    width = max([len("page"), *map(len, result["pages"])])
    print(f"{'page':<{width}} {'first':>6} {'median':>7} {'p95':>6} {'ratio':>6} {'stock':>6} "
          f"{'kB':>6}  vs")
    for name, row in result["pages"].items():
        print(f"{name:<{width}} {row['first_s']:>6.2f} {row['median_s']:>7.2f} "
              f"{row['p95_s']:>6.2f} {_times(row['ratio'])} {_times(row.get('vs_twin'))} "
              f"{row['received_kb']:>6}  {row['vs']}")


def _times(ratio: float | None) -> str:
    return f"{ratio:>5.2f}x" if ratio is not None else f"{'-':>6}"


def run(args: Any) -> None:
    result = bench_pages(args.events, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_pages(result)


def add_parser(sub: Any) -> None:
    """Register ``pages`` on bench.py's subcommands."""
    pages = sub.add_parser("pages", help="pages in a real browser vs a plain Streamlit page",
                           description=textwrap.dedent(__doc__ or "").strip(),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    pages.add_argument("--events", type=int, default=100_000, help="synthetic usage events")
    pages.add_argument("--runs", type=int, default=5, help="rounds (median, p95)")
    pages.add_argument("--json", action="store_true", help="print JSON only")
