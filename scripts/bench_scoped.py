"""A report subject's own insights (``services.insights.scoped``): part of the insights
benchmark (``python -m scripts.bench report``).

Times ``load_scoped`` for one item (drivers from its search terms, purposes and sources) and for
one author (drivers = their items): from the rows the rollup read returns over the analysis
window (not the read itself, see ``RowStore``), the arrays, drivers, anomalies and the content
views' forecast of the three count KPIs of a content or author report. Next to it, measured in
the same run, the naive figure: the same before/after counts, per item and per day, with pandas
on the raw-event frame.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Collection, Sequence
from datetime import date, timedelta
from typing import Any, cast

import pandas as pd

from services.analytics.dashboards import Period
from services.analytics.synthetic import ContentRef
from services.analytics.tables import Catalog, CatalogItem
from services.domain.analytics import WHOLE_DAY, Dim, EventType, RollupRow
from services.insights.scoped import load_scoped
from services.ports import EventStore

METRICS = ("content_views", "likes", "downloads")


class RowStore:
    """Just ``rollups`` of an event store, over rows already counted. Each distinct read is
    answered once and then kept: the store's own read is what the dashboards' benchmark
    measures, this one measures what the insights do with the rows."""

    def __init__(self, rows: Sequence[RollupRow]) -> None:
        self._rows = [r for r in rows if r.key.hour == WHOLE_DAY]
        self._read: dict[tuple[Any, ...], list[RollupRow]] = {}

    def rollups(self, start: date, end: date, types: Collection[EventType] | None = None,
                dims: Collection[Dim] | None = None, hourly: bool = False) -> list[RollupRow]:
        key = (start, end, None if types is None else tuple(types),
               None if dims is None else tuple(dims))
        if key not in self._read:
            self._read[key] = [r for r in self._rows if start <= r.key.day <= end
                               and (types is None or r.key.type in types)
                               and (dims is None or r.key.dim in dims)]
        return self._read[key]


def _median_ms(run: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def naive(frame: pd.DataFrame, column: str, value: str, period: Period, first: date) -> object:
    """The subject's counts per side, per item and per day, from raw events."""
    mine = frame[frame[column] == value]
    lo = (period.start - first).days
    before = mine["day"].between(lo - period.days, lo - 1)
    after = mine["day"] >= lo
    return (mine[before | after].groupby(["type", "content", after], observed=True).size(),
            mine.groupby(["type", "day"], observed=True).size())


def speed(rows: Sequence[RollupRow], raw: pd.DataFrame, refs: Sequence[ContentRef],
          end: date, first: date, runs: int, days: int = 30) -> dict[str, float]:
    """Median ms: an item's and an author's insights from rollups, and the naive figures."""
    store = cast(EventStore, RowStore(rows))
    catalog = Catalog(CatalogItem(r.id, r.id, str(r.category), r.author_id, r.author_id)
                      for r in refs)
    period = Period(end - timedelta(days=days - 1), end)
    today = end + timedelta(days=1)
    item, author = refs[0].id, refs[0].author_id
    numbers = {
        "item_ms": _median_ms(lambda: load_scoped(store, period, catalog, today,
                                                  Dim.CONTENT, item, METRICS), runs),
        "author_ms": _median_ms(lambda: load_scoped(store, period, catalog, today,
                                                    Dim.AUTHOR, author, METRICS), runs),
        "naive_item_ms": _median_ms(lambda: naive(raw, "content", item, period, first),
                                    max(1, runs // 3)),
        "naive_author_ms": _median_ms(lambda: naive(raw, "author", author, period, first),
                                      max(1, runs // 3)),
    }
    return {k: round(v, 1) for k, v in numbers.items()}


def print_scoped(result: dict[str, Any]) -> None:
    found = result.get("scoped")
    if not found:
        return
    print(f"a report subject's insights (30 days, content/author report): item "
          f"{found['item_ms']:.1f} ms, author {found['author_ms']:.1f} ms from rollups; naive "
          f"pandas {found['naive_item_ms']:,.1f} / {found['naive_author_ms']:,.1f} ms "
          f"(x{found['naive_item_ms'] / max(found['item_ms'], 0.1):.0f} / "
          f"x{found['naive_author_ms'] / max(found['author_ms'], 0.1):.0f})")
