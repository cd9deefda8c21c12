"""Usage events and their rollups (DESIGN.md "Data model": Event, Rollups). Pure, no I/O.

Raw events are kept for a while (then expire); dashboards read **rollups**: counters per local day
(and per local hour for event-type totals) by dimension, updated as events are written, plus one
HyperLogLog sketch of visitors per local day so unique visitors over any range need no raw events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any, NamedTuple


class EventType(StrEnum):
    PAGE_VIEW = "page_view"
    CONTENT_VIEW = "content_view"
    SEARCH = "search"
    DOWNLOAD = "download"
    LIKE = "like"
    UNLIKE = "unlike"
    VISITOR_PURPOSE = "visitor_purpose"
    REPORT_GENERATED = "report_generated"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"


class Purpose(StrEnum):
    """Why a visitor came; asked once per browser session. SKIPPED counts the skips."""

    AWS_INTERNAL = "aws-internal"
    CUSTOMER_DEMO = "customer-demo"
    PARTNER = "partner-collaboration"
    TECH_EVALUATION = "technical-evaluation"
    BUSINESS_DEVELOPMENT = "business-development"
    EDUCATION = "education-training"
    RESEARCH = "research"
    OTHER = "other"
    SKIPPED = "skipped"


class Dim(StrEnum):
    """Rollup dimensions. ALL is the per-type total (kept per hour as well as per day)."""

    ALL = "all"
    CATEGORY = "category"
    CONTENT = "content"
    AUTHOR = "author"
    PAGE = "page"
    PURPOSE = "purpose"
    SEARCH_TERM = "search_term"
    ZERO_RESULT_TERM = "zero_result_term"
    # From the profile of a signed-in user (self-service sign-up): the purpose they gave, and
    # their company (page and content views, and visits: one per browser session).
    SIGNUP_PURPOSE = "signup_purpose"
    COMPANY = "company"
    COMPANY_VISIT = "company_visit"
    # Sources and devices, counted once per visit (on its first event, see ``REFERRER_PROP``),
    # each capped per day (``services.analytics.visit_sources``); and per content view, the
    # visit's campaign with the item ("campaign|content_id").
    REFERRER = "referrer"
    UTM_SOURCE = "utm_source"
    UTM_MEDIUM = "utm_medium"
    UTM_CAMPAIGN = "utm_campaign"
    DEVICE = "device"
    BROWSER = "browser"
    OS = "os"
    CAMPAIGN_CONTENT = "campaign_content"
    # Per item, for its own page (content views only; values "<content_id>" or
    # "<content_id>|<value>"): visits (a browser session once per item and local day), the
    # search term that led to the view, and the visit's purpose and source when known.
    CONTENT_VISIT = "content_visit"
    CONTENT_SEARCH = "content_search"
    CONTENT_PURPOSE = "content_purpose"
    CONTENT_SOURCE = "content_source"
    # Segments (click to filter): value "<kind>=<value>" per type, except for content events:
    # "<kind>=<value>|<content_id>" (per item; their sum is the type's total). No per-type row
    # for the hour kind: the hourly ALL rows are those.
    SEGMENT = "segment"
    # One dimension per kind, so that a segment filter reads only its own kind's item rows.
    SEGMENT_CONTENT_HOUR = "segment_content_hour"
    SEGMENT_CONTENT_PURPOSE = "segment_content_purpose"
    SEGMENT_CONTENT_SOURCE = "segment_content_source"
    SEGMENT_CONTENT_DEVICE = "segment_content_device"


# Event properties the analytics service adds for a signed-in user with a profile.
COMPANY_PROP = "company"  # already capped per day (see ``CompanyCap``)
VISIT_PROP = "visit"  # true on the first event of a browser session
SOURCE_PROP = "source"  # on a visitor_purpose event: "profile" when not asked but looked up
FROM_PROFILE = "profile"
# On a content_view: the last search term of the visit (normalised), and the mark of the
# visit's first view of the item that local day (what "unique visitors" of an item count).
SEARCH_TERM_PROP = "q"
ITEM_VISIT_PROP = "item_visit"
ITEM_VALUE_SEP = "|"  # between the content id and the value in the per-item dimensions
# Visit properties every event of a visit carries once known (absent: unknown): ``vp`` is
# stamped by the analytics service once the visitor answered (or from their sign-up); ``src``
# and ``dev`` come with the visit's source (see "Where a visit came from" below).
VISIT_PURPOSE_PROP = "vp"
SRC_PROP = "src"  # utm_source if given, else the referrer host, else DIRECT
DEVICE_PROP = "dev"  # a ``Device``
VISIT_SOURCE_PROP = SOURCE_LABEL_PROP = SRC_PROP


class SegmentKind(StrEnum):
    """What a segment filter splits by: a visit property, or the event's local hour."""

    PURPOSE = "purpose"
    SOURCE = "source"
    DEVICE = "device"
    HOUR = "hour"


