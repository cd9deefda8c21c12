"""EventStore contract, sources and devices: the visit dimensions are rolled up at ingest, and
the "sources" and "devices" tables read from them equal the same numbers computed from the raw
events (each visit counted once, on its first event), on every backend."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from services.analytics.dashboards import Period
from services.analytics.source_stats import devices, sources
from services.analytics.sources import VisitSource
from services.analytics.tables import Catalog, CatalogItem
from services.domain.analytics import DIRECT, OTHER_VALUE, Device, Dim, Event, EventType

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 10:00 in Seoul on 2 March
PERIOD = Period(date(2026, 3, 2), date(2026, 3, 3))
EVERYTHING = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC))
HYPERLINK = '=HYPERLINK("http://evil.example","x")#1|2'
SOURCES = [
    VisitSource(),  # direct, unknown device
    VisitSource(referrer="google.com", device=Device.DESKTOP, browser="Chrome", os="Windows"),
    VisitSource(referrer="t.co", utm_source="newsletter", utm_medium="email",
                utm_campaign="spring", device=Device.MOBILE, browser="Mobile Safari", os="iOS"),
    VisitSource(utm_source="linkedin", utm_campaign=HYPERLINK, device=Device.TABLET,
                browser="Chrome", os="Android"),
    VisitSource(referrer=OTHER_VALUE, utm_campaign=OTHER_VALUE, device=Device.BOT,
                browser="Googlebot", os="Other"),
]
ITEMS = ["c1", "c2", "c3"]
CATALOG = Catalog(CatalogItem(i, f"Title {i}", "Finance", "a1", "A") for i in ITEMS)


def visit_events(n_visits: int, seed: int = 5, sample: bool = False) -> list[Event]:
    """Visits of 1-4 events each over two days; the first carries the visit dimensions."""
    rng = random.Random(seed)
    events: list[Event] = []
    for visit in range(n_visits):
        source = rng.choice(SOURCES)
        start = T0 + timedelta(hours=rng.randrange(36), minutes=rng.randrange(60))
        for step in range(rng.randint(1, 4)):
            props = source.first_event() if step == 0 else source.every_event()
            type_ = EventType.PAGE_VIEW if step == 0 or rng.random() < 0.3 else (
                EventType.CONTENT_VIEW)
            fields: dict[str, Any] = {"page": "home"} if type_ is EventType.PAGE_VIEW else {
                "content_id": rng.choice(ITEMS), "category": "Finance", "author_id": "a1"}
            events.append(Event(
                id=f"{'s' if sample else 'e'}{visit:04d}{step}", type=type_,
                ts=start + timedelta(minutes=step), session_id=f"{seed}-{visit}",
                properties=props, sample=sample, **fields))
    return events


def raw_first_events(events: list[Event]) -> pd.DataFrame:
    """One row per visit (its earliest event) with the source it started with: computed
    without the rollups or the visit mark."""
    frame = pd.DataFrame([{"session": e.session_id, "ts": e.ts, "type": e.type,
                           "content_id": e.content_id, **e.properties} for e in events])
    return frame.sort_values("ts").groupby("session", as_index=False).first()


def raw_counts(firsts: pd.DataFrame, column: str) -> dict[str, int]:
    if column not in firsts:
        return {}
    return {str(k): int(v) for k, v in firsts[column].dropna().value_counts().items()}


def table_counts(frame: pd.DataFrame) -> dict[str, int]:
    return dict(zip(frame["value"], frame["visits"].astype(int), strict=True))


def test_source_and_device_tables_equal_counts_from_raw_events(event_store: Any) -> None:
    events = visit_events(60)
    event_store.append(events)
    firsts = raw_first_events(events)

    found = sources(event_store, PERIOD, lambda: CATALOG)
    assert found.visits == len(firsts) == 60
    for dim, column in ((Dim.REFERRER, "ref"), (Dim.UTM_SOURCE, "utm_source"),
                        (Dim.UTM_MEDIUM, "utm_medium"), (Dim.UTM_CAMPAIGN, "utm_campaign")):
        assert table_counts(found.by_dim[dim]) == raw_counts(firsts, column), dim
    assert table_counts(found.by_dim[Dim.REFERRER])[DIRECT] > 0
    assert found.by_dim[Dim.REFERRER]["value"].iloc[-1] == OTHER_VALUE  # "other" listed last

    shown = devices(event_store, PERIOD)
    for dim, column in ((Dim.DEVICE, "dev"), (Dim.BROWSER, "br"), (Dim.OS, "os")):
        assert table_counts(shown.by_dim[dim]) == raw_counts(firsts, column), dim
    assert shown.by_dim[Dim.DEVICE]["share"].sum() == pytest.approx(1.0)


def test_campaign_items_equal_content_views_per_campaign_from_raw_events(
        event_store: Any) -> None:
    events = visit_events(60, seed=7)
    event_store.append(events)
    expected = Counter((str(e.properties["utm_campaign"]), str(e.content_id)) for e in events
                       if e.type is EventType.CONTENT_VIEW and "utm_campaign" in e.properties)

    table = sources(event_store, PERIOD, lambda: CATALOG).campaign_items
    assert dict(zip(zip(table["campaign"], table["content_id"], strict=True),
                    table["views"].astype(int), strict=True)) == dict(expected)
    assert HYPERLINK in set(table["campaign"])  # a campaign holding the separator, intact
    assert set(table["title"]) <= {f"Title {i}" for i in ITEMS}


def test_a_retried_batch_counts_once_and_samples_are_removed_exactly(event_store: Any) -> None:
    real, samples = visit_events(20, seed=3), visit_events(15, seed=4, sample=True)
    event_store.append(real)
    before = sources(event_store, PERIOD, lambda: CATALOG)
    event_store.append(real)  # a retry: the ids are known
    event_store.append(samples)
    assert sources(event_store, PERIOD, lambda: CATALOG).visits == 35

    event_store.remove_samples()
    after = sources(event_store, PERIOD, lambda: CATALOG)
    assert after.visits == before.visits == 20
    for dim, frame in before.by_dim.items():
        pd.testing.assert_frame_equal(after.by_dim[dim], frame)
    pd.testing.assert_frame_equal(after.campaign_items, before.campaign_items)
    assert len(list(event_store.raw_events(*EVERYTHING))) == len(real)
