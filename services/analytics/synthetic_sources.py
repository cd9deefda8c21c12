"""Sources and devices for synthetic visits (the demo seeding and the benchmark), recorded as
the analytics service records a real visit's: every event carries the visit's label and
device (and campaign), its first event the rest (``VisitSource.first_event``)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace

from services.analytics.sources import VisitSource
from services.domain.analytics import FROM_PROFILE, SOURCE_PROP, Device, Event

_DEVICES = [(Device.DESKTOP, "Chrome", "Windows"), (Device.DESKTOP, "Chrome", "Windows"),
            (Device.DESKTOP, "Safari", "Mac OS X"), (Device.DESKTOP, "Edge", "Windows"),
            (Device.MOBILE, "Mobile Safari", "iOS"), (Device.MOBILE, "Chrome Mobile", "Android"),
            (Device.MOBILE, "Samsung Internet", "Android"), (Device.TABLET, "Mobile Safari", "iOS"),
            (Device.BOT, "Googlebot", "Other")]
# What the app can record of a visit (``services.analytics.sources``): no Referer reaches it, so
# an untagged visit (a search engine's, a bookmark's) is direct, and a referring site is only
# what a link's ``ref`` tag names. The seeded origins used to name search engines and t.co as
# referrers, which no visit to the app could show.
_ORIGINS = [
    VisitSource(), VisitSource(), VisitSource(), VisitSource(), VisitSource(), VisitSource(),
    VisitSource(referrer="aws.amazon.com"), VisitSource(referrer="aws.amazon.com"),
    VisitSource(referrer="blog.naver.com"), VisitSource(referrer="slack.com"),
    VisitSource(utm_source="newsletter", utm_medium="email", utm_campaign="spring-webinar"),
    VisitSource(utm_source="newsletter", utm_medium="email", utm_campaign="monthly-digest"),
    VisitSource(utm_source="linkedin", utm_medium="social", utm_campaign="spring-webinar"),
    VisitSource(utm_source="partner-portal", utm_medium="referral", utm_campaign="launch"),
]
SOURCES = [replace(origin, device=d, browser=b, os=o)
           for origin in _ORIGINS for d, b, o in _DEVICES]


def source_of(session_id: str) -> VisitSource:
    """A visit's source, the same for every event of the session."""
    return SOURCES[zlib.crc32(session_id.encode()) % len(SOURCES)]


def with_sources(events: Iterable[Event]) -> Iterator[Event]:
    """The events with their visit's source; a session's first event in the stream is its
    first (synthetic streams are in time order)."""
    seen: set[str] = set()
    for event in events:
        source = source_of(event.session_id)
        # A purpose looked up from the profile is recorded beside the visit's first event,
        # not as it (``AnalyticsService._visit``).
        first = event.session_id not in seen and (
            event.properties.get(SOURCE_PROP) != FROM_PROFILE)
        if first:
            seen.add(event.session_id)
        extra = source.first_event() if first else source.every_event()
        yield replace(event, properties={**event.properties, **extra})
