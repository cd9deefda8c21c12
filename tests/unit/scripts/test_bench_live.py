"""The live benchmark times the right answer: its naive pandas panel equals the live window's
snapshot (``bench_live`` refuses to time them otherwise), and it reports every number."""

from __future__ import annotations

from scripts.bench_live import bench_live


def test_the_live_bench_checks_and_reports() -> None:
    result = bench_live(runs=1, total=3000)
    assert result["live_window_events"] == 3000
    for key in ("live_ms", "live_naive_ms", "live_ratio", "live_sink_events_per_s"):
        assert result[key] > 0, key