@dataclass(frozen=True)
class Segment:
    """A segment filter: the events of visits with this purpose, source or device, or of this
    local hour (``Dim.SEGMENT`` rollups)."""

    kind: SegmentKind
    value: str

    @property
    def key(self) -> str:
        """The rollup value: "purpose=research"."""
        return segment_value(self.kind, self.value)


SEGMENT_PROPS = {SegmentKind.PURPOSE: VISIT_PURPOSE_PROP, SegmentKind.SOURCE: SOURCE_LABEL_PROP,
                 SegmentKind.DEVICE: DEVICE_PROP}
# What a company beyond the day's cap is counted as (one typed so is counted with them).
OTHER_COMPANY = "(other)"
COMPANY_MAX = 80  # characters of a company name kept as a dimension value

# Where a visit came from and on what (``services.analytics.sources``). Every event of a visit
# whose source is known carries SRC_PROP and DEVICE_PROP (and UTM_CAMPAIGN_PROP when it came
# from a campaign); only its first event (VISIT_PROP) carries the others, REFERRER_PROP always.
REFERRER_PROP = "ref"  # the referrer host, DIRECT when none or the app itself
UTM_SOURCE_PROP = "utm_source"
UTM_MEDIUM_PROP = "utm_medium"
UTM_CAMPAIGN_PROP = "utm_campaign"
BROWSER_PROP = "br"  # browser family, e.g. "Chrome"
OS_PROP = "os"  # operating-system family, e.g. "iOS"
DIRECT = "(direct)"
UNKNOWN_SEGMENT = "(unknown)"  # a source or device driver's value for visits of no known one
OTHER_VALUE = OTHER_COMPANY  # a source or device value beyond the day's cap
SOURCE_VALUE_MAX = 80  # characters of a host, utm value, browser or OS kept
CAMPAIGN_ITEM_SEP = "|"  # Dim.CAMPAIGN_CONTENT values: "<campaign>|<content_id>"
# First-event property -> the dimension it is counted in.
VISIT_SOURCE_DIMS = {
    REFERRER_PROP: Dim.REFERRER, UTM_SOURCE_PROP: Dim.UTM_SOURCE, UTM_MEDIUM_PROP: Dim.UTM_MEDIUM,
    UTM_CAMPAIGN_PROP: Dim.UTM_CAMPAIGN, DEVICE_PROP: Dim.DEVICE, BROWSER_PROP: Dim.BROWSER,
    OS_PROP: Dim.OS,
}


class Device(StrEnum):
    DESKTOP = "desktop"
    MOBILE = "mobile"
    TABLET = "tablet"
    BOT = "bot"
    OTHER = "other"


WHOLE_DAY = -1  # the ``hour`` of a day-level rollup row


