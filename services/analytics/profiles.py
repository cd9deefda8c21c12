"""What sign-up learned about a signed-in user, for the usage events: their purpose and company.

The profile is looked up once per browser session (and user), never per event: ``VisitProfiles``
remembers the answer for the most recent sessions. Companies are user-typed, so ``CompanyCap``
admits at most ``COMPANIES_PER_DAY`` distinct companies per local day into the rollups (the rest
are counted as ``OTHER_COMPANY``); it starts each day from the companies already in that day's
rollups, so a restart does not admit a new set. Several server instances each admit their own
set, so the bound per day is ``COMPANIES_PER_DAY`` times the number of instances.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from services.domain.analytics import OTHER_COMPANY, Dim, Purpose, company_value
from services.domain.users import User
from services.errors import NotFound
from services.ports import EventStore

log = logging.getLogger(__name__)

COMPANIES_PER_DAY = 100
SESSIONS_KEPT = 10_000  # sessions whose profile is remembered (least recently used go first)


@dataclass(frozen=True)
class VisitProfile:
    purpose: Purpose | None = None
    company: str = ""  # as a dimension value (``company_value``), before the day's cap


NO_PROFILE = VisitProfile()


def profile_of(user: User) -> VisitProfile:
    purposes = {p.value for p in Purpose if p is not Purpose.SKIPPED}
    purpose = Purpose(user.purpose) if user.purpose in purposes else None
    return VisitProfile(purpose, company_value(user.company or ""))


class VisitProfiles:
    """``lookup(session_id, user_id, event)``: the profile, and whether this is the session's
    first event (the start of the visit; ``event=False`` looks without starting it). A failing
    lookup counts as no profile, never an error."""

    def __init__(self, find_user: Callable[[str], User] | None,
                 kept: int = SESSIONS_KEPT) -> None:
        self._find_user = find_user
        self._kept = kept
        self._lock = threading.Lock()
        # (session, user) -> [profile, whether an event of the visit was seen]
        self._seen: OrderedDict[tuple[str, str], list[object]] = OrderedDict()

    def lookup(self, session_id: str, user_id: str, event: bool = True) -> tuple[VisitProfile,
                                                                                 bool]:
        key = (session_id, user_id)
        with self._lock:
            entry = self._seen.get(key)
        # The lookup itself runs outside the lock (it may be a network call).
        loaded = self._load(user_id) if entry is None else entry[0]
        with self._lock:
            entry = self._seen.get(key)
            if entry is None:
                entry = self._seen[key] = [loaded, False]
                while len(self._seen) > self._kept:
                    self._seen.popitem(last=False)
            self._seen.move_to_end(key)
            first = event and not entry[1]
            if first:
                entry[1] = True
            profile = entry[0]
        assert isinstance(profile, VisitProfile)
        return profile, first

    def _load(self, user_id: str) -> VisitProfile:
        if self._find_user is None:
            return NO_PROFILE
        try:
            return profile_of(self._find_user(user_id))
        except NotFound:
            return NO_PROFILE
        except Exception:  # a profile is a nicety: tracking carries on without it
            log.exception("could not look up the profile of a signed-in user")
            return NO_PROFILE


class CompanyCap:
    """At most ``limit`` distinct companies per local day; the rest are OTHER_COMPANY."""

    def __init__(self, store: EventStore | None, limit: int = COMPANIES_PER_DAY) -> None:
        self._store = store
        self._limit = limit
        self._lock = threading.Lock()
        self._day: date | None = None
        self._admitted: set[str] = set()

    def admit(self, day: date, company: str) -> str:
        if not company:
            return ""
        with self._lock:
            if day != self._day:
                self._day, self._admitted = day, self._already_counted(day)
            if company in self._admitted:
                return company
            if len(self._admitted) < self._limit:
                self._admitted.add(company)
                return company
            return OTHER_COMPANY

    def _already_counted(self, day: date) -> set[str]:
        if self._store is None:
            return set()
        try:
            rows = self._store.rollups(day, day, dims=[Dim.COMPANY, Dim.COMPANY_VISIT])
        except Exception:  # start the day empty rather than lose the events
            log.exception("could not read today's companies")
            return set()
        return {row.key.value for row in rows if row.key.value != OTHER_COMPANY}


class VisitPurposes:
    """The purpose of each recent browser session once known (answered, or from sign-up), so
    that every later event of the visit carries it (``vp``) and can be split by it. Sessions
    stick to one server, so this memory is per process; the least recently used go first."""

    def __init__(self, kept: int = SESSIONS_KEPT) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._purposes: OrderedDict[str, str] = OrderedDict()

    def remember(self, session_id: str, purpose: Purpose) -> None:
        if purpose is Purpose.SKIPPED:  # a skip is not a purpose: the visit stays unknown
            return
        with self._lock:
            self._purposes[session_id] = purpose.value
            self._purposes.move_to_end(session_id)
            while len(self._purposes) > self._kept:
                self._purposes.popitem(last=False)

    def get(self, session_id: str) -> str | None:
        with self._lock:
            return self._purposes.get(session_id)
