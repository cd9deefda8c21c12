"""Removing the sample events leaves every store as if they had never been appended.

What a user sees is the dashboard: after an admin removes the sample content, its numbers (KPI
tiles, top content, top category, every table) must equal those of a store that only ever had
the other events -- including real visitors' events on the sample items, which stay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from services.adapters.aws.dynamodb.sample_events import SampleEventsRemoval
from services.analytics.dashboards import Dashboard, Period, dashboard
from services.analytics.synthetic import ContentRef, synthetic_events
from services.analytics.tables import Catalog, CatalogItem
from services.domain.analytics import Event
from tests.contract.conftest import EVENT_STORES
from tests.contract.local_backends import EVENT_TZ

END = date(2026, 3, 4)
PERIOD = Period(END - timedelta(days=2), END)
EVERYTHING = (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
OWN = [ContentRef(f"own-{i}", "Finance" if i % 2 else "Manufacturing", f"author-{i % 2}")
       for i in range(4)]
SAMPLES = [ContentRef(f"sample-{i}", "Generative AI", "sample-author") for i in range(6)]
# After the removal the catalogue holds only the own items.
CATALOG = Catalog(CatalogItem(c.id, c.id, c.category, c.author_id, c.author_id) for c in OWN)
SIZE = {"sqlite": 1500, "dynamodb": 300}  # moto copies whole tables per transaction


def own_events(total: int) -> list[Event]:
    """Real traffic, some of it on the sample items (a visitor opened one)."""
    return list(synthetic_events([*OWN, *SAMPLES[:2]], total=total, days=PERIOD.days,
                                 end=END, tz=EVENT_TZ, seed=11))


def sample_events(total: int) -> list[Event]:
    return list(synthetic_events(SAMPLES, total=total, days=PERIOD.days, end=END, tz=EVENT_TZ,
                                 seed=22, sample=True))


def batches(events: Sequence[Event], size: int) -> Iterator[Sequence[Event]]:
    for i in range(0, len(events), size):
        yield events[i : i + size]


def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict("records")]


def view(board: Dashboard) -> dict[str, Any]:
    """Everything the dashboard page draws, as comparable plain values."""
    return {
        "kpis": board.kpis,
        "trend": plain(board.trend),
        "top_content": plain(board.top_content),
        "authors": plain(board.authors),
        "categories": plain(board.categories),
        "time_of_day": plain(board.time_of_day.matrix),
        "purposes": plain(board.purposes.table),
        "search": (plain(board.search.top), plain(board.search.zero_results)),
    }


def snapshot(store: Any) -> dict[str, Any]:
    rows = [*store.rollups(PERIOD.start, PERIOD.end),
            *store.rollups(PERIOD.start, PERIOD.end, hourly=True)]
    return {
        "dashboard": view(dashboard(store, None, PERIOD, catalog=CATALOG)),
        "rollups": sorted((repr(row.key), row.count) for row in rows),
        "visitors": store.visitors(PERIOD.start, PERIOD.end).to_bytes(),
        "raw": [event.id for event in store.raw_events(*EVERYTHING)],
    }


@pytest.mark.parametrize("backend", sorted(EVENT_STORES))
def test_removing_samples_leaves_the_dashboard_of_a_store_that_never_had_them(
    backend: str, tmp_path: Path
) -> None:
    own, samples = own_events(SIZE[backend]), sample_events(SIZE[backend])
    with EVENT_STORES[backend](tmp_path / "never") as store:
        store.append(own)
        never = snapshot(store)
    with EVENT_STORES[backend](tmp_path / "removed") as store:
        # One stream in time order: batches hold both kinds, as a seed run beside live traffic.
        for batch in batches(sorted([*own, *samples], key=lambda e: (e.ts, e.id)), 200):
            store.append(batch)
        before = snapshot(store)
        removed = store.remove_samples()
        after = snapshot(store)
        assert store.remove_samples() == 0  # nothing left to remove; nothing changes
        assert snapshot(store) == after
    assert before["dashboard"] != never["dashboard"]  # the samples did count
    assert removed == len(samples)
    assert after == never


@pytest.mark.parametrize("backend", sorted(EVENT_STORES))
def test_sample_events_read_back_marked(backend: str, tmp_path: Path) -> None:
    with EVENT_STORES[backend](tmp_path) as store:
        store.append([*own_events(20), *sample_events(20)])
        found = list(store.raw_events(*EVERYTHING))
    assert sorted(e.id for e in found if e.sample) == sorted(e.id for e in sample_events(20))
    assert sorted(e.id for e in found if not e.sample) == sorted(e.id for e in own_events(20))


def test_sample_events_seeded_while_they_are_removed_go_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB removes day by day; a seed run adding sample events to a day being removed
    (after its copies were subtracted) must not leave them counted for good. (SQLite removes
    in one transaction.)"""
    own = own_events(SIZE["dynamodb"])
    early, late = sample_events(SIZE["dynamodb"]), sample_events(SIZE["dynamodb"] + 40)
    late = [e for e in late if e.id not in {x.id for x in early}]
    with EVENT_STORES["dynamodb"](tmp_path / "never") as store:
        store.append(own)
        never = snapshot(store)
    with EVENT_STORES["dynamodb"](tmp_path / "removed") as store:
        store.append([*own, *early])
        real = SampleEventsRemoval._delete_raw
        seeded: list[int] = []

        def seed_meanwhile(self: SampleEventsRemoval, day: date) -> None:
            real(self, day)
            if not seeded:
                seeded.append(len(store.append(late)))

        monkeypatch.setattr(SampleEventsRemoval, "_delete_raw", seed_meanwhile)
        store.remove_samples()
        assert seeded and seeded[0] > 0
        store.remove_samples()  # whatever a day finished before the seed run missed
        assert snapshot(store) == never
