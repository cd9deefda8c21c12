"""The report benchmark runs end to end on a little data and reports every step."""

from __future__ import annotations

import argparse

from scripts import bench_report


def test_bench_report_times_each_step_for_each_period() -> None:
    result = bench_report.bench_report([2, 3], runs=1, per_day=40)
    assert result["events"] > 0
    for metric in ("context_ms", "narrative_ms", "pdf_ms", "pdf_cpu_ms", "total_ms",
                   "pdf_cold_ms", "pdf_kb"):
        assert set(result[metric]) == {"2", "3"}, metric
        assert all(value > 0 for value in result[metric].values()), metric
    assert result["unmatched"] == {"2": 0.0, "3": 0.0}  # the offline narrator is grounded


def test_bench_py_registers_the_report_subcommand() -> None:
    parser = argparse.ArgumentParser()
    bench_report.add_parser(parser.add_subparsers(dest="suite"))
    args = parser.parse_args(["report", "--days", "30", "--json"])
    assert (args.suite, args.days, args.runs, args.json) == ("report", "30", 3, True)
