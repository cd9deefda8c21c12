"""The "sources" and "devices" tables, from the rollups alone (one read of the period's sums
by value, ``EventStore.rollup_totals``).

A visit is counted once, on its first event (whatever its type), in each source and device
dimension (``services.domain.analytics._source_dimensions``); a visit without a utm value has
no row in that utm table. Shares are of all visits whose source is known (every one has a
referrer row, DIRECT included). Values beyond a day's cap (OTHER_VALUE) are listed last.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from services.analytics.dashboards import Period
from services.analytics.rollups import Rollups
from services.analytics.tables import Catalog
from services.domain.analytics import CAMPAIGN_ITEM_SEP, OTHER_VALUE, Dim, EventType
from services.ports import EventStore

SOURCE_DIMS = (Dim.REFERRER, Dim.UTM_SOURCE, Dim.UTM_MEDIUM, Dim.UTM_CAMPAIGN)
DEVICE_DIMS = (Dim.DEVICE, Dim.BROWSER, Dim.OS)
VISIT_DIMS = (*SOURCE_DIMS, *DEVICE_DIMS)
COLUMNS = ["value", "visits", "share"]
CAMPAIGN_COLUMNS = ["campaign", "content_id", "title", "views", "share"]


@dataclass(frozen=True)
class SourceTables:
    """Visits by value for each dimension (COLUMNS), the number of visits with a known source,
    and (sources only) content views by campaign and item (CAMPAIGN_COLUMNS)."""

    visits: int
    by_dim: dict[Dim, pd.DataFrame]
    campaign_items: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=CAMPAIGN_COLUMNS))


def visits_by_value(rollups: Rollups, dim: Dim) -> Counter[str]:
    """Visits per value of a visit dimension: its first events, of any type."""
    found: Counter[str] = Counter()
    for type_ in EventType:
        found.update(rollups.by_value(type_, dim))
    return found


def _ranked(counts: Counter[str], total: int) -> pd.DataFrame:
    names = sorted(counts, key=lambda v: (v == OTHER_VALUE, -counts[v], v))
    return pd.DataFrame([{"value": v, "visits": counts[v],
                          "share": counts[v] / total if total else 0.0} for v in names],
                        columns=COLUMNS)


def campaign_items_of(rollups: Rollups, title: Callable[[str], str | None]) -> pd.DataFrame:
    """Content views per (campaign, item), most first; ``share`` of the campaign's views."""
    views: Counter[tuple[str, str]] = Counter()
    for value, count in rollups.by_value(EventType.CONTENT_VIEW, Dim.CAMPAIGN_CONTENT).items():
        campaign, _, content_id = value.rpartition(CAMPAIGN_ITEM_SEP)  # ids hold no separator
        views[(campaign, content_id)] += count
    per_campaign: Counter[str] = Counter()
    for (campaign, _), count in views.items():
        per_campaign[campaign] += count
    ranked = sorted(views, key=lambda k: (k[0] == OTHER_VALUE, -per_campaign[k[0]], k[0],
                                          -views[k], k[1]))
    return pd.DataFrame([{"campaign": c, "content_id": i, "title": title(i), "views": views[(c, i)],
                          "share": views[(c, i)] / per_campaign[c]} for c, i in ranked],
                        columns=CAMPAIGN_COLUMNS)


def tables_of(rollups: Rollups, dims: tuple[Dim, ...]) -> SourceTables:
    total = sum(visits_by_value(rollups, Dim.REFERRER).values())
    return SourceTables(total, {dim: _ranked(visits_by_value(rollups, dim), total)
                                for dim in dims})


def sources(store: EventStore, period: Period,
            catalog: Callable[[], Catalog] = Catalog) -> SourceTables:
    """Referrers, utm sources, mediums and campaigns, and campaign -> item views. ``catalog``
    (read only when some campaign brought views) gives the items' titles."""
    rollups = _period_sums(store, period, [*SOURCE_DIMS, Dim.CAMPAIGN_CONTENT])
    found = tables_of(rollups, SOURCE_DIMS)
    if not rollups.by_value(EventType.CONTENT_VIEW, Dim.CAMPAIGN_CONTENT):
        return found
    items = catalog()

    def title(content_id: str) -> str | None:
        item = items.get(content_id)
        return item.title if item is not None else None

    return SourceTables(found.visits, found.by_dim, campaign_items_of(rollups, title))


def devices(store: EventStore, period: Period) -> SourceTables:
    """Device classes, browsers and OS families (the referrer rows give the total)."""
    return tables_of(_period_sums(store, period, [Dim.REFERRER, *DEVICE_DIMS]), DEVICE_DIMS)


def _period_sums(store: EventStore, period: Period, dims: list[Dim]) -> Rollups:
    """The period's counts by value, no day rows: the tables need no more, and the store
    keeps the sums of days that no longer change (a warm read costs the values, not the days
    x values)."""
    return Rollups((), store.rollup_totals(period.start, period.end, dims=dims), daily={})
