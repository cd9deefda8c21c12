"""The "sources" and "devices" tabs in the analytics benchmark (``scripts.bench analytics``).

``with_sources`` (``services.analytics.synthetic_sources``) gives the synthetic visits a source
and a device as the analytics service records them, so the ingest rate measured includes their
rollups. ``bench`` times both tabs' queries (median, from rollups) next to the same tables
computed naively from the raw events of the period (pandas).
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pandas as pd

from services.analytics.dashboards import Period
from services.analytics.source_stats import devices, sources
from services.analytics.synthetic import ContentRef
from services.analytics.synthetic_sources import with_sources as with_sources  # the hook
from services.analytics.tables import Catalog, CatalogItem
from services.domain.analytics import (
    CAMPAIGN_ITEM_SEP,
    UTM_CAMPAIGN_PROP,
    VISIT_SOURCE_DIMS,
    Dim,
    EventType,
)
from services.ports import EventStore

PROPS = tuple(VISIT_SOURCE_DIMS)  # the first event's properties, one per dimension
# The properties as columns of bench_analytics' raw frame (its naive dashboard counts them too).
RAW_COLUMNS = "".join(f", json_extract(properties, '$.{p}') AS {p}" for p in PROPS)
_RAW_SQL = ("SELECT ts, type, session_id, content_id, json_extract(properties, '$.visit') AS"
            " visit" + RAW_COLUMNS + " FROM events WHERE ts >= ? AND ts < ?")


def naive_by_value(frame: pd.DataFrame) -> dict[tuple[Any, ...], int]:
    """The source and device rollups, from raw events: per type of each visit's first event
    (the one with a referrer), by value; content views by campaign and item."""
    found: dict[tuple[Any, ...], int] = {}
    firsts = frame[(frame["visit"] == 1) & frame["ref"].notna()]
    for (type_,), group in firsts.groupby(["type"]):
        for prop, dim in VISIT_SOURCE_DIMS.items():
            for value, n in group[prop].dropna().value_counts().items():
                found[EventType(type_), dim, str(value)] = int(n)
    views = frame[(frame["type"] == EventType.CONTENT_VIEW.value)
                  & frame[UTM_CAMPAIGN_PROP].notna()]
    pairs = views[UTM_CAMPAIGN_PROP] + CAMPAIGN_ITEM_SEP + views["content_id"]
    for value, n in pairs.value_counts().items():
        found[EventType.CONTENT_VIEW, Dim.CAMPAIGN_CONTENT, str(value)] = int(n)
    return found


def naive_tables(frame: pd.DataFrame) -> dict[str, Any]:
    """Both tabs' numbers from raw events: each visit's earliest event, counted by value; and
    content views by campaign and item."""
    firsts = frame.sort_values("ts").groupby("session_id").first()
    found: dict[str, Any] = {p: firsts[p].dropna().value_counts() for p in PROPS}
    views = frame[(frame["type"] == EventType.CONTENT_VIEW.value)
                  & frame["utm_campaign"].notna()]
    found["campaign_items"] = views.groupby(["utm_campaign", "content_id"]).size()
    return found


def load_raw(db: Path, start: date, end: date, tz: tzinfo) -> pd.DataFrame:
    low = datetime.combine(start, dtime(0), tz).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), dtime(0), tz).astimezone(UTC)
    with closing(sqlite3.connect(db)) as connection:
        return pd.read_sql_query(_RAW_SQL, connection, params=(
            low.isoformat(timespec="microseconds"), high.isoformat(timespec="microseconds")))


def _median_ms(run: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def tabs(store: EventStore, contents: list[ContentRef], start: date, end: date,
         runs: int) -> dict[str, float]:
    """Median ms of the sources tab's and the devices tab's queries, warm."""
    catalog = Catalog(CatalogItem(c.id, c.id, c.category, c.author_id, c.author_id)
                      for c in contents)
    shown = Period(start, end)
    return {"sources_tab_ms": _median_ms(lambda: sources(store, shown, lambda: catalog), runs),
            "devices_tab_ms": _median_ms(lambda: devices(store, shown), runs)}


def bench(store: EventStore, db: Path, contents: list[ContentRef], start: date, end: date,
          tz: tzinfo, runs: int) -> dict[str, float]:
    """Median ms of each tab's query, and of the naive figure (load + compute, both tabs)."""
    result = tabs(store, contents, start, end, runs)
    result["naive_sources_devices_ms"] = _median_ms(
        lambda: naive_tables(load_raw(db, start, end, tz)), 1 if runs < 3 else 3)
    result["sources_ratio"] = result["naive_sources_devices_ms"] / (
        result["sources_tab_ms"] + result["devices_tab_ms"])
    return result


def print_result(result: dict[str, dict[str, float]]) -> None:
    if "sources_tab_ms" not in result:
        return
    print(f"{'events':>10} {'sources ms':>11} {'devices ms':>11} {'naive ms':>11} {'ratio':>7}")
    for size, value in result["sources_tab_ms"].items():
        print(f"{int(size):>10,} {value:>11.1f} {result['devices_tab_ms'][size]:>11.1f} "
              f"{result['naive_sources_devices_ms'][size]:>11,.0f} "
              f"{result['sources_ratio'][size]:>7,.0f}")
    print("sources/devices = each tab's tables for 90 days from rollups (median); naive = load "
          "the raw events and count each visit's first event with pandas (both tabs).")
