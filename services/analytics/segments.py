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
    SEGMENT_CONTENT_DIMS,
    Dim,
    EventType,
    RollupRow,
    Segment,
    SegmentKind,
)
from services.ports import EventStore

_SPLIT_DIMS = (Dim.ALL, Dim.CONTENT, Dim.CATEGORY, Dim.AUTHOR, Dim.SEGMENT,
               *SEGMENT_CONTENT_DIMS.values())


def segment_dims(segment: Segment) -> list[Dim]:
    """The dimensions one segment's rollups are read from."""
    content = SEGMENT_CONTENT_DIMS[segment.kind]
    return [content] if segment.kind is SegmentKind.HOUR else [Dim.SEGMENT, content]


def segment_rows(store: EventStore, start: date, end: date, segment: Segment,
                 types: Collection[EventType] | None) -> list[RollupRow]:
    """One segment's rollup rows of days start..end, and only its: the per-type totals
    ("purpose=research") and per-item rows ("purpose=research|<item>") share the segment's
    key as a prefix (an hour has per-item rows only: "hour=1|" so that "hour=10|" is not
    read). Rows of another segment whose key merely starts the same ("source=x" and
    "source=x.com") can come along; ``segmented`` keeps the exact ones."""
    prefix = segment.key + "|" if segment.kind is SegmentKind.HOUR else segment.key
    return store.rollups(start, end, types=types, dims=segment_dims(segment), prefix=prefix)


def segmented(rollups: Rollups, segment: Segment, catalog: Catalog,
              hourly: Iterable[RollupRow] = ()) -> Rollups:
    """The rollups of one segment, shaped like the whole: per-type totals from ``Dim.SEGMENT``
    plus the per-item rows of content events (for an hour: the ``hourly`` Dim.ALL rows),
    per-item counts from the kind's ``SEGMENT_CONTENT_DIMS``, and categories and authors
    derived from the items through the current catalogue (events of items no longer published
    count in the totals only). Dimensions a segment does not split (purposes, search terms,
    companies) are kept whole: callers say so rather than show them as split."""
    key, prefix = segment.key, segment.key + "|"
    groups: defaultdict[tuple[str, str], list[tuple[date, str, int]]] = defaultdict(list)
    by_hour = segment.kind is SegmentKind.HOUR
    item_dim = SEGMENT_CONTENT_DIMS[segment.kind]
    if by_hour:
        hour = int(segment.value)
        for row in hourly:
            if row.key.hour == hour and row.key.dim == Dim.ALL:
                groups[(row.key.type, Dim.ALL)].append((row.key.day, "", row.count))
    for type_, dim, entries in rollups.groups():
        if dim is Dim.SEGMENT:
            groups[(type_, Dim.ALL)] += [(day, "", count) for day, value, count in entries
                                         if value == key]
        elif dim is item_dim:
            _add_items(groups, type_, entries, prefix, catalog, totals=not by_hour)
        elif dim not in _SPLIT_DIMS:
            groups[(type_, dim)] = entries  # not split: shared, never modified
    return Rollups.of_groups(groups)


def _add_items(groups: defaultdict[tuple[str, str], list[tuple[date, str, int]]],
               type_: EventType, entries: list[tuple[date, str, int]], prefix: str,
               catalog: Catalog, totals: bool) -> None:
    """One type's per-item segment rows as CONTENT rows, CATEGORY and AUTHOR rows through the
    catalogue, and (``totals``) the type's ALL rows."""
    items, categories = groups[(type_, Dim.CONTENT)], groups[(type_, Dim.CATEGORY)]
    authors, everything = groups[(type_, Dim.AUTHOR)], groups[(type_, Dim.ALL)]
    cut = len(prefix)
    for day, value, count in entries:
        if not value.startswith(prefix):
            continue
        content_id = value[cut:]
        items.append((day, content_id, count))
        item = catalog.get(content_id)
        if item is not None:
            categories.append((day, item.category, count))
            authors.append((day, item.author_id, count))
        if totals:
            everything.append((day, "", count))
