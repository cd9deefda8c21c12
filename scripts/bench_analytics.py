"""The analytics benchmark: dashboards from rollups vs the same numbers from raw events (pandas).

    python -m scripts.bench analytics [--json] [--sizes 100000,1000000,5000000] [--runs 7]

For each size, synthetic events over 90 days are streamed (generated and ingested in chunks,
never all in memory) into a local SQLite EventStore in a temporary directory. Then, in the same
run: every number a dashboard shows for the last 30 and 90 days, read from rollups and visitor
sketches (``dashboard_workload``), and the same numbers computed naively by loading the raw
events of the period into a DataFrame (``naive_workload``). The unit tests check that both give
the same answers.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from scripts import (
    bench_clickfilter,
    bench_cohorts,
    bench_digests,
    bench_funnels,
    bench_itempage,
    bench_live,
    bench_periodsums,
    bench_sources,
)
from services.analytics.dashboards import Period
from services.analytics.synthetic import ContentRef, synthetic_events
from services.bootstrap import build_local_ports
from services.domain.analytics import (
    COMPANY_PROP,
    FROM_PROFILE,
    SEARCH_TERM_MAX,
    SOURCE_PROP,
    VISIT_PROP,
    Dim,
    Event,
    EventType,
    Purpose,
)
from services.domain.models import Category
from services.ports import EventStore
from services.settings import Settings

TZ = ZoneInfo("Asia/Seoul")
END = date(2026, 9, 30)  # fixed, so that every run measures the same events
DAYS = 90
CHUNK = 20_000
CONTENT_TYPES = (EventType.CONTENT_VIEW, EventType.LIKE, EventType.UNLIKE, EventType.DOWNLOAD)
_CONTENT_DIMS = {Dim.CONTENT: "content_id", Dim.CATEGORY: "category", Dim.AUTHOR: "author_id"}

Totals = dict[tuple[Any, ...], int]


@dataclass(frozen=True)
class DashboardNumbers:
    """Everything a dashboard shows for a period, as plain counts."""

    daily: Totals  # (local day, type) -> events
    heatmap: Totals  # (local weekday, local hour) -> page views
    by_value: Totals  # (type, dim, value) -> events in the period (dims other than ALL)
    visitors: int
    previous_daily: Totals  # (type,) -> events in the previous period of equal length
    previous_visitors: int


def bench_contents(n: int = 48) -> list[ContentRef]:
    categories = list(Category)
    return [ContentRef(f"content-{i:03d}", categories[i % len(categories)], f"author-{i % 12}")
            for i in range(n)]


def previous_period(start: date, end: date) -> tuple[date, date]:
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


# ---- the dashboard, from rollups ----------------------------------------------------------------


def dashboard_workload(store: EventStore | Any, start: date, end: date) -> DashboardNumbers:
    """Reads what the dashboards read: day rows of every type and dimension, hourly rows of
    page views, the period's visitors, and the previous period's totals and visitors."""
    daily: Counter[tuple[Any, ...]] = Counter()
    by_value: Counter[tuple[Any, ...]] = Counter()
    for row in store.rollups(start, end):
        key = row.key
        if key.dim == Dim.ALL:
            daily[key.day, key.type] += row.count
        else:
            by_value[key.type, key.dim, key.value] += row.count
    heatmap: Counter[tuple[Any, ...]] = Counter()
    for row in store.rollups(start, end, types=[EventType.PAGE_VIEW], hourly=True):
        heatmap[row.key.day.weekday(), row.key.hour] += row.count
    prev_start, prev_end = previous_period(start, end)
    previous: Counter[tuple[Any, ...]] = Counter()
    for row in store.rollups(prev_start, prev_end, dims=[Dim.ALL]):
        previous[(row.key.type,)] += row.count
    return DashboardNumbers(
        dict(daily), dict(heatmap), dict(by_value),
        store.visitors(start, end).estimate(), dict(previous),
        store.visitors(prev_start, prev_end).estimate(),
    )


# ---- the same, naively from raw events with pandas ----------------------------------------------

_RAW_SQL = (
    "SELECT ts, type, session_id, user_id, page, content_id, category, author_id,"
    " json_extract(properties, '$.query') AS query,"
    " json_extract(properties, '$.results') AS results,"
    " json_extract(properties, '$.purpose') AS purpose,"
    " json_extract(properties, '$.source') AS source,"
    " json_extract(properties, '$.company') AS company,"
    " json_extract(properties, '$.visit') AS visit,"
    " json_extract(properties, '$.vp') AS vp,"
    " json_extract(properties, '$.src') AS src"
    + bench_sources.RAW_COLUMNS +
    " FROM events WHERE ts >= ? AND ts < ?"
)


def bench_settings(folder: Path) -> Settings:
    """Local mode in ``folder``, in the benchmark's zone, keeping every synthetic event."""
    return Settings(data_dir=folder, sample_content=False, timezone=str(TZ),
                    event_retention_days=3650)


