"""What one usage event counts in: ``rollup_keys`` is the single definition of the rollup
counters an event adds 1 to (by type, dimension, segment and item), with the segment values, the
folding of per-item segment rows and the sums of rows (``period_totals``, ``day_totals``) that
the stores' readers and a report's snapshot share. Pure, no I/O; the
vocabulary (types, dimensions, properties) is ``analytics.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo

from services.domain.analytics import (
    CAMPAIGN_ITEM_SEP,
    COMPANY_PROP,
    FROM_PROFILE,
    ITEM_VALUE_SEP,
    ITEM_VISIT_PROP,
    REFERRER_PROP,
    SEARCH_TERM_PROP,
    SEGMENT_PROPS,
    SOURCE_PROP,
    UTM_CAMPAIGN_PROP,
    VISIT_PROP,
    VISIT_PURPOSE_PROP,
    VISIT_SOURCE_DIMS,
    VISIT_SOURCE_PROP,
    WHOLE_DAY,
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
    Purpose,
    RollupKey,
    RollupRow,
    SegmentKind,
    local_day_hour,
    normalize_term,
    segment_value,
)

_CONTENT_TYPES = {EventType.CONTENT_VIEW, EventType.LIKE, EventType.UNLIKE, EventType.DOWNLOAD}


def rollup_keys(event: Event, tz: tzinfo) -> list[RollupKey]:
    """Every rollup counter one event adds 1 to. The single definition of what is counted."""
    day, hour = local_day_hour(event.ts, tz)
    keys = [
        RollupKey(day, hour, event.type, Dim.ALL, ""),
        RollupKey(day, WHOLE_DAY, event.type, Dim.ALL, ""),
    ]
    for dim, value in _dimensions(event):
        if value:
            keys.append(RollupKey(day, WHOLE_DAY, event.type, dim, value))
    # Segments, kept few per event: an item's segment rows add up to its type's segment total,
    # and the hour's per-type totals are the hourly Dim.ALL rows above.
    segments = segments_of(event, hour)
    if event.type in _CONTENT_TYPES and event.content_id:
        keys += [RollupKey(day, WHOLE_DAY, event.type, dim, segment_content(s, event.content_id))
                 for dim, s in segments]
    else:
        keys += [RollupKey(day, WHOLE_DAY, event.type, Dim.SEGMENT, s) for _, s in segments[1:]]
    return keys



def segment_content(segment: str, content_id: str) -> str:
    """A segment of one item: "<kind>=<value>|<content_id>" (ids never hold "|")."""
    return f"{segment}|{content_id}"


def segments_of(event: Event, hour: int) -> list[tuple[Dim, str]]:
    """The segments an event counts in, with the dimension of their item rows: its local hour
    (first), and each visit property it carries."""
    found = [(Dim.SEGMENT_CONTENT_HOUR, _HOUR_SEGMENTS[hour])]
    props = event.properties
    for prop, prefix, dim in _SEGMENT_PREFIXES:  # plain strings: formatting an enum costs more
        value = props.get(prop)
        if value and isinstance(value, str):
            found.append((dim, prefix + value))
    return found


def item_segment(value: str) -> str:
    """The segment of a per-item segment value: "source=a|b" for "source=a|b|<content id>"
    (ids never hold "|"; a source may)."""
    return value.rpartition(ITEM_VALUE_SEP)[0]


def fold_item_segments(rows: Iterable[RollupRow]) -> list[RollupRow]:
    """Per-item segment rows (``SEGMENT_CONTENT_DIMS``) summed over their items: one row per
    (day, hour, type, dim) and segment, valued "<kind>=<value>". What
    ``EventStore.rollups(..., fold=)`` returns."""
    sums: dict[RollupKey, int] = {}
    get = sums.get
    for row in rows:
        day, hour, type_, dim, value = row.key
        key = RollupKey(day, hour, type_, dim, item_segment(value))
        sums[key] = get(key, 0) + row.count
    return [RollupRow(key, count) for key, count in sums.items()]


SEGMENT_CONTENT_DIMS = {SegmentKind.HOUR: Dim.SEGMENT_CONTENT_HOUR,
                        SegmentKind.PURPOSE: Dim.SEGMENT_CONTENT_PURPOSE,
                        SegmentKind.SOURCE: Dim.SEGMENT_CONTENT_SOURCE,
                        SegmentKind.DEVICE: Dim.SEGMENT_CONTENT_DEVICE}
_HOUR_SEGMENTS = [segment_value(SegmentKind.HOUR.value, hour) for hour in range(24)]
_SEGMENT_PREFIXES = [(prop, f"{kind.value}=", SEGMENT_CONTENT_DIMS[kind])
                     for kind, prop in SEGMENT_PROPS.items()]


def _dimensions(event: Event) -> list[tuple[Dim, str | None]]:
    return [*_type_dimensions(event), *_company_dimensions(event), *_source_dimensions(event),
            *_item_dimensions(event)]


def _source_dimensions(event: Event) -> list[tuple[Dim, str | None]]:
    """The visit's source and device on its first event (the one carrying REFERRER_PROP: the
    visit mark alone is also set per signed-in user, see ``_company_dimensions``); the
    campaign with the item on every content view of a campaign's visit."""
    props = event.properties
    # Most events are neither a visit's first nor a campaign's content view: two lookups.
    first = REFERRER_PROP in props and props.get(VISIT_PROP) is True
    campaign = props.get(UTM_CAMPAIGN_PROP) if event.type == EventType.CONTENT_VIEW else None
    if not first and not campaign:
        return []
    dims: list[tuple[Dim, str | None]] = []
    if first and isinstance(props[REFERRER_PROP], str):
        for prop, dim in VISIT_SOURCE_DIMS.items():
            value = props.get(prop)
            if isinstance(value, str):
                dims.append((dim, value))
    if campaign and isinstance(campaign, str):
        dims.append((Dim.CAMPAIGN_CONTENT, f"{campaign}{CAMPAIGN_ITEM_SEP}{event.content_id}"))
    return dims


