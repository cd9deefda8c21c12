"""Click to filter in the analytics benchmark: the dashboard under a segment filter (visit
purpose, hour) and under the item filter, next to the same numbers computed naively from the
period's raw events with pandas, in the same run.

``with_visit_props`` gives the synthetic events the visit properties real ones carry (purpose
once answered, source, device), so ingest is measured with every segment key an event adds.
"""

from __future__ import annotations

import statistics
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from services.analytics.dashboards import Period, dashboard
from services.analytics.synthetic import ContentRef
from services.analytics.tables import Catalog, CatalogItem, Filters
from services.domain.analytics import (
    DEVICE_PROP,
    SOURCE_LABEL_PROP,
    VISIT_PURPOSE_PROP,
    Dim,
    Event,
    EventType,
    Purpose,
    Segment,
    SegmentKind,
    segment_value,
)
from services.domain.rollups import SEGMENT_CONTENT_DIMS, segment_content
from services.ports import EventStore

SOURCES = ("direct", "google", "naver", "linkedin", "newsletter")
DEVICES = ("desktop", "desktop", "mobile", "tablet", "bot")
PURPOSES = [p.value for p in Purpose if p is not Purpose.SKIPPED]
CONTENT_TYPES = {EventType.CONTENT_VIEW, EventType.LIKE, EventType.UNLIKE, EventType.DOWNLOAD}
FILTERS = {"seg_purpose": Filters(segment=Segment(SegmentKind.PURPOSE, "research")),
           "seg_hour": Filters(segment=Segment(SegmentKind.HOUR, "10")),
           "item": Filters(content_id="content-001")}
# The visit properties, as columns of the naive benchmark's raw-events query.
RAW_COLUMNS = (", json_extract(properties, '$.vp') AS vp,"
               " json_extract(properties, '$.src') AS src,"
               " json_extract(properties, '$.dev') AS dev")


def with_visit_props(events: Iterable[Event]) -> Iterator[Event]:
    """Each session's source and device, and for two visits in three a purpose."""
    for event in events:
        number = zlib.crc32(event.session_id.encode())
        props = {SOURCE_LABEL_PROP: SOURCES[number % len(SOURCES)],
                 DEVICE_PROP: DEVICES[number // 7 % len(DEVICES)]}
        if number % 3:
            props[VISIT_PURPOSE_PROP] = PURPOSES[number // 11 % len(PURPOSES)]
        yield replace(event, properties={**event.properties, **props})


def naive_segments(frame: pd.DataFrame, local: pd.Series) -> dict[tuple[Any, ...], int]:
    """The segment rollups (``Dim.SEGMENT`` and ``SEGMENT_CONTENT_DIMS``) from raw events."""
    found: dict[tuple[Any, ...], int] = {}
    kinds = {SegmentKind.HOUR: local.dt.hour.astype(str), SegmentKind.PURPOSE: frame["vp"],
             SegmentKind.SOURCE: frame["src"], SegmentKind.DEVICE: frame["dev"]}
    content = frame["type"].isin(list(CONTENT_TYPES)) & frame["content_id"].notna()
    for kind, values in kinds.items():
        present = values.notna() & (values != "")
        # Content events count per item only; the hour's totals are the hourly rows.
        alone = present & ~content
        segment = values[alone].map(lambda v, k=kind: segment_value(k, v))
        for (type_, value), n in frame.loc[alone, "type"].groupby(
                [frame.loc[alone, "type"], segment]).size().items():
            if kind is not SegmentKind.HOUR:
                found[EventType(type_), Dim.SEGMENT, value] = int(n)
        both = present & content
        keys = [segment_content(segment_value(kind, v), c) for v, c in
                zip(values[both], frame.loc[both, "content_id"], strict=True)]
        for (type_, value), n in frame.loc[both, "type"].groupby(
                [frame.loc[both, "type"], pd.Series(keys, index=values[both].index)]
        ).size().items():
            found[EventType(type_), SEGMENT_CONTENT_DIMS[kind], value] = int(n)
    return found


def _catalog(contents: list[ContentRef]) -> Catalog:
    return Catalog(CatalogItem(c.id, c.id, c.category, c.author_id, c.author_id)
                   for c in contents)


def _naive(load: Callable[[date, date], pd.DataFrame], start: date, end: date,
           filters: Filters, tz: tzinfo) -> None:
    """Load the period's raw events, keep the filter's, count per day, type and item."""
    frame = load(start, end)
    segment = filters.segment
    if segment is not None and segment.kind is SegmentKind.HOUR:
        frame = frame[frame["ts"].dt.tz_convert(tz).dt.hour == int(segment.value)]
    elif segment is not None:
        column = {SegmentKind.PURPOSE: "vp", SegmentKind.SOURCE: "src",
                  SegmentKind.DEVICE: "dev"}[segment.kind]
        frame = frame[frame[column] == segment.value]
    if filters.content_id:
        frame = frame[frame["content_id"] == filters.content_id]
    frame.groupby([frame["ts"].dt.date, "type"]).size()
    frame.groupby(["type", "content_id"]).size()


def timings(store: EventStore, db: Path, contents: list[ContentRef], runs: int,
            load: Callable[[Path, date, date], pd.DataFrame], end: date,
            tz: tzinfo) -> dict[str, float]:
    """Median milliseconds of each filtered dashboard (90 and 30 days) and of the naive
    figure of the same filter."""
    catalog = _catalog(contents)
    result: dict[str, float] = {}
    for days, suffix in ((90, ""), (30, "_30d")):
        period = Period(end - timedelta(days=days - 1), end)
        for name, filters in FILTERS.items():
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                dashboard(store, None, period, filters, catalog=catalog)  # type: ignore[arg-type]
                samples.append((time.perf_counter() - started) * 1000)
            result[f"{name}_ms{suffix}"] = statistics.median(samples)
            started = time.perf_counter()
            _naive(lambda s, e: load(db, s, e), period.start, period.end, filters, tz)
            result[f"{name}_naive_ms{suffix}"] = (time.perf_counter() - started) * 1000
    return result


def print_rows(result: dict[str, dict[str, float]]) -> None:
    names = [f"{name}_ms{suffix}" for suffix in ("", "_30d") for name in FILTERS]
    present = [n for n in names if n in result]
    if not present:
        return
    print(f"{'events':>10} " + " ".join(f"{n.removesuffix('_ms'):>16}" for n in present))
    for size in result[present[0]]:
        cells = [f"{result[n][size]:.1f} ({result[n.replace('_ms', '_naive_ms')][size]:,.0f})"
                 for n in present]
        print(f"{int(size):>10,} " + " ".join(f"{c:>16}" for c in cells))
    print("click filters: dashboard ms with a segment (purpose, hour) or item filter, 90 and "
          "30 days (naive pandas ms in brackets).")