def load_raw_frame(db: Path, start: date, end: date, tz: tzinfo) -> pd.DataFrame:
    """The raw events of local days start..end, as a DataFrame (what a naive dashboard loads),
    read with a plain SQLite connection to the app's file."""
    low = datetime.combine(start, dtime(0), tz).astimezone(UTC).isoformat(timespec="microseconds")
    high = datetime.combine(end + timedelta(days=1), dtime(0), tz).astimezone(UTC)
    with closing(sqlite3.connect(db)) as connection:
        frame = pd.read_sql_query(_RAW_SQL, connection,
                                  params=(low, high.isoformat(timespec="microseconds")))
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="ISO8601")
    return frame


def naive_workload(current: pd.DataFrame, previous: pd.DataFrame, tz: tzinfo) -> DashboardNumbers:
    local = current["ts"].dt.tz_convert(tz)
    day = local.dt.date
    daily = current.groupby([day, current["type"]]).size()
    views = current["type"] == EventType.PAGE_VIEW
    heatmap = current[views].groupby([local[views].dt.day_of_week, local[views].dt.hour]).size()
    previous_daily = previous.groupby("type").size()
    return DashboardNumbers(
        daily={(d, EventType(t)): int(n) for (d, t), n in daily.items()},
        heatmap={(int(w), int(h)): int(n) for (w, h), n in heatmap.items()},
        by_value={**_naive_by_value(current), **bench_itempage.naive_item_values(current, tz),
                  **bench_clickfilter.naive_segments(current, local)},
        visitors=_distinct_visitors(current),
        previous_daily={(EventType(t),): int(n) for t, n in previous_daily.items()},
        previous_visitors=_distinct_visitors(previous),
    )


def _naive_by_value(frame: pd.DataFrame) -> Totals:
    found: Totals = {}

    def add(type_: str, dim: Dim, values: pd.Series) -> None:
        for value, n in values.value_counts().items():
            if value:  # rollup_keys skips empty values too
                found[EventType(type_), dim, str(value)] = int(n)

    content = frame[frame["type"].isin(CONTENT_TYPES)]
    for (type_,), group in content.groupby(["type"]):
        for dim, column in _CONTENT_DIMS.items():
            add(type_, dim, group[column].dropna())
    pages = frame[frame["type"] == EventType.PAGE_VIEW]
    add(EventType.PAGE_VIEW, Dim.PAGE, pages["page"].dropna())
    asked = (frame["type"] == EventType.VISITOR_PURPOSE) & (frame["source"] != FROM_PROFILE)
    add(EventType.VISITOR_PURPOSE, Dim.PURPOSE,
        frame.loc[asked, "purpose"].fillna("").replace("", Purpose.SKIPPED.value))
    profile = (frame["type"] == EventType.VISITOR_PURPOSE) & (frame["source"] == FROM_PROFILE)
    add(EventType.VISITOR_PURPOSE, Dim.SIGNUP_PURPOSE, frame.loc[profile, "purpose"])
    for type_ in (EventType.PAGE_VIEW, EventType.CONTENT_VIEW):
        add(type_, Dim.COMPANY, frame.loc[frame["type"] == type_, "company"].dropna())
    visits = frame[frame["visit"] == 1]
    for (type_,), group in visits.groupby(["type"]):
        add(type_, Dim.COMPANY_VISIT, group["company"].dropna())
    searches = frame[frame["type"] == EventType.SEARCH]
    terms = (searches["query"].fillna("").astype(str).str.casefold().str.split()
             .str.join(" ").str[:SEARCH_TERM_MAX])
    add(EventType.SEARCH, Dim.SEARCH_TERM, terms)
    add(EventType.SEARCH, Dim.ZERO_RESULT_TERM, terms[searches["results"] == 0])
    found.update(bench_sources.naive_by_value(frame))
    return found


