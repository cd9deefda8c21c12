"""Hand-made dashboards with known answers, for the report pipeline's tests.

``MemoryEvents`` is a tiny in-memory rollup store (``rollup_keys`` in UTC, the single definition
of what an event counts for); ``boards`` runs the real ``services.dashboards.dashboard`` on it for
a period and for the period before, with a fixed catalogue. ``SCENARIO`` is described where it
is built; the tests assert on the figures it implies.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime
from typing import Any

from services.analytics.dashboards import Dashboard, Period, dashboard
from services.analytics.tables import Catalog, CatalogItem
from services.domain.analytics import Dim, Event, EventType, PeriodTotals, RollupRow
from services.domain.hll import HyperLogLog
from services.domain.rollups import fold_item_segments, period_totals, rollup_keys

PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))  # Wednesday .. Tuesday
PREVIOUS = PERIOD.previous()  # 25 February .. 3 March
_ids = itertools.count(1)


class MemoryEvents:
    """The read side of an EventStore (rollups and visitors) over a list of events."""

    def __init__(self, events: Iterable[Event]) -> None:
        self.counts: Counter[Any] = Counter()
        self.sketches: defaultdict[date, HyperLogLog] = defaultdict(HyperLogLog)
        for event in events:
            for key in rollup_keys(event, UTC):
                self.counts[key] += 1
            self.sketches[event.ts.date()].add(event.visitor_id)

    def rollups(self, start: date, end: date, types: Collection[EventType] | None = None,
                dims: Collection[Dim] | None = None, hourly: bool = False, *,
                values: Collection[str] | None = None,
                prefix: str | None = None, fold: Collection[Dim] = (),
                hour: int | None = None) -> list[RollupRow]:
        if fold:
            plain = self.rollups(start, end, types, [d for d in dims or Dim if d not in fold],
                                 hourly, values=values, prefix=prefix)
            return plain + fold_item_segments(self.rollups(start, end, types, fold, hourly,
                                                           values=values, prefix=prefix))
        rows = []
        for key, count in self.counts.items():
            if not start <= key.day <= end or (key.hour >= 0) != hourly:
                continue
            if hourly and hour is not None and key.hour != hour:
                continue
            if (values is not None and key.value not in values) or (
                    prefix is not None and not key.value.startswith(prefix)):
                continue
            if (types is None or key.type in types) and (dims is None or key.dim in dims):
                rows.append(RollupRow(key, count))
        return rows

    def rollup_totals(self, start: date, end: date, types: Collection[EventType] | None = None,
                      dims: Collection[Dim] | None = None, *,
                      values: Collection[str] | None = None,
                      prefix: str | None = None) -> PeriodTotals:
        return period_totals(self.rollups(start, end, types, dims, values=values, prefix=prefix))

    def visitors(self, start: date, end: date) -> HyperLogLog:
        merged = HyperLogLog()
        for day, sketch in self.sketches.items():
            if start <= day <= end:
                merged.merge(sketch)
        return merged


def ev(when: str, type_: EventType, count: int = 1, session: str = "s1",
       **fields: Any) -> list[Event]:
    ts = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return [Event(id=f"r{next(_ids):06d}", ts=ts, type=type_, session_id=session, **fields)
            for _ in range(count)]


CATALOG = Catalog([
    CatalogItem("a", "Bedrock 챗봇", "Generative AI", "alice", "Alice"),
    CatalogItem("b", "금융 리스크 데모", "Finance", "bob", "Bob"),
    CatalogItem("c", "제조 비전 검사", "Manufacturing", "alice", "Alice"),
    CatalogItem("d", "리테일 추천", "Retail/CPG", "carol", "Carol"),
])
_DIMS = {"a": ("Generative AI", "alice"), "b": ("Finance", "bob"),
         "c": ("Manufacturing", "alice"), "d": ("Retail/CPG", "carol")}


def views(when: str, item: str, count: int, type_: EventType = EventType.CONTENT_VIEW,
          session: str = "s1") -> list[Event]:
    category, author = _DIMS[item]
    return ev(when, type_, count, session=session, content_id=item, category=category,
              author_id=author)


def search(when: str, term: str, count: int, results: int) -> list[Event]:
    return ev(when, EventType.SEARCH, count, properties={"query": term, "results": results})


def purpose(when: str, value: str, count: int = 1) -> list[Event]:
    return ev(when, EventType.VISITOR_PURPOSE, count, properties={"purpose": value})


def scenario() -> list[Event]:
    """This period: content views A 60 (Thu 14h), B 30 (Fri 10h), C 10 (Fri 14h), D none;
    A 6 likes and 1 unlike, B 3 downloads; page views 50 Thu 14h, 30 Fri 10h, 20 Fri 15h,
    10 Sat 9h from four sessions; searches "bedrock" 8 (found) and "양자" 2 (nothing);
    purposes customer-demo 3, education-training 1, skipped 1.
    Previous period: A 40 and B 40 views, 80 page views (Thu 26 Feb 10h, two sessions),
    5 "bedrock" searches, purposes customer-demo 1 and skipped 1."""
    now = [
        *views("2026-03-05 14:00", "a", 60), *views("2026-03-06 10:00", "b", 30),
        *views("2026-03-06 14:00", "c", 10),
        *views("2026-03-05 14:00", "a", 6, EventType.LIKE),
        *views("2026-03-05 15:00", "a", 1, EventType.UNLIKE),
        *views("2026-03-06 10:00", "b", 3, EventType.DOWNLOAD),
        *ev("2026-03-05 14:00", EventType.PAGE_VIEW, 50, session="s1", page="home"),
        *ev("2026-03-06 10:00", EventType.PAGE_VIEW, 30, session="s2", page="home"),
        *ev("2026-03-06 15:00", EventType.PAGE_VIEW, 20, session="s3", page="home"),
        *ev("2026-03-07 09:00", EventType.PAGE_VIEW, 10, session="s4", page="home"),
        *search("2026-03-06 11:00", "bedrock", 8, 3), *search("2026-03-06 11:00", "양자", 2, 0),
        *purpose("2026-03-05 14:00", "customer-demo", 3),
        *purpose("2026-03-05 14:00", "education-training"),
        *purpose("2026-03-05 14:00", "skipped"),
    ]
    before = [
        *views("2026-02-26 10:00", "a", 40), *views("2026-02-26 10:00", "b", 40),
        *ev("2026-02-26 10:00", EventType.PAGE_VIEW, 40, session="p1", page="home"),
        *ev("2026-02-26 10:00", EventType.PAGE_VIEW, 40, session="p2", page="home"),
        *search("2026-02-26 11:00", "bedrock", 5, 1),
        *purpose("2026-02-26 10:00", "customer-demo"), *purpose("2026-02-26 10:00", "skipped"),
    ]
    return now + before


def boards(events: Iterable[Event] = (), catalog: Catalog = CATALOG,
           period: Period = PERIOD) -> tuple[Dashboard, Dashboard]:
    store = MemoryEvents(events)
    current = dashboard(store, None, period, catalog=catalog, limit=1000)  # type: ignore[arg-type]
    previous = dashboard(store, None, period.previous(), catalog=catalog,  # type: ignore[arg-type]
                         limit=1000)
    return current, previous
