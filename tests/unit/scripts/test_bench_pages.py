"""The page benchmark's bookkeeping: like is compared with like, and the table shows each page.
(The browser part runs only as ``python -m scripts.bench pages``: it is a benchmark, not a test.)
"""

from __future__ import annotations

import argparse

import pytest

from scripts import bench_pages
from scripts.bench_pages import PLAIN_NEW, PLAIN_RELOAD
from scripts.bench_stock import STOCK_SCRIPT


def test_first_visits_are_compared_with_a_plain_first_visit_the_rest_with_a_reload() -> None:
    samples = {PLAIN_NEW: [3.0, 2.0, 2.0], PLAIN_RELOAD: [1.0, 0.5, 0.5],
               "dashboard (first visit)": [9.0, 4.0, 4.0], "dashboard (reload)": [2.0, 1.0, 1.0],
               "dashboard (period change)": [0.4, 0.3, 0.2]}
    received = {name: [2048, 1024, 1024] for name in samples}
    rows = bench_pages.summary(samples, received)
    assert rows["dashboard (first visit)"]["vs"] == PLAIN_NEW
    assert rows["dashboard (first visit)"]["ratio"] == 2.0
    assert rows["dashboard (reload)"]["ratio"] == 2.0
    assert rows["dashboard (period change)"]["ratio"] == 0.6
    assert rows["dashboard (first visit)"]["first_s"] == 9.0
    assert rows["dashboard (first visit)"]["median_s"] == 4.0
    assert rows[PLAIN_RELOAD]["received_kb"] == 1


def test_browse_and_the_dashboard_are_also_compared_with_their_stock_twins() -> None:
    samples = {PLAIN_RELOAD: [0.5], bench_pages.STOCK_BROWSE: [0.6],
               bench_pages.STOCK_DASHBOARD: [1.0], "browse": [0.9],
               "dashboard (reload)": [1.5], "home (reload)": [0.5]}
    rows = bench_pages.summary(samples, {name: [0] for name in samples})
    assert rows["browse"]["vs_twin"] == 1.5
    assert rows["dashboard (reload)"]["vs_twin"] == 1.5
    assert rows["home (reload)"]["vs_twin"] is None
    assert rows[bench_pages.STOCK_DASHBOARD]["ratio"] == 2.0  # Streamlit's own cost of it


def test_the_stock_pages_draw_what_the_benchmark_waits_for() -> None:
    """Each stock page shows the texts its app twin is awaited by, or its round never ends."""
    compile(STOCK_SCRIPT, "stock_app.py", "exec")
    for parts in (bench_pages.BROWSE, bench_pages.DASHBOARD, bench_pages.PLAIN):
        for _css, text in parts:
            assert text in STOCK_SCRIPT


def test_the_stock_browse_draws_the_apps_pager_block() -> None:
    """The twin stays a twin: its pager is the block the app draws on page 1 of 4."""
    from services.ui.pager import pager_html

    stock: dict[str, object] = {}
    exec(STOCK_SCRIPT.rsplit("PAGES = ", 1)[0], stock)
    assert stock["PAGER"] == pager_html(1, 4, 41, lambda n: f"browse?page={n}")


def test_a_page_whose_baseline_never_drew_has_no_ratio() -> None:
    rows = bench_pages.summary({"home (reload)": [1.0]}, {"home (reload)": [0]})
    assert rows["home (reload)"]["ratio"] is None


def test_the_table_lists_every_page(capsys: pytest.CaptureFixture[str]) -> None:
    samples = {PLAIN_NEW: [1.0], PLAIN_RELOAD: [0.8], "browse": [1.2]}
    rows = bench_pages.summary(samples, {name: [0] for name in samples})
    bench_pages.print_pages({"events": 100_000, "runs": 1, "failed_rounds": 0, "cpus": 2,
                             "pages": rows})
    out = capsys.readouterr().out
    assert "100,000 events" in out
    browse = next(line for line in out.splitlines() if line.startswith("browse"))
    assert "1.50x" in browse and PLAIN_RELOAD in browse


def test_bench_py_registers_the_pages_subcommand() -> None:
    parser = argparse.ArgumentParser()
    bench_pages.add_parser(parser.add_subparsers(dest="suite"))
    args = parser.parse_args(["pages", "--events", "1000", "--json"])
    assert (args.suite, args.events, args.runs, args.json) == ("pages", 1000, 5, True)


def test_the_ab_run_reports_each_side_and_b_over_a() -> None:
    from scripts import bench_ab

    result = bench_ab.summarize({"A": [1.0, 2.0, 1.0], "B": [0.5, 1.0, 0.5]})
    assert result["sides"]["A"]["median_s"] == 1.0
    assert result["sides"]["B"]["median_s"] == 0.5
    assert result["b_over_a"] == 0.5
    assert bench_ab.summarize({"A": [1.0], "B": []})["b_over_a"] is None


def test_bench_py_registers_the_ab_subcommand() -> None:
    from scripts import bench_ab

    parser = argparse.ArgumentParser()
    bench_ab.add_parser(parser.add_subparsers(dest="suite"))
    args = parser.parse_args(["ab", "--ref", "main~3", "--page", "browse"])
    assert (args.suite, args.ref, args.page, args.runs) == ("ab", "main~3", "browse", 12)
    with pytest.raises(SystemExit):
        parser.parse_args(["ab", "--page", "nowhere"])


def test_the_stock_dashboard_folds_the_insights_panel_as_the_app_does() -> None:
    """The twin's first screen has the app's folded insights panel, and no tabs or table of
    it: only the dashboard's own twelve tabs."""
    from streamlit.testing.v1 import AppTest

    from services.i18n import translate

    at = AppTest.from_string(STOCK_SCRIPT, default_timeout=30)
    at.query_params["page"] = "dashboard"
    at.run()
    assert not at.exception
    assert translate("ko", "insights.panel") in [e.label for e in at.expander]
    assert len(at.tabs) == 12 and translate("ko", "insights.drivers_title") not in [
        tab.label for tab in at.tabs]
