"""A load run with real browsers: N concurrent sessions doing what people do, for M minutes.

    python -m scripts.load [--sessions 20] [--minutes 2] [--url URL] [--json]

Without ``--url`` it starts the app itself (local mode, sample content, a temporary data folder,
four users) on 127.0.0.1 and also samples the server's memory and CPU time. Each session is a
browser context in Debian's chromium: visitors browse, search, open items and like them; an analyst
opens the dashboard and changes the period; one session generates an offline report. A page
counts as drawn when its element is visible and Streamlit has stopped running (the status
widget gone). Prints errors, p50/p95 draw times per step, the server's memory, and the share
of the machine's CPU the server used (the browsers run on the same machine). Not a test:
it only ever talks to the address it is given, with bounded time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, Locator, Page, async_playwright

from scripts.streamlit_server import start_streamlit, stop
from services.bootstrap import build_services
from services.domain.permissions import Actor, Role
from services.i18n import translate
from services.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUNNING = '[data-testid="stStatusWidget"]'
SEARCHES = ("Bedrock", "생성형", "데모", "Amazon Q", "보안")
ROLES = {"viewer": Role.VIEWER, "author": Role.AUTHOR, "analyst": Role.ANALYST,
         "admin": Role.ADMIN}
CLI = Actor(user_id="load", name="load run", roles=frozenset({Role.ADMIN}))
COOKIE = str(Settings.model_fields["cookie_name"].default)


def tr(key: str) -> str:
    return translate("ko", key)


@dataclass
class Results:
    draws: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    memory_mb: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        steps = {
            step: {"n": len(times), "p50_s": round(statistics.median(times), 3),
                   "p95_s": round(_p95(times), 3)}
            for step, times in sorted(self.draws.items())
        }
        everything = [t for times in self.draws.values() for t in times]
        return {
            "pages_drawn": len(everything),
            "errors": len(self.errors),
            "error_samples": self.errors[:10],
            "p50_s": round(statistics.median(everything), 3) if everything else None,
            "p95_s": round(_p95(everything), 3) if everything else None,
            "steps": steps,
            "server_memory_mb": {"start": self.memory_mb[0], "peak": max(self.memory_mb),
                                 "end": self.memory_mb[-1]} if self.memory_mb else None,
            "cpu": self.cpu or None,
        }


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


# ---- the app under load ------------------------------------------------------------------------


@contextmanager
def local_app(password: str) -> Iterator[tuple[str, int]]:
    """The app on 127.0.0.1 with sample content and one user per role; (url, server pid)."""
    with tempfile.TemporaryDirectory(prefix="df-load-") as tmp:
        data = Path(tmp) / "data"
        services = build_services(Settings(data_dir=data, sample_content=True))
        services.samples.ensure()
        for name, role in ROLES.items():
            services.accounts.create_user(CLI, name, name, f"{name}@example.com", password,
                                          frozenset({role}), temporary=False)
        services.tracker.close()
        server = start_streamlit(ROOT / "server.py", ROOT, Path(tmp) / "streamlit.log",
                                 {"DEMO_FACTORY_DATA_DIR": str(data)})
        try:
            yield server.url, server.proc.pid
        finally:
            stop(server)


def rss_mb(pid: int) -> float | None:
    """Resident memory of the server process (Linux /proc), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@dataclass(frozen=True)
class CpuClock:
    """CPU time so far (Linux /proc): the server process's, and the whole machine's busy and
    total time, in seconds. Two readings tell whether the server or the browsers used the
    cores: the browsers share the machine, so draw times alone cannot say."""

    server_s: float | None
    busy_s: float
    total_s: float

    @classmethod
    def read(cls, pid: int | None) -> CpuClock:
        tick = os.sysconf("SC_CLK_TCK")
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
        return cls(_process_cpu_s(pid, tick), (sum(fields) - idle) / tick, sum(fields) / tick)

    def since(self, start: CpuClock) -> dict[str, float]:
        total = self.total_s - start.total_s
        busy = round((self.busy_s - start.busy_s) / total, 3)
        found = {"machine_busy_share": busy}
        if self.server_s is not None and start.server_s is not None:
            used = self.server_s - start.server_s
            # The process's and the machine's counters are read moments apart and accounted
            # apart: the server's share came out at 0.519 of a machine busy 0.494 once.
            found |= {"server_cpu_s": round(used, 1),
                      "server_share_of_machine": min(round(used / total, 3), busy)}
        return found


def _process_cpu_s(pid: int | None, tick: int) -> float | None:
    """User and system time of the process and all its threads."""
    if pid is None:
        return None
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(after_name[11]) + int(after_name[12])) / tick  # utime, stime


# ---- what a session does -----------------------------------------------------------------------


async def drawn(page: Page, target: str | Locator, timeout_s: float = 60) -> None:
    """Until ``target`` is visible and Streamlit has not been running for 300 ms."""
    found = page.locator(target) if isinstance(target, str) else target
    await found.first.wait_for(state="visible", timeout=timeout_s * 1000)
    quiet_since = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await page.locator(RUNNING).count():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 0.3:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the page kept running")


async def timed(results: Results, step: str, action: Callable[[], Awaitable[None]]) -> None:
    started = time.monotonic()
    try:
        await action()
    except Exception as exc:  # a load run reports failures, it does not stop at the first
        results.errors.append(f"{step}: {type(exc).__name__}: {str(exc)[:160]}")
        return
    results.draws[step].append(time.monotonic() - started)