def _distinct_visitors(frame: pd.DataFrame) -> int:
    """A visitor is a browser's visit, signed in or not (``Event.visitor_id``)."""
    return int(frame["session_id"].nunique())


# ---- running it ---------------------------------------------------------------------------------


def chunks(events: Iterable[Event], size: int = CHUNK) -> Iterator[list[Event]]:
    iterator = iter(events)
    while chunk := list(islice(iterator, size)):
        yield chunk


COMPANIES = 60  # distinct sign-up companies among the signed-in visitors
_SIGNED_UP = [p for p in Purpose if p is not Purpose.SKIPPED]


def with_companies(events: Iterable[Event]) -> Iterator[Event]:
    """Signed-in visitors' events as the analytics service records them: with the company
    from their sign-up, the visit mark on each session's first event, and before that event
    the visit's purpose from the profile."""
    seen: set[str] = set()
    for event in events:
        if event.user_id is None:
            yield event
            continue
        number = zlib.crc32(event.user_id.encode())
        extra: dict[str, object] = {COMPANY_PROP: f"Company {number % COMPANIES}"}
        if event.session_id not in seen:
            seen.add(event.session_id)
            extra[VISIT_PROP] = True
            purpose = _SIGNED_UP[number % len(_SIGNED_UP)]
            yield replace(event, id=f"{event.id}p", type=EventType.VISITOR_PURPOSE,
                          page=None, content_id=None, category=None, author_id=None,
                          properties={"purpose": purpose.value, SOURCE_PROP: FROM_PROFILE})
        yield replace(event, properties={**event.properties, **extra})


