"""One segment's share of the rollups (click to filter by purpose, source, device or hour).

Segments are counted at ingest (``rollup_keys``: ``Dim.SEGMENT`` per type and
``Dim.SEGMENT_CONTENT`` per item), one kind at a time, so one segment filter applies at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.analytics.tables import Catalog, Rollups
from services.domain.analytics import (
    WHOLE_DAY,
    Dim,
    EventType,
    RollupKey,
    RollupRow,
    Segment,
    SegmentKind,
)

_SPLIT_DIMS = (Dim.ALL, Dim.CONTENT, Dim.CATEGORY, Dim.AUTHOR, Dim.SEGMENT, Dim.SEGMENT_CONTENT)


def segmented(rollups: Rollups, segment: Segment, catalog: Catalog,
              hourly: Iterable[RollupRow] = ()) -> Rollups:
    """The rollups of one segment, shaped like the whole: per-type totals from ``Dim.SEGMENT``
    plus the per-item rows of content events (for an hour: the ``hourly`` Dim.ALL rows),
    per-item counts from ``Dim.SEGMENT_CONTENT``, and categories and authors derived from the
    items through the current catalogue (events of items no longer published count in the
    totals only). Dimensions a segment does not split (purposes, search terms, companies) are
    kept whole: callers say so rather than show them as split."""
    key, prefix = segment.key, segment.key + "|"
    rows: list[RollupRow] = []
    by_hour = segment.kind is SegmentKind.HOUR
    if by_hour:
        hour = int(segment.value)
        rows += [RollupRow(RollupKey(row.key.day, WHOLE_DAY, row.key.type, Dim.ALL, ""),
                           row.count)
                 for row in hourly if row.key.hour == hour and row.key.dim == Dim.ALL]
    for type_, dim, entries in rollups.groups():
        if dim is Dim.SEGMENT:
            rows += [RollupRow(RollupKey(day, WHOLE_DAY, type_, Dim.ALL, ""), count)
                     for day, value, count in entries if value == key]
        elif dim is Dim.SEGMENT_CONTENT:
            for day, value, count in entries:
                if value.startswith(prefix):
                    rows += _item_rows(day, type_, value[len(prefix):], count, catalog)
                    if not by_hour:
                        rows.append(RollupRow(RollupKey(day, WHOLE_DAY, type_, Dim.ALL, ""),
                                              count))
        elif dim not in _SPLIT_DIMS:
            rows += [RollupRow(RollupKey(day, WHOLE_DAY, type_, dim, value), count)
                     for day, value, count in entries]
    return Rollups(rows)


def _item_rows(day: date, type_: EventType, content_id: str, count: int,
               catalog: Catalog) -> list[RollupRow]:
    rows = [RollupRow(RollupKey(day, WHOLE_DAY, type_, Dim.CONTENT, content_id), count)]
    item = catalog.get(content_id)
    if item is not None:
        rows.append(RollupRow(RollupKey(day, WHOLE_DAY, type_, Dim.CATEGORY, item.category),
                              count))
        rows.append(RollupRow(RollupKey(day, WHOLE_DAY, type_, Dim.AUTHOR, item.author_id),
                              count))
    return rows


