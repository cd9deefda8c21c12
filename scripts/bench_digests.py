"""The followed-metrics benchmark, run by ``python -m scripts.bench analytics`` for each size.

What "My insights" and a weekly digest compute for a follow filtered to an author (content
views of the last 7 days against the 7 before, with the author's items as drivers), from the
rollups (``services.insights.followed.scoped``), next to the naive figure: the same numbers
with pandas on the two weeks' raw events, measured in the same run. (A platform-wide follow is
the insights analysis, timed by ``python -m scripts.bench report``.) Tests never assert on
time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd

from services.analytics.dashboards import Period
from services.analytics.tables import Catalog, CatalogItem
from services.domain.analytics import EventType
from services.domain.follows import Follow, FollowScope
from services.insights.followed import scoped
from services.ports import EventStore

Loader = Callable[[date, date], pd.DataFrame]
COLUMNS = [("digest ms", "digest_author_ms", ".1f"),
           ("naive dig ms", "naive_digest_author_ms", ",.0f")]
WEEK = 7


def _median_ms(run: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def naive_author_week(frame: pd.DataFrame, author: str, start: date) -> dict[str, Any]:
    """Content views of ``author`` per side (before / from ``start``) and per item."""
    views = frame[(frame["type"] == EventType.CONTENT_VIEW.value)
                  & (frame["author_id"] == author)]
    after = views["ts"] >= pd.Timestamp(start).tz_localize(views["ts"].dt.tz)
    per_item = views.groupby([views["content_id"], after]).size()
    return {"before": int((~after).sum()), "after": int(after.sum()),
            "items": {str(k): int(v) for k, v in per_item.items()}}


def measure(store: EventStore, load: Loader, refs: Sequence[Any], end: date,
            runs: int) -> dict[str, float]:
    """Median ms of the scoped follow and of its naive equivalent (one naive run beyond 1M
    events: loading them is the slow part)."""
    catalog = Catalog(CatalogItem(r.id, r.id, str(r.category), r.author_id, r.author_id)
                      for r in refs)
    author = refs[0].author_id
    period = Period(end - timedelta(days=WEEK - 1), end)
    follow = Follow("bench", "content_views", FollowScope.AUTHOR, author)
    fast = _median_ms(lambda: scoped(follow, store, period, catalog, end + timedelta(days=1)),
                      runs)
    naive = _median_ms(lambda: naive_author_week(load(period.previous().start, end), author,
                                                 period.start), max(1, min(runs, 3)))
    return {"digest_author_ms": fast, "naive_digest_author_ms": naive}


def print_result(result: dict[str, dict[str, float]]) -> None:
    if "digest_author_ms" not in result:
        return
    print("followed metric (an author's content views, 7 days against 7, with item drivers):")
    for size, value in result["digest_author_ms"].items():
        naive = result["naive_digest_author_ms"][size]
        print(f"{int(size):>10,} events: {value:.1f} ms from rollups; naive pandas {naive:,.0f} ms")