def ingest(store: EventStore, total: int, days: int = DAYS, end: date = END,
           progress: bool = True) -> dict[str, float]:
    """Generate and append ``total`` events in chunks; times both separately."""
    generated = written = 0
    generate_s = ingest_s = 0.0
    stream = bench_sources.with_sources(bench_clickfilter.with_visit_props(with_companies(
        synthetic_events(bench_contents(), total=total, days=days, end=end, tz=TZ))))
    while True:
        started = time.perf_counter()
        chunk = list(islice(stream, CHUNK))
        generate_s += time.perf_counter() - started
        if not chunk:
            break
        started = time.perf_counter()
        written += len(store.append(chunk))
        ingest_s += time.perf_counter() - started
        generated += len(chunk)
        if progress:
            rate = generated / ingest_s if ingest_s else 0.0
            print(f"\r  {generated:>10,} / {total:,} events ingested ({rate:,.0f}/s)",
                  end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return {"events": written, "ingest_events_per_s": written / ingest_s,
            "generate_events_per_s": generated / generate_s}


def timed(run: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def period(days: int, end: date = END) -> tuple[date, date]:
    return end - timedelta(days=days - 1), end


def _app_dashboard(store: EventStore, days: int) -> Callable[[], object] | None:
    """The app's own dashboard queries (services/analytics/dashboards.py), if present."""
    try:
        from services.analytics.dashboards import Period, dashboard
        from services.analytics.tables import Catalog, CatalogItem
    except ImportError:
        return None
    catalog = Catalog(CatalogItem(c.id, c.id, c.category, c.author_id, c.author_id)
                      for c in bench_contents())
    start, end = period(days)
    return lambda: dashboard(store, None, Period(start, end), catalog=catalog)  # type: ignore[arg-type]


def bench_size(size: int, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = bench_settings(Path(tmp))
        ports = build_local_ports(settings)
        store = ports.events
        db = settings.sqlite_path
        result = ingest(store, size)
        for days, suffix in ((90, ""), (30, "_30d")):
            start, end = period(days)
            fast = timed(partial(dashboard_workload, store, start, end), runs)
            result[f"dashboard_cold_ms{suffix}"] = fast[0]
            result[f"dashboard_ms{suffix}"] = statistics.median(fast)
            app = _app_dashboard(store, days)
            if app is not None:
                result[f"app_dashboard_ms{suffix}"] = statistics.median(timed(app, runs))
            load, compute = _naive_timings(db, start, end, runs=1 if size > 1_000_000 else 3)
            result[f"naive_load_ms{suffix}"] = load
            result[f"naive_ms{suffix}"] = load + compute
            result[f"ratio{suffix}"] = (load + compute) / result[f"dashboard_ms{suffix}"]
        result.update(bench_sources.bench(store, db, bench_contents(), *period(90), TZ, runs))
        result.update(bench_clickfilter.timings(store, db, bench_contents(), runs, partial(
            load_raw_frame, tz=TZ), END, TZ))
        result["rollup_rows_90d"] = len(store.rollups(*period(90)))
        result.update(bench_cohorts.measure(settings, END, runs, timed))
        result.update(bench_funnels.measure(ports.funnels, db, END, TZ, runs, load_raw_frame))
        result.update(bench_itempage.measure(store, partial(load_raw_frame, db, tz=TZ),
                                             bench_contents(), Period(*period(90)), runs, TZ,
                                             ports.funnels))
        result.update(bench_digests.measure(store, partial(load_raw_frame, db, tz=TZ),
                                            bench_contents(), END, runs))
        result.update(bench_periodsums.measure(store, bench_contents(), END, runs))  # appends
    result.update(bench_live.bench_live(runs, min(size, bench_live.WINDOW_EVENTS)))
    return result


def _naive_timings(db: Path, start: date, end: date, runs: int) -> tuple[float, float]:
    """Median milliseconds to load the raw events (both periods) and to compute from them."""
    loads, computes = [], []
    prev_start, prev_end = previous_period(start, end)
    for _ in range(runs):
        started = time.perf_counter()
        current = load_raw_frame(db, start, end, TZ)
        previous = load_raw_frame(db, prev_start, prev_end, TZ)
        loaded = time.perf_counter()
        naive_workload(current, previous, TZ)
        loads.append((loaded - started) * 1000)
        computes.append((time.perf_counter() - loaded) * 1000)
        del current, previous
    return statistics.median(loads), statistics.median(computes)


def bench_analytics(sizes: Sequence[int], runs: int) -> dict[str, dict[str, float]]:
    """{metric: {size: value}}, the shape the issue and the notes quote."""
    result: dict[str, dict[str, float]] = {}
    for size in sizes:
        print(f"{size:,} events:", file=sys.stderr)
        for metric, value in bench_size(size, runs).items():
            result.setdefault(metric, {})[str(size)] = round(value, 3)
    return result


def print_analytics(result: dict[str, dict[str, float]]) -> None:
    columns = [("ingest ev/s", "ingest_events_per_s", ",.0f"),
               ("dash90 ms", "dashboard_ms", ".1f"), ("cold ms", "dashboard_cold_ms", ".1f"),
               ("dash30 ms", "dashboard_ms_30d", ".1f"), ("app90 ms", "app_dashboard_ms", ".1f"),
               ("naive90 ms", "naive_ms", ",.0f"), ("(load) ms", "naive_load_ms", ",.0f"),
               ("naive30 ms", "naive_ms_30d", ",.0f"), ("ratio90", "ratio", ",.0f"),
               ("ratio30", "ratio_30d", ",.0f"), ("item90 ms", "item_page_ms", ".1f"),
               ("naiveitem ms", "naive_item_page_ms", ",.0f"),
               ("author90 ms", "author_page_ms", ".1f"),
               ("naiveauth ms", "naive_author_page_ms", ",.0f"),
               *bench_cohorts.COLUMNS]
    present = [c for c in columns if c[1] in result]
    print(f"{'events':>10} " + " ".join(f"{title:>11}" for title, _, _ in present))
    for size in result["dashboard_ms"]:
        cells = [format(result[key][size], fmt) for _, key, fmt in present]
        print(f"{int(size):>10,} " + " ".join(f"{cell:>11}" for cell in cells))
    print("dash = every dashboard number from rollups + visitor sketches (median); naive = load "
          "the period's raw events into pandas and compute the same (load included); item / "
          "author = the most viewed item's page and its author's page, 90 days.")
    bench_live.print_live(result)
    bench_sources.print_result(result)
    bench_funnels.print_funnels(result)
    bench_itempage.print_funnels(result)
    bench_clickfilter.print_rows(result)
    bench_digests.print_result(result)
    bench_periodsums.print_result(result)


def run(args: Any) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    result = bench_analytics(sizes, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_analytics(result)
