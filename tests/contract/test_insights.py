"""Insights read through each event store equal the same numbers counted from the raw events:
drivers of the period's change, the daily visitors, and a planted day flagged with its item."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from services.analytics.dashboards import Period
from services.domain.analytics import Event, EventType
from services.insights.service import load_insights
from tests.contract.local_backends import EVENT_TZ

SPIKE = date(2026, 3, 18)
TODAY = SPIKE + timedelta(days=1)
PERIOD = Period(SPIKE - timedelta(days=6), SPIKE)
ITEMS = {"i1": ("Finance", "a1"), "i2": ("Finance", "a2"), "i3": ("Retail", "a1")}


def views(day: date, item: str, n: int) -> list[Event]:
    category, author = ITEMS[item]
    at = datetime.combine(day, time(12), EVENT_TZ)
    return [Event(f"{day:%Y%m%d}-{item}-{i:03d}", at, EventType.CONTENT_VIEW,
                  f"s-{day}-{item}-{i}", content_id=item, category=category, author_id=author)
            for i in range(n)]


def events() -> list[Event]:
    """Five quiet weeks of the spike's weekday (10 views), then one item's spike (+50)."""
    found: list[Event] = []
    for week in range(1, 6):
        day = SPIKE - timedelta(days=7 * week)
        found += views(day, "i1", 6) + views(day, "i3", 4)
    return found + views(SPIKE, "i1", 6) + views(SPIKE, "i3", 4) + views(SPIKE, "i2", 50)


def raw_counts(found: list[Event], period: Period, key: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for event in found:
        if period.start <= event.ts.astimezone(EVENT_TZ).date() <= period.end:
            counts[getattr(event, key)] += 1
    return counts


def test_insights_through_the_store_match_the_raw_events(event_store: Any) -> None:
    found = events()
    event_store.append(found)
    insights = load_insights(event_store, PERIOD, TODAY, 9)

    views_drivers = insights.of("content_views")
    assert views_drivers is not None
    for dim, key in (("category", "category"), ("content", "content_id"),
                     ("author", "author_id")):
        after, before = (raw_counts(found, p, key) for p in (PERIOD, PERIOD.previous()))
        expected = {v: after[v] - before[v] for v in after | before if after[v] != before[v]}
        shown = {c.value: c.change for c in views_drivers.by_dim[dim] if c.change}
        assert shown == expected
    assert views_drivers.change == 50
    visitors = insights.of("visitors")
    assert visitors is not None and (visitors.before, visitors.after) == (10, 60)

    spikes = [a for a in insights.anomalies.anomalies
              if a.metric == "content_views" and a.dim == "all" and a.hour is None]
    assert [(a.day, a.actual, a.expected) for a in spikes] == [(SPIKE, 60, 10)]
    assert spikes[0].drivers is not None
    assert ("content", "i2") in {(c.dim, c.value) for c in spikes[0].drivers.top(3)}
    visitor_days = [a.day for a in insights.anomalies.anomalies if a.metric == "visitors"]
    assert visitor_days == [SPIKE]  # the per-day sketches: one visitor per event here