@dataclass(frozen=True)
class Event:
    id: str  # ULID; re-writing the same id is a no-op (imports, retries)
    ts: datetime  # tz-aware, stored in UTC
    type: EventType
    session_id: str
    user_id: str | None = None
    page: str | None = None
    content_id: str | None = None
    category: str | None = None
    author_id: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    # Demo traffic (synthetic events for the sample content): stores keep its share of the
    # rollups apart, so removing the samples removes exactly what these events added.
    sample: bool = False

    @property
    def visitor_id(self) -> str:
        """Who counts as one visitor: the signed-in user, else the browser session."""
        return f"u:{self.user_id}" if self.user_id else f"s:{self.session_id}"


class RollupKey(NamedTuple):
    """A tuple: built several times per event at ingest, where a dataclass costs twice as much."""

    day: date  # local day (settings.timezone)
    hour: int  # local hour 0-23, or WHOLE_DAY
    type: EventType
    dim: Dim
    value: str  # "" for Dim.ALL


@dataclass(frozen=True)
class RollupRow:
    key: RollupKey
    count: int


# ``EventStore.rollup_totals``: (type, dim) -> value -> events summed over a period's days.
PeriodTotals = dict[tuple[EventType, Dim], dict[str, int]]
DayTotals = dict[tuple[EventType, Dim], dict[date, int]]  # ``rollup_day_totals``: by day


SEARCH_TERM_MAX = 100

# Bounds on what one visitor's input can put into an event (the search box's max_chars is
# SEARCH_QUERY_MAX too). EVENT_BYTES_MAX is far below DynamoDB's 400 KB item limit: an event
# over it is refused by the tracker, never buffered.
SEARCH_QUERY_MAX = 200
TEXT_MAX = 200  # any other text field or property value, in characters
PROPERTIES_MAX = 20
PROPERTY_NAME_MAX = 64
EVENT_BYTES_MAX = 16_384


def bounded_text(value: str, limit: int = TEXT_MAX) -> str:
    return value[:limit]


def bounded_properties(properties: dict[str, Any]) -> dict[str, Any]:
    """At most PROPERTIES_MAX properties; numbers, flags and None kept as they are, text cut
    to TEXT_MAX, anything else kept as its (cut) text."""
    bounded: dict[str, Any] = {}
    for name, value in list(properties.items())[:PROPERTIES_MAX]:
        if value is not None and not isinstance(value, bool | int | float | str):
            value = str(value)
        if isinstance(value, str):
            value = bounded_text(value)
        bounded[bounded_text(str(name), PROPERTY_NAME_MAX)] = value
    return bounded


def event_bytes(event: Event) -> int:
    """The event's size as UTF-8 JSON, about what a store keeps. ValueError when it cannot be
    stored at all (text that is not valid Unicode, a value JSON cannot hold)."""
    fields = (event.id, event.type, event.session_id, event.user_id, event.page,
              event.content_id, event.category, event.author_id)
    try:
        text = json.dumps([*fields, event.properties], ensure_ascii=False)
        return len(text.encode("utf-8"))
    except (TypeError, UnicodeEncodeError) as exc:
        raise ValueError(f"event {event.id} cannot be stored: {exc}") from None
_CONTENT_TYPES = {EventType.CONTENT_VIEW, EventType.LIKE, EventType.UNLIKE, EventType.DOWNLOAD}


def normalize_term(query: str) -> str:
    """Search terms are counted case-folded with single spaces, so "Bedrock " == "bedrock"."""
    return " ".join(query.casefold().split())[:SEARCH_TERM_MAX]


def local_day_hour(ts: datetime, tz: tzinfo) -> tuple[date, int]:
    local = ts.astimezone(tz)
    return local.date(), local.hour


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


def segment_value(kind: SegmentKind | str, value: object) -> str:
    """A segment as a rollup value: "purpose=research", "hour=9"."""
    return f"{kind}={value}"


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


def company_value(company: str) -> str:
    """A company as a dimension value: single spaces, at most COMPANY_MAX characters."""
    return " ".join(company.split())[:COMPANY_MAX]
