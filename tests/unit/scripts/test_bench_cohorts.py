"""The returning-users benchmark compares like with like: the cohort counters and the raw
events with pandas give one answer."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from scripts.bench_analytics import TZ, bench_contents, bench_settings, chunks, with_companies
from scripts.bench_cohorts import measure, naive_retention, retention
from services.analytics.synthetic import synthetic_events
from services.bootstrap import build_local_ports


def test_counters_and_raw_events_give_one_triangle(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path)
    ports = build_local_ports(settings)
    end = date(2026, 4, 30)
    stream = with_companies(synthetic_events(bench_contents(), total=6000, days=60, end=end,
                                             tz=TZ))
    for chunk in chunks(stream, size=700):
        ports.events.append(chunk)
    start = end - timedelta(days=59)
    assert ports.cohorts is not None

    fast = retention(ports.cohorts, start, end)
    naive = naive_retention(settings.sqlite_path, start, end, TZ)

    assert fast == naive
    cohorts, days = fast
    assert len(cohorts) >= 3 and any(row.returned[0] for row in cohorts)
    assert sum(d.returning for d in days) > 0


def test_measure_reports_both_medians(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path)
    build_local_ports(settings)

    found = measure(settings, date(2026, 4, 30), 2, lambda run, runs: [run() and 1.0] * runs)

    assert set(found) == {"cohorts_ms", "naive_cohorts_ms"}
