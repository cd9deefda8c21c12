"""Sources and devices as driver dimensions: synthetic events with known visit sources go
through the real local store (``rollup_keys``, the rollups read as the service reads them), and
each KPI's drivers by source and by device add up to its change exactly."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from services.analytics.dashboards import Period
from services.bootstrap import Services
from services.domain.analytics import DEVICE_PROP, DIRECT, SRC_PROP, Event, EventType
from services.insights.cube import UNKNOWN
from services.insights.drivers import REST
from services.insights.service import load_insights

_ids = itertools.count(1)
BEFORE = Period(date(2026, 6, 1), date(2026, 6, 7))
AFTER = Period(date(2026, 6, 8), date(2026, 6, 14))
TODAY = date(2026, 6, 15)
# (source, device or None) -> content views per day before and after; None: source unknown.
VIEWS = {("newsletter", "mobile"): (2, 8), (DIRECT, "desktop"): (5, 4),
         ("google", "desktop"): (3, 3), (None, None): (1, 3)}
LIKES = {("newsletter", "mobile"): (1, 2), (None, None): (1, 0)}


def event(services: Services, day: date, type_: EventType, source: str | None,
          device: str | None, content_id: str | None = "item-1") -> Event:
    props: dict[str, Any] = {}
    if source is not None:
        props[SRC_PROP] = source
    if device is not None:
        props[DEVICE_PROP] = device
    ts = datetime.combine(day, time(10), tzinfo=services.settings.tz)
    return Event(id=f"s{next(_ids):07d}", ts=ts, type=type_, session_id=f"v-{source}",
                 content_id=content_id, category="Finance" if content_id else None,
                 author_id="a1" if content_id else None, properties=props)


def traffic(services: Services) -> list[Event]:
    found = []
    for period, side in ((BEFORE, 0), (AFTER, 1)):
        for offset in range(period.days):
            day = period.start + timedelta(days=offset)
            for type_, plan in ((EventType.CONTENT_VIEW, VIEWS), (EventType.LIKE, LIKES),
                                (EventType.PAGE_VIEW, VIEWS)):
                for (source, device), counts in plan.items():
                    # A content view without an item counts per type, not per item: both kinds
                    # of segment row must reach the drivers.
                    item = None if type_ is EventType.PAGE_VIEW or offset == 3 else "item-1"
                    found += [event(services, day, type_, source, device, item)
                              for _ in range(counts[side])]
    return found


def expected(events: list[Event], type_: EventType, prop: str) -> Counter[str]:
    """A type's change by the visit's ``prop``, counted from the raw events."""
    change: Counter[str] = Counter()
    for e in events:
        if e.type is type_:
            sign = 1 if e.ts.date() >= AFTER.start else -1
            change[e.properties.get(prop, UNKNOWN)] += sign
    return change


@pytest.fixture
def loaded(services: Services) -> tuple[list[Event], Any]:
    events = traffic(services)
    services.ports.events.append(events)
    return events, load_insights(services.ports.events, AFTER, TODAY, 0)


@pytest.mark.parametrize(("metric", "type_"), [("content_views", EventType.CONTENT_VIEW),
                                               ("page_views", EventType.PAGE_VIEW),
                                               ("likes", EventType.LIKE)])
@pytest.mark.parametrize(("dim", "prop"), [("visit_source", SRC_PROP),
                                           ("visit_device", DEVICE_PROP)])
def test_drivers_by_source_and_device_add_up_to_the_change(
        loaded: tuple[list[Event], Any], metric: str, type_: EventType, dim: str,
        prop: str) -> None:
    events, insights = loaded
    drivers = insights.of(metric)
    want = expected(events, type_, prop)
    got = {c.value: c.change for c in drivers.by_dim[dim]}
    assert REST not in got  # the unknown share is a value of its own
    assert got == {value: float(n) for value, n in want.items() if n or value in got}
    assert sum(got.values()) == pytest.approx(drivers.change)


def test_a_source_is_a_top_driver(loaded: tuple[list[Event], Any]) -> None:
    _, insights = loaded
    top = insights.of("content_views").top(10, sign=1)
    assert ("visit_source", "newsletter", 42.0) in [(c.dim, c.value, c.change) for c in top]


def test_per_view_rates_split_by_source(loaded: tuple[list[Event], Any]) -> None:
    _, insights = loaded
    drivers = insights.of("likes_per_view")
    rows = drivers.by_dim["visit_source"]
    assert sum(c.change for c in rows) == pytest.approx(drivers.change)
    assert all(c.mix is not None and c.rate is not None for c in rows)
