"""Each visit's source on its events: remembered per browser session, capped per day.

``VisitSources.start`` keeps the source the page found on a visit's first request (the first
one given for a session wins: a reload opens a new Streamlit session of the same visit).
``properties`` then gives every event of that visit its source and device, and the visit's
first event the rest (``VisitSource.first_event``), so rollups count each visit once.

Referrers, utm values, browsers and OS families come from outside, so ``SourceCap`` admits at
most ``SOURCE_VALUES_PER_DAY`` distinct values per dimension and local day (the rest count as
OTHER_VALUE), starting each day from the values already in that day's rollups, as
``profiles.CompanyCap`` does for companies. Several server instances each admit their own set.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date
from typing import Any

from services.analytics.sources import VisitSource
from services.domain.analytics import OTHER_VALUE, Dim
from services.ports import EventStore

log = logging.getLogger(__name__)

SOURCE_VALUES_PER_DAY = 100
SESSIONS_KEPT = 10_000  # visits whose source is remembered (least recently used go first)
CAPPED = (Dim.REFERRER, Dim.UTM_SOURCE, Dim.UTM_MEDIUM, Dim.UTM_CAMPAIGN, Dim.BROWSER, Dim.OS)


class SourceCap:
    """At most ``limit`` distinct values per capped dimension and local day."""

    def __init__(self, store: EventStore | None, limit: int = SOURCE_VALUES_PER_DAY) -> None:
        self._store = store
        self._limit = limit
        self._lock = threading.Lock()
        self._day: date | None = None
        self._admitted: dict[Dim, set[str]] = {}

    def admit(self, day: date, dim: Dim, value: str) -> str:
        if not value:
            return value
        with self._lock:
            if day != self._day:
                self._day, self._admitted = day, self._already_counted(day)
            admitted = self._admitted.setdefault(dim, set())
            if value in admitted:
                return value
            if len(admitted) < self._limit:
                admitted.add(value)
                return value
            return OTHER_VALUE

    def capped(self, day: date, source: VisitSource) -> VisitSource:
        """The source with each value admitted, or OTHER_VALUE."""
        return replace(
            source,
            referrer=self.admit(day, Dim.REFERRER, source.referrer),
            utm_source=self.admit(day, Dim.UTM_SOURCE, source.utm_source),
            utm_medium=self.admit(day, Dim.UTM_MEDIUM, source.utm_medium),
            utm_campaign=self.admit(day, Dim.UTM_CAMPAIGN, source.utm_campaign),
            browser=self.admit(day, Dim.BROWSER, source.browser),
            os=self.admit(day, Dim.OS, source.os),
        )

    def _already_counted(self, day: date) -> dict[Dim, set[str]]:
        found: dict[Dim, set[str]] = {dim: set() for dim in CAPPED}
        if self._store is None:
            return found
        try:
            rows = self._store.rollups(day, day, dims=CAPPED)
        except Exception:  # start the day empty rather than lose the events
            log.exception("could not read today's sources")
            return found
        for row in rows:
            if row.key.value != OTHER_VALUE:
                found[row.key.dim].add(row.key.value)
        return found


class VisitSources:
    """Per browser session: its source (capped on the day it started) and whether its first
    event was seen."""

    def __init__(self, cap: SourceCap, kept: int = SESSIONS_KEPT) -> None:
        self._cap = cap
        self._kept = kept
        self._lock = threading.Lock()
        # session -> [source, whether an event of the visit was seen]
        self._seen: OrderedDict[str, list[Any]] = OrderedDict()

    def start(self, session_id: str, source: VisitSource, day: date) -> None:
        """Remember the visit's source, unless its session already has one."""
        with self._lock:
            if session_id in self._seen:
                self._seen.move_to_end(session_id)
                return
        capped = self._cap.capped(day, source)  # may read the day's rollups: not under lock
        with self._lock:
            self._seen.setdefault(session_id, [capped, False])
            while len(self._seen) > self._kept:
                self._seen.popitem(last=False)

    def properties(self, session_id: str, first: bool = True) -> dict[str, Any]:
        """The properties an event of this session carries (none when no source is known);
        ``first=False`` never takes the visit's first-event mark."""
        with self._lock:
            entry = self._seen.get(session_id)
            if entry is None:
                return {}
            self._seen.move_to_end(session_id)
            source: VisitSource = entry[0]
            if not first or entry[1]:
                return source.every_event()
            entry[1] = True
        return source.first_event()
