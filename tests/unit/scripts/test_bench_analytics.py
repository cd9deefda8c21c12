"""The analytics benchmark compares like with like: rollups and raw events give one answer."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from scripts.bench_analytics import (
    TZ,
    bench_contents,
    bench_settings,
    chunks,
    dashboard_workload,
    load_raw_frame,
    naive_workload,
    previous_period,
    with_companies,
)
from scripts.bench_clickfilter import with_visit_props
from scripts.bench_sources import with_sources
from services.analytics.synthetic import synthetic_events
from services.bootstrap import build_local_ports
from services.domain.analytics import Dim, EventType

ROOT = Path(__file__).resolve().parents[3]


def test_rollup_dashboard_equals_the_naive_pandas_one(tmp_path: Path) -> None:
    settings = bench_settings(tmp_path)
    store = build_local_ports(settings).events
    db = settings.sqlite_path
    end = date(2026, 4, 30)
    # 20 days of events: the 10-day period and its previous period both have data.
    stream = with_sources(with_visit_props(with_companies(synthetic_events(
        bench_contents(), total=4000, days=20, end=end, tz=TZ))))
    for chunk in chunks(stream, size=700):
        store.append(chunk)
    start = date(2026, 4, 21)

    fast = dashboard_workload(store, start, end)
    frames = [load_raw_frame(db, *period, TZ) for period in ((start, end),
                                                             previous_period(start, end))]
    naive = naive_workload(*frames, TZ)

    assert fast.daily == naive.daily and len(fast.daily) > 50
    assert fast.heatmap == naive.heatmap
    assert fast.by_value == naive.by_value
    assert fast.previous_daily == naive.previous_daily and fast.previous_daily
    dims = {dim for _, dim, _ in fast.by_value}
    # Every dimension was compared, zero results too; the per-item purposes and sources appear
    # once the synthetic visits carry a purpose and a source (``vp``, ``src``) as well.
    assert dims | {Dim.CONTENT_PURPOSE, Dim.CONTENT_SOURCE} == set(Dim) - {Dim.ALL}
    assert fast.by_value[EventType.VISITOR_PURPOSE, Dim.PURPOSE, "skipped"] > 0
    # Visitors come from HyperLogLog sketches: within its error of the exact count.
    assert abs(fast.visitors - naive.visitors) <= 0.02 * naive.visitors
    assert abs(fast.previous_visitors - naive.previous_visitors) <= 0.02 * naive.visitors


def test_json_output_has_the_documented_keys() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "analytics", "--sizes", "1500,3000", "--runs", "2",
         "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    result = json.loads(out.stdout)
    for key in ("dashboard_ms", "naive_ms", "ingest_events_per_s", "dashboard_ms_30d",
                "naive_ms_30d", "ratio"):
        assert set(result[key]) == {"1500", "3000"}, key
        assert all(value > 0 for value in result[key].values())
    assert "ingested" in out.stderr  # the progress line