def item_value(content_id: str, value: str) -> str:
    """A per-item dimension value: "<content_id>|<value>" (ids never hold the separator)."""
    return f"{content_id}{ITEM_VALUE_SEP}{value}"


_ITEM_PROPS = ((Dim.CONTENT_SEARCH, SEARCH_TERM_PROP), (Dim.CONTENT_PURPOSE, VISIT_PURPOSE_PROP),
               (Dim.CONTENT_SOURCE, VISIT_SOURCE_PROP))


def _item_dimensions(event: Event) -> list[tuple[Dim, str | None]]:
    """What one item's own page reads: its visits and where its views came from."""
    content_id = event.content_id
    if event.type != EventType.CONTENT_VIEW or not content_id:
        return []
    props = event.properties
    dims: list[tuple[Dim, str | None]] = []
    if props.get(ITEM_VISIT_PROP) is True:
        dims.append((Dim.CONTENT_VISIT, content_id))
    for dim, name in _ITEM_PROPS:
        value = props.get(name)
        if isinstance(value, str) and dim is Dim.CONTENT_SEARCH:
            value = normalize_term(value)  # an imported event's term is counted as typed
        if isinstance(value, str) and value:
            dims.append((dim, item_value(content_id, value)))
    return dims


def _company_dimensions(event: Event) -> list[tuple[Dim, str | None]]:
    company = event.properties.get(COMPANY_PROP)
    if not company or not isinstance(company, str):
        return []
    dims: list[tuple[Dim, str | None]] = []
    if event.type in (EventType.PAGE_VIEW, EventType.CONTENT_VIEW):
        dims.append((Dim.COMPANY, company))
    if event.properties.get(VISIT_PROP) is True:
        dims.append((Dim.COMPANY_VISIT, company))
    return dims


def _type_dimensions(event: Event) -> list[tuple[Dim, str | None]]:
    props = event.properties
    if event.type in _CONTENT_TYPES:
        return [(Dim.CONTENT, event.content_id), (Dim.CATEGORY, event.category),
                (Dim.AUTHOR, event.author_id)]
    if event.type == EventType.PAGE_VIEW:
        return [(Dim.PAGE, event.page)]
    if event.type == EventType.VISITOR_PURPOSE:
        # Looked up from the profile rather than answered: its own dimension, so the answers
        # (and the skip rate) stay what visitors said when asked.
        dim = Dim.SIGNUP_PURPOSE if props.get(SOURCE_PROP) == FROM_PROFILE else Dim.PURPOSE
        return [(dim, str(props.get("purpose") or Purpose.SKIPPED))]
    if event.type == EventType.SEARCH:
        term = normalize_term(str(props.get("query", "")))
        dims: list[tuple[Dim, str | None]] = [(Dim.SEARCH_TERM, term)]
        if props.get("results") == 0:
            dims.append((Dim.ZERO_RESULT_TERM, term))
        return dims
    return []


def period_totals(rows: Iterable[RollupRow]) -> PeriodTotals:
    """Day-level rows summed over their days, by (type, dim) and value."""
    totals: PeriodTotals = {}
    for row in rows:
        key = row.key
        group = totals.setdefault((key.type, key.dim), {})
        group[key.value] = group.get(key.value, 0) + row.count
    return totals


def day_totals(rows: Iterable[RollupRow]) -> DayTotals:
    """Day-level rows summed over their values, by (type, dim) and day."""
    totals: DayTotals = {}
    for row in rows:
        key = row.key
        group = totals.setdefault((key.type, key.dim), {})
        group[key.day] = group.get(key.day, 0) + row.count
    return totals
