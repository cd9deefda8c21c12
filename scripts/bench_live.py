"""The "now" panel's benchmark: a live snapshot vs the same numbers from raw events (pandas).

Called by ``scripts.bench analytics`` (``bench_analytics``): a local SQLite store in a
temporary folder gets ``WINDOW_EVENTS`` events over the 30 minutes before the run starts,
through the same ingest path as the app (the event store, then the live window sink). Then, in
the same run: the snapshot's median time (``LiveWindow.snapshot``), and the naive figure:
load the raw events of those 30 minutes into a DataFrame and compute the same numbers. Both
answers are compared, so the benchmark never times a wrong result.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from services.analytics.ingest import SinkedEventStore
from services.bootstrap import build_local_ports
from services.domain.analytics import Event, EventType
from services.domain.live import ITEM_TYPES, LiveSnapshot, minute_of, window_minutes
from services.domain.live import window_start as live_window_start
from services.domain.models import utcnow
from services.settings import Settings

WINDOW_EVENTS = 20_000
VISITORS = 2_000
BATCH = 500  # about what the tracker writes at once
_TYPES = (EventType.PAGE_VIEW, EventType.PAGE_VIEW, EventType.CONTENT_VIEW,
          EventType.CONTENT_VIEW, EventType.SEARCH, EventType.LIKE, EventType.DOWNLOAD)
_PAGES = ("home", "item", "browse", "search", "category_finance", "dashboard")


def live_events(now: datetime, total: int = WINDOW_EVENTS, seed: int = 5) -> list[Event]:
    """``total`` events of ``VISITORS`` visitors over the 30 minutes before ``now``, in time
    order (the same events, relative to ``now``, on every run)."""
    rng = random.Random(seed)
    events = []
    for i in range(total):
        type_ = rng.choice(_TYPES)
        visitor = rng.randrange(VISITORS)
        events.append(Event(
            id=f"live{i:08d}", ts=now - timedelta(seconds=rng.uniform(0, 1800)), type=type_,
            session_id=f"s{visitor}", user_id=f"u{visitor}" if visitor % 3 == 0 else None,
            page=rng.choice(_PAGES) if type_ == EventType.PAGE_VIEW else None,
            content_id=f"content-{rng.randrange(48):03d}" if type_ in ITEM_TYPES else None,
        ))
    return sorted(events, key=lambda e: e.ts)


def _frame(db: Path, now: datetime) -> pd.DataFrame:
    low = minute_of(live_window_start(now)).isoformat(timespec="microseconds")
    with closing(sqlite3.connect(db)) as connection:
        frame = pd.read_sql_query(
            "SELECT id, ts, type, session_id, user_id, page, content_id FROM events"
            " WHERE ts >= ? AND sample = 0", connection, params=(low,))
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    return frame


def _latest(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    found = frame[frame[column].notna()].sort_values(["ts", "id"])
    return found.groupby("visitor")[["ts", column]].last()


def naive_snapshot(db: Path, now: datetime) -> LiveSnapshot:
    """The same numbers from the raw events, as a naive panel would compute them."""
    raw = _frame(db, now)
    start = live_window_start(now)
    minutes = window_minutes(now)
    per_minute = raw["ts"].dt.floor("min").value_counts()
    counts = {m: int(per_minute.get(pd.Timestamp(m), 0)) for m in minutes}
    window = raw[(raw["ts"] > start) & (raw["ts"] <= now)].copy()
    window["visitor"] = window["session_id"]  # a browser's visit, signed in or not
    last = window.groupby("visitor")["ts"].max()
    pages = window[window["type"] == EventType.PAGE_VIEW]
    items = window[window["type"].isin([str(t) for t in ITEM_TYPES])]
    page_of = _latest(pages, "page")
    item_of = _latest(items, "content_id").join(page_of["ts"].rename("page_ts"))
    on_item = item_of[item_of["page_ts"].isna() | (item_of["ts"] >= item_of["page_ts"])]
    return LiveSnapshot(
        now=now,
        active_5=int((last > now - timedelta(minutes=5)).sum()),
        active_30=len(last),
        pages={str(k): int(v) for k, v in page_of["page"].value_counts().items()},
        items={str(k): int(v) for k, v in on_item["content_id"].value_counts().items()},
        per_minute=tuple(counts.items()),
    )


def _timed(run: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_live(runs: int, total: int = WINDOW_EVENTS) -> dict[str, float]:
    """Median snapshot ms with ``total`` events in the window, the naive pandas ms, and the
    live sink's own ingest rate (events/s). The app's local ports, on the wall clock: the live
    window takes only the last minutes."""
    print(f"  live window: {total:,} events in 30 minutes", file=sys.stderr)
    now = utcnow()
    events = live_events(now, total)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), sample_content=False, event_retention_days=3650)
        ports = build_local_ports(settings)
        live, store = ports.live, ports.events
        assert live is not None and isinstance(store, SinkedEventStore)
        sink_s = 0.0
        for i in range(0, len(events), BATCH):
            store.inner.append(events[i : i + BATCH])
            started = time.perf_counter()
            live.ingest(events[i : i + BATCH])  # what SinkedEventStore.append does next
            sink_s += time.perf_counter() - started
        if live.snapshot(now) != naive_snapshot(settings.sqlite_path, now):
            raise AssertionError("the live snapshot and the raw events disagree")
        fast = _timed(lambda: live.snapshot(now), runs)
        naive = _timed(lambda: naive_snapshot(settings.sqlite_path, now), max(1, min(runs, 3)))
    return {"live_window_events": total, "live_ms": fast, "live_naive_ms": naive,
            "live_ratio": naive / fast, "live_sink_events_per_s": total / sink_s}


def print_live(result: dict[str, dict[str, float]]) -> None:
    """The live lines below the analytics table, one per size (the window holds at most
    ``WINDOW_EVENTS`` of them)."""
    for size in result.get("live_ms", {}):
        print(f"live now, {int(result['live_window_events'][size]):,} events in the 30-minute "
              f"window: snapshot {result['live_ms'][size]:.1f} ms (median) vs naive pandas "
              f"{result['live_naive_ms'][size]:,.0f} ms ({result['live_ratio'][size]:,.0f}x);"
              f" live sink ingest {result['live_sink_events_per_s'][size]:,.0f} events/s")
