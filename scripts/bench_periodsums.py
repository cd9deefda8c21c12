"""The views whose cost grew with the number of (day, value) rows, in the analytics benchmark
(``scripts.bench analytics``): the dashboard as the app reads it, filtered by item, by visit
purpose and by hour, and the author page, 90 days, warm. ``live`` runs append one event to the
period's last day before each (untimed) read: what a live app's dashboard pays after every
tracker flush. The naive pandas figures of the same views are measured by the dashboard,
click-filter and item-page benchmarks in the same run.

On its own over a store built once and reused: ``python -m scripts.bench_store``.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import count

from scripts.bench_itempage import bench_items
from services.analytics.dashboards import Period, dashboard
from services.analytics.item_pages import author_page
from services.analytics.synthetic import ContentRef
from services.analytics.tables import Catalog, CatalogItem, Filters
from services.domain.analytics import Dim, Event, EventType, Segment, SegmentKind
from services.ports import EventStore

VIEWS = {
    "periodsums_dashboard": Filters(),
    "periodsums_item": Filters(content_id="content-001"),
    "periodsums_purpose": Filters(segment=Segment(SegmentKind.PURPOSE, "research")),
    "periodsums_hour": Filters(segment=Segment(SegmentKind.HOUR, "10")),
}
_NAIVE = {"periodsums_dashboard": "naive_ms", "periodsums_item": "item_naive_ms",
          "periodsums_purpose": "seg_purpose_naive_ms", "periodsums_hour": "seg_hour_naive_ms",
          "periodsums_author": "naive_author_page_ms"}
_TICK = count()


def _median_ms(run: Callable[[], object], runs: int,
               before: Callable[[], object] | None = None) -> float:
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _one_event_on(store: EventStore, day: date) -> Callable[[], object]:
    """Appends one new page view at noon UTC of ``day`` (a tracker flush, untimed)."""
    def append() -> object:
        ts = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)  # noon in Asia/Seoul
        return store.append([Event(id=f"periodsums-{time.time_ns()}-{next(_TICK)}", ts=ts,
                                   type=EventType.PAGE_VIEW, session_id="bench", page="home")])
    return append


def measure(store: EventStore, contents: list[ContentRef], end: date, runs: int,
            live: bool = True) -> dict[str, float]:
    """Median ms of each view, warm (and with ``live``, after one new event of the last day)."""
    period = Period(end - timedelta(days=89), end)
    catalog = Catalog(CatalogItem(c.id, c.id, c.category, c.author_id, c.author_id)
                      for c in contents)
    views: dict[str, Callable[[], object]] = {
        name: partial(dashboard, store, None, period, filters,  # type: ignore[arg-type]
                      catalog=catalog)
        for name, filters in VIEWS.items()}
    views["periodsums_author"] = _author_view(store, contents, period)
    result: dict[str, float] = {}
    for name, run in views.items():
        run()  # warm
        result[f"{name}_ms"] = _median_ms(run, runs)
        if live:
            result[f"{name}_live_ms"] = _median_ms(run, runs, _one_event_on(store, end))
    return result


def _author_view(store: EventStore, contents: list[ContentRef],
                 period: Period) -> Callable[[], object]:
    """The author page of the most viewed item's author (as the item-page benchmark picks)."""
    items = bench_items(contents)
    views: Counter[str] = Counter()
    for row in store.rollups(period.start, period.end, [EventType.CONTENT_VIEW], [Dim.CONTENT]):
        views[row.key.value] += row.count
    top = max(items, key=lambda i: views[i.id])
    theirs = [i for i in items if i.author_id == top.author_id]
    return lambda: author_page(store, period, top.author_id, theirs)


def print_result(result: dict[str, dict[str, float]]) -> None:
    names = [n for n in (*VIEWS, "periodsums_author") if f"{n}_ms" in result]
    if not names:
        return
    print(f"{'events':>10} " + " ".join(f"{n.removeprefix('periodsums_'):>22}" for n in names))
    for size in result[f"{names[0]}_ms"]:
        cells = []
        for name in names:
            live = result.get(f"{name}_live_ms", {}).get(size)
            naive = result.get(_NAIVE[name], {}).get(size)
            cells.append(f"{result[f'{name}_ms'][size]:.1f}"
                         + (f"/{live:.1f}" if live is not None else "")
                         + (f" ({naive:,.0f})" if naive is not None else ""))
        print(f"{int(size):>10,} " + " ".join(f"{c:>22}" for c in cells))
    print("period sums: 90-day views, median ms warm / after one new event of the last day "
          "(naive pandas ms in brackets).")
