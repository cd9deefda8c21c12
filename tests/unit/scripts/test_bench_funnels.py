"""The funnel benchmark compares like with like: the per-day step counters and the naive pandas
computation on the raw events give one answer for every default funnel."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from scripts.bench_analytics import (
    TZ,
    bench_contents,
    bench_settings,
    chunks,
    load_raw_frame,
    with_companies,
)
from scripts.bench_funnels import measure, naive_counts
from services.analytics.synthetic import synthetic_events
from services.bootstrap import build_local_ports
from services.domain.funnels import DEFAULT_FUNNELS, reference_counts


def test_counters_equal_the_naive_pandas_funnel(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path)
    ports = build_local_ports(settings)
    end = date(2026, 4, 30)
    events = list(with_companies(synthetic_events(bench_contents(), total=4000, days=20,
                                                  end=end, tz=TZ)))
    for chunk in chunks(events, size=700):
        ports.events.append(chunk)
    start = end - timedelta(days=9)
    frame = load_raw_frame(settings.sqlite_path, start, end, TZ)
    assert ports.funnels is not None

    for funnel in DEFAULT_FUNNELS:
        counts = ports.funnels.counts(funnel.id, len(funnel.steps), start, end)
        assert counts == naive_counts(frame, funnel, TZ, start, end), funnel.id
        assert counts == reference_counts(funnel, events, TZ, start, end), funnel.id
        assert counts[0] > counts[-1] > 0, funnel.id


def test_the_benchmark_reports_each_default_funnel(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path)
    ports = build_local_ports(settings)
    end = date(2026, 4, 30)
    ports.events.append(list(synthetic_events(bench_contents(), total=1500, days=5, end=end,
                                              tz=TZ)))

    result = measure(ports.funnels, settings.sqlite_path, end, TZ, 2, load_raw_frame)

    for funnel in DEFAULT_FUNNELS:
        assert result[f"funnel_{funnel.id}_ms"] > 0
        assert result[f"funnel_{funnel.id}_naive_ms"] > 0
        assert result[f"funnel_{funnel.id}_equal"] == 1.0