async def sign_in(page: Page, url: str, username: str, password: str) -> None:
    """Sign in, then wait for the remember-me cookie: the next page a session opens by its
    address is a new Streamlit session, signed in only through that cookie."""
    await page.goto(f"{url}/login")
    await page.get_by_label(tr("auth.username"), exact=True).fill(username)
    await page.get_by_label(tr("auth.password"), exact=True).fill(password)
    await page.get_by_role("button", name=tr("auth.login_button")).click()
    await drawn(page, '[data-testid="stSidebarNav"]')
    deadline = time.monotonic() + 90
    while not any(c["name"] == COOKIE for c in await page.context.cookies()):
        if time.monotonic() > deadline:
            raise TimeoutError("no sign-in cookie was written")
        await asyncio.sleep(0.1)


async def visitor(page: Page, url: str, results: Results, turn: int) -> None:
    cards = page.get_by_role("link", name=tr("content.open"))

    async def home() -> None:
        await page.goto(url)
        await drawn(page, cards)

    async def browse_and_search() -> None:
        await page.goto(f"{url}/browse")
        box = page.get_by_placeholder(tr("content.search_placeholder"))
        await box.fill(SEARCHES[turn % len(SEARCHES)])
        await box.press("Enter")
        await drawn(page, cards)

    async def open_item() -> None:
        await page.goto(f"{url}/browse")
        await drawn(page, cards)
        links = cards
        await links.nth(turn % max(1, await links.count())).click()
        await drawn(page, "h1")

    await timed(results, "home", home)
    await timed(results, "browse+search", browse_and_search)
    await timed(results, "content", open_item)


async def analyst(page: Page, url: str, results: Results, turn: int) -> None:
    async def dashboard() -> None:
        await page.goto(f"{url}/dashboard")
        await drawn(page, '.df-tile')

    await timed(results, "dashboard", dashboard)


async def reporter(page: Page, url: str, results: Results) -> None:
    async def report() -> None:
        await page.goto(f"{url}/reports")
        button = page.get_by_role("button", name=tr("reports.generate"))
        await button.first.click(timeout=120_000)
        await page.get_by_text(tr("reports.generated")).first.wait_for(timeout=120_000)

    await timed(results, "report", report)


async def session(browser: Browser, index: int, url: str, password: str, until: float,
                  results: Results) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1100},
                                        locale="ko-KR")
    context.set_default_timeout(60_000)
    page = await context.new_page()
    role = ("analyst" if index % 5 == 1 else "viewer") if index else "analyst"
    try:
        await timed(results, "sign-in", lambda: sign_in(page, url, role, password))
        if index == 0:
            await reporter(page, url, results)
        turn = index
        while time.monotonic() < until:
            if role == "analyst":
                await analyst(page, url, results, turn)
            await visitor(page, url, results, turn)
            turn += 1
    finally:
        await context.close()


async def run(url: str, sessions: int, minutes: float, password: str, pid: int | None,
              results: Results) -> None:
    until = time.monotonic() + minutes * 60
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        sampler = asyncio.create_task(_sample_memory(pid, until, results))
        clock = CpuClock.read(pid)
        await asyncio.gather(*(session(browser, i, url, password, until, results)
                               for i in range(sessions)))
        results.cpu = CpuClock.read(pid).since(clock)
        sampler.cancel()
        await browser.close()


async def _sample_memory(pid: int | None, until: float, results: Results) -> None:
    while pid is not None and time.monotonic() < until + 60:
        found = rss_mb(pid)
        if found is not None:
            results.memory_mb.append(round(found, 1))
        await asyncio.sleep(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.load",
                                     description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--url", help="a running app (its users: viewer, analyst; --password)")
    parser.add_argument("--password", help="the users' password (with --url)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = Results()
    if args.url:
        if not args.password:
            parser.error("--url needs --password")
        asyncio.run(run(args.url.rstrip("/"), args.sessions, args.minutes, args.password,
                        None, results))
    else:
        password = secrets.token_urlsafe(16)
        with local_app(password) as (url, pid):
            results.memory_mb.append(round(rss_mb(pid) or 0.0, 1))
            asyncio.run(run(url, args.sessions, args.minutes, password, pid, results))
    summary = {"sessions": args.sessions, "minutes": args.minutes, **results.summary()}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _print(summary)
    return 0 if not results.errors else 1


def _print(summary: dict[str, object]) -> None:
    print(f"{summary['sessions']} sessions for {summary['minutes']} min: "
          f"{summary['pages_drawn']} pages drawn, {summary['errors']} errors; "
          f"p50 {summary['p50_s']} s, p95 {summary['p95_s']} s")
    steps = summary["steps"]
    assert isinstance(steps, dict)
    for step, figures in steps.items():
        print(f"  {step:<14} n={figures['n']:<5} p50 {figures['p50_s']:>6} s   "
              f"p95 {figures['p95_s']:>6} s")
    if summary.get("server_memory_mb"):
        print(f"  server memory (MB): {summary['server_memory_mb']}")
    cpu = summary.get("cpu")
    if isinstance(cpu, dict):
        server = (f"server {cpu['server_cpu_s']} CPU-s, {cpu['server_share_of_machine']:.0%} of "
                  "the machine; " if "server_cpu_s" in cpu else "")
        print(f"  cpu: {server}machine busy {cpu['machine_busy_share']:.0%}")
    for sample in summary["error_samples"]:  # type: ignore[attr-defined]
        print(f"  error: {sample}")


if __name__ == "__main__":
    raise SystemExit(main())
