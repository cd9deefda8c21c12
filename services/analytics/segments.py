"""One segment's share of the rollups (click to filter by purpose, source, device or hour).

Segments are counted at ingest (``rollup_keys``: ``Dim.SEGMENT`` per type and
``SEGMENT_CONTENT_DIMS`` per item and kind), one kind at a time, so one segment filter applies
at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date

from services.analytics.rollups import Rollups
from services.analytics.tables import Catalog
from services.domain.analytics import (
    DayTotals,
    Dim,
    EventType,
    PeriodTotals,
    RollupRow,
    Segment,
    SegmentKind,
)
from services.domain.rollups import SEGMENT_CONTENT_DIMS
from services.ports import EventStore


def segment_rollups(store: EventStore, start: date, end: date, segment: Segment,
                    catalog: Catalog, types: Collection[EventType] | None,
                    unsplit: Collection[Dim], hourly: Iterable[RollupRow] = (),
                    daily: tuple[Dim, frozenset[str]] | None = None) -> Rollups:
    """The rollups of one segment, shaped like the whole: per-type totals from ``Dim.SEGMENT``
    plus the per-item rows of content events (for an hour: the ``hourly`` Dim.ALL rows),
    per-item counts from the kind's ``SEGMENT_CONTENT_DIMS``, and categories and authors
    derived from the items through the current catalogue (events of items no longer published
    count in the totals only). Dimensions a segment does not split (``unsplit``: purposes,
    search terms, companies) are kept whole: callers say so rather than show them as split.

    Period numbers come from the store's totals (the segment's own values only); day rows only
    for what the trend needs (``daily``: Dim.ALL, and the content filter's dimension and values)
    and summed by day here, never regrouped per item and day."""
    key, prefix = segment.key, segment.key + "|"
    by_hour = segment.kind is SegmentKind.HOUR
    item_dim = SEGMENT_CONTENT_DIMS[segment.kind]
    totals: PeriodTotals = {}
    days: defaultdict[tuple[str, str], list[tuple[date, str, int]]] = defaultdict(list)
    if by_hour:
        hour = int(segment.value)
        for row in hourly:
            if row.key.hour == hour and row.key.dim == Dim.ALL:
                _add(totals, row.key.type, Dim.ALL, "", row.count)
                days[(row.key.type, Dim.ALL)].append((row.key.day, "", row.count))
    else:
        for (type_, _), found in store.rollup_totals(start, end, types, [Dim.SEGMENT],
                                                     values=[key]).items():
            _add(totals, type_, Dim.ALL, "", found.get(key, 0))
    item_totals = store.rollup_totals(start, end, types, [item_dim], prefix=prefix)
    cut = len(prefix)
    for (type_, _), found in item_totals.items():
        for value, count in found.items():
            content_id = value[cut:]
            _add(totals, type_, Dim.CONTENT, content_id, count)
            item = catalog.get(content_id)
            if item is not None:
                _add(totals, type_, Dim.CATEGORY, item.category, count)
                _add(totals, type_, Dim.AUTHOR, item.author_id, count)
            if not by_hour:
                _add(totals, type_, Dim.ALL, "", count)
    if unsplit:
        totals.update(store.rollup_totals(start, end, types, unsplit))
    read: dict[tuple[str, str], frozenset[str] | None] = {}
    if daily is not None:
        read = _day_rows(store, start, end, segment, catalog, types, daily, days)
    return Rollups.of_groups(days, totals, read)


def _day_rows(store: EventStore, start: date, end: date, segment: Segment, catalog: Catalog,
              types: Collection[EventType] | None, daily: tuple[Dim, frozenset[str]],
              days: defaultdict[tuple[str, str], list[tuple[date, str, int]]]
              ) -> dict[tuple[str, str], frozenset[str] | None]:
    """Adds the day rows the trend reads (see ``segment_rollups``) from the store's day
    totals (one number per day, not one row per day and item); returns what they cover."""
    key, prefix = segment.key, segment.key + "|"
    item_dim = SEGMENT_CONTENT_DIMS[segment.kind]
    scope_dim, scope_values = daily
    per_day: defaultdict[tuple[str, str, date, str], int] = defaultdict(int)

    def add(found: DayTotals, dim: Dim, value: str) -> None:
        for (type_, _), counts in found.items():
            for day, count in counts.items():
                per_day[type_, dim, day, value] += count

    if segment.kind is not SegmentKind.HOUR:  # an hour's come from the hourly rows
        add(store.rollup_day_totals(start, end, types, [Dim.SEGMENT], values=[key]), Dim.ALL,
            "")
        add(store.rollup_day_totals(start, end, types, [item_dim], prefix=prefix), Dim.ALL, "")
    if scope_dim is not Dim.ALL:
        for value, ids in _scope_items(scope_dim, scope_values, catalog).items():
            add(store.rollup_day_totals(start, end, types, [item_dim],
                                        values=[prefix + i for i in ids]), scope_dim, value)
    for (type_, dim, day, value), count in per_day.items():
        days[(type_, dim)].append((day, value, count))
    wanted = list(EventType) if types is None else list(types)
    read: dict[tuple[str, str], frozenset[str] | None] = {(t, Dim.ALL): None for t in wanted}
    if scope_dim is not Dim.ALL:
        read |= {(t, scope_dim): scope_values for t in wanted}
    return read


def _scope_items(dim: Dim, values: frozenset[str], catalog: Catalog) -> dict[str, list[str]]:
    """Each value of the content filter's dimension with the items it stands for: an item
    itself, or the published items of a category or author (the current catalogue)."""
    if dim is Dim.CONTENT:
        return {content_id: [content_id] for content_id in values}
    found: dict[str, list[str]] = {value: [] for value in values}
    for item in catalog:
        value = item.category if dim is Dim.CATEGORY else item.author_id
        if value in found:
            found[value].append(item.id)
    return found


def _add(totals: PeriodTotals, type_: EventType, dim: Dim, value: str, count: int) -> None:
    if count:
        group = totals.setdefault((type_, dim), {})
        group[value] = group.get(value, 0) + count
