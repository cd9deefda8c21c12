"""The item page benchmark compares like with like for the item's funnels: the per-day step
counters and the naive pandas computation on the raw events give one answer per item."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path

from scripts.bench_analytics import (
    TZ,
    bench_contents,
    bench_settings,
    chunks,
    load_raw_frame,
)
from scripts.bench_funnels import naive_counts
from scripts.bench_itempage import measure
from services.analytics.dashboards import Period
from services.analytics.synthetic import synthetic_events
from services.bootstrap import build_local_ports
from services.domain.funnels import ITEM_FUNNELS, item_funnel, reference_counts

END = date(2026, 4, 30)


def test_item_funnel_counters_equal_the_naive_pandas_funnel(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path)
    ports = build_local_ports(settings)
    events = list(synthetic_events(bench_contents(), total=4000, days=20, end=END, tz=TZ))
    for chunk in chunks(events, size=700):
        ports.events.append(chunk)
    start = END - timedelta(days=9)
    frame = load_raw_frame(settings.sqlite_path, start, END + timedelta(days=1), TZ)
    assert ports.funnels is not None

    converted = 0
    for content in bench_contents():
        for template in ITEM_FUNNELS:
            funnel = item_funnel(template, content.id)
            counts = ports.funnels.counts(funnel.id, 2, start, END)
            assert counts == naive_counts(frame, funnel, TZ, start, END), funnel.id
            assert counts == reference_counts(funnel, events, TZ, start, END), funnel.id
            converted += counts[1]
    assert converted > 0


def test_the_benchmark_reports_the_item_funnels(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path)
    ports = build_local_ports(settings)
    ports.events.append(list(synthetic_events(bench_contents(), total=1500, days=5, end=END,
                                              tz=TZ)))

    load = partial(load_raw_frame, settings.sqlite_path, tz=TZ)
    result = measure(ports.events, load, bench_contents(), Period(END - timedelta(days=4), END),
                     2, TZ, ports.funnels)

    assert result["item_funnel_ms"] > 0 and result["naive_item_funnel_ms"] > 0
    assert result["item_funnel_equal"] == 1.0
    assert result["item_page_ms"] > 0
