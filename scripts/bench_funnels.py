"""Funnels in the analytics benchmark: each default funnel over 90 days (and its previous
period, as the dashboard shows it), read from the per-day step counters, next to the same
numbers computed naively in pandas from the period's raw events, in the same run.

Called by ``scripts.bench_analytics`` for every size it ingests (the funnel store is a sink of
that ingest, so its ingest rate already includes the funnels).
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from services.domain.analytics import EventType
from services.domain.funnels import DEFAULT_FUNNELS, Funnel, Step, StepKind
from services.ports import FunnelStore

DAYS = 90


def _ms(run: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _matches(frame: pd.DataFrame, step: Step) -> pd.Series:
    if step.kind is StepKind.PAGE:
        return (frame["type"] == EventType.PAGE_VIEW) & (frame["page"] == step.value)
    found = frame["type"] == step.value
    if step.category:
        found &= frame["category"] == step.category
    if step.content_id:
        found &= frame["content_id"] == step.content_id
    return found


def naive_counts(frame: pd.DataFrame, funnel: Funnel, tz: tzinfo, start: date,
                 end: date) -> list[int]:
    """The funnel from raw events: per session the first step-1 event, then for each next step
    its first event after the previous step's, inside the window (ties of equal timestamps
    aside, ``domain.funnels``' rule)."""
    frame = frame.sort_values("ts", kind="stable")
    first = frame[_matches(frame, funnel.steps[0])].groupby("session_id")["ts"].min()
    day = first.dt.tz_convert(tz).dt.date
    first = first[(day >= start) & (day <= end)]
    reached = pd.DataFrame({"t1": first, "prev": first})
    counts = [len(reached)]
    for step in funnel.steps[1:]:
        events = frame.loc[_matches(frame, step), ["session_id", "ts"]]
        joined = events.merge(reached.rename_axis("session_id").reset_index(), on="session_id")
        inside = joined[(joined["ts"] > joined["prev"])
                        & (joined["ts"] <= joined["t1"] + funnel.window)]
        prev = inside.groupby("session_id")["ts"].min()
        reached = reached.loc[prev.index].assign(prev=prev)
        counts.append(len(reached))
    return counts


def measure(funnels: FunnelStore | None, db: Path, end: date, tz: tzinfo, runs: int,
            load_raw: Any) -> dict[str, float]:
    """Median ms per default funnel (period + previous period) from counters, and naive."""
    if funnels is None:
        return {}
    start = end - timedelta(days=DAYS - 1)
    prev_end = start - timedelta(days=1)
    prev_start = prev_end - timedelta(days=DAYS - 1)
    result: dict[str, float] = {}
    for funnel in DEFAULT_FUNNELS:
        n = len(funnel.steps)

        def read(f: Funnel = funnel, n: int = n) -> tuple[list[int], list[int]]:
            return (funnels.counts(f.id, n, start, end),
                    funnels.counts(f.id, n, prev_start, prev_end))

        result[f"funnel_{funnel.id}_ms"] = _ms(read, runs)
        naive_runs = []
        for _ in range(max(1, min(runs, 3))):
            started = time.perf_counter()
            # The window may run past the period's last day: load one more day of events.
            frame = load_raw(db, start, end + timedelta(days=1), tz)
            previous = load_raw(db, prev_start, prev_end + timedelta(days=1), tz)
            expected = naive_counts(frame, funnel, tz, start, end)
            naive_counts(previous, funnel, tz, prev_start, prev_end)
            naive_runs.append((time.perf_counter() - started) * 1000)
            del frame, previous
        result[f"funnel_{funnel.id}_naive_ms"] = statistics.median(naive_runs)
        result[f"funnel_{funnel.id}_equal"] = float(read()[0] == expected)
    return result


def print_funnels(result: dict[str, dict[str, float]]) -> None:
    """One line per size and default funnel, below the analytics table."""
    if not any(key.startswith("funnel_") for key in result):
        return
    print(f"{'events':>10} {'funnel':>16} {'counters ms':>12} {'naive ms':>10} {'same':>5}")
    for funnel in DEFAULT_FUNNELS:
        fast = result.get(f"funnel_{funnel.id}_ms", {})
        for size, value in fast.items():
            naive = result[f"funnel_{funnel.id}_naive_ms"][size]
            same = "yes" if result[f"funnel_{funnel.id}_equal"][size] else "NO"
            print(f"{int(size):>10,} {funnel.id:>16} {value:>12.2f} {naive:>10,.0f} {same:>5}")
    print(f"funnel = a default funnel over {DAYS} days and its previous period, from the per-day "
          "step counters (median); naive = the same from the raw events in pandas.")
