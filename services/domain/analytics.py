"""Usage events and their rollups (DESIGN.md "Data model": Event, Rollups). Pure, no I/O.

Raw events are kept for a while (then expire); dashboards read **rollups**: counters per local day
(and per local hour for event-type totals) by dimension, updated as events are written, plus one
HyperLogLog sketch of visitors per local day so unique visitors over any range need no raw events.

This module holds the vocabulary: event types, dimensions, the properties events carry, the
event and rollup records and the bounds on an event; which counters an event adds to is
``rollups.py``.
"""

from __future__ import annotations

import json
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


# A count shown to people as signed event types: (type, +1 or -1) summed.
Terms = tuple[tuple[EventType, int], ...]
# The one definition of likes wherever a number of likes is shown (tiles, trend, tables,
# item and author pages, insights, reports, digests): like events minus unlike events in the
# period, so it can be negative.
NET_LIKES: Terms = ((EventType.LIKE, 1), (EventType.UNLIKE, -1))


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
# (old, new): page names the sample traffic once recorded for a page the app does not have,
# and the page it records instead. Each event store renames its sample page views (never
# anyone else's) when it opens; after the first time there is nothing left to rename.
RETIRED_SAMPLE_PAGES: tuple[tuple[str, str], ...] = (("search", "browse"),)


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
        """Who counts as one visitor: the browser's visit, signed in or not. Counting the user
        once signed in made a browser that signs in two visitors that day (its anonymous
        pages and the user), and the day's sketches cannot merge the two afterwards."""
        return f"s:{self.session_id}"


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


def normalize_term(query: str) -> str:
    """Search terms are counted case-folded with single spaces, so "Bedrock " == "bedrock"."""
    return " ".join(query.casefold().split())[:SEARCH_TERM_MAX]


def local_day_hour(ts: datetime, tz: tzinfo) -> tuple[date, int]:
    local = ts.astimezone(tz)
    return local.date(), local.hour


def segment_value(kind: SegmentKind | str, value: object) -> str:
    """A segment as a rollup value: "purpose=research", "hour=9"."""
    return f"{kind}={value}"



def company_value(company: str) -> str:
    """A company as a dimension value: single spaces, at most COMPANY_MAX characters."""
    return " ".join(company.split())[:COMPANY_MAX]

