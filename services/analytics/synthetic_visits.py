"""One synthetic visit's events, stamped as the analytics service stamps a real visit's
(pure; drawn by ``services.analytics.synthetic``)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, tzinfo
from typing import Any

from services.analytics.item_trail import ItemTrail
from services.analytics.synthetic_users import SyntheticUser
from services.domain.analytics import (
    COMPANY_PROP,
    FROM_PROFILE,
    SOURCE_PROP,
    VISIT_PROP,
    VISIT_PURPOSE_PROP,
    Event,
    EventType,
    Purpose,
    local_day_hour,
)


class Visit:
    """Events of one browser session, a few seconds to a few minutes apart. They carry what
    the analytics service stamps on them: from the visitor's answer on, the visit's purpose
    (``vp``, none after a skip); a signed-in user's company (and the visit mark on the first of
    their events) and sign-up purpose (``synthetic_users``); on content views the last search
    term and the visit mark (``ItemTrail``)."""

    def __init__(self, rng: random.Random, session_id: str, user: SyntheticUser | None,
                 start: datetime, sample: bool, tz: tzinfo) -> None:
        self._rng = rng
        self._sample = sample
        self._tz = tz
        self._trail = ItemTrail(max_visits=1)
        self._user = user
        self._profiled = False  # the user's profile was looked up (their first event)
        self.session_id = session_id
        self.user_id = user.id if user is not None else None
        self._epoch = start.timestamp()  # seconds: cheaper to step than datetimes
        self._purpose: str | None = None
        self.events: list[Event] = []

    def answered(self, purpose: Purpose) -> None:
        """As ``VisitPurposes.remember``: a skip is not a purpose, the visit stays unknown."""
        self._purpose = None if purpose is Purpose.SKIPPED else purpose.value

    @property
    def next_millis(self) -> int:
        """The Unix time in milliseconds of the next event added."""
        return int(self._epoch * 1000)

    def add(self, type_: EventType, **fields: Any) -> None:
        user = fields.pop("user_id", self.user_id)
        millis = self.next_millis
        ts = datetime.fromtimestamp(millis / 1000, UTC)
        props = dict(fields.pop("properties", {}))
        if type_ is EventType.SEARCH:
            self._trail.searched(self.session_id, props["query"])
        elif type_ is EventType.CONTENT_VIEW:
            day, _ = local_day_hour(ts, self._tz)
            props.update(self._trail.viewed(self.session_id, fields["content_id"], day))
        if user is not None and self._user is not None:
            props.update(self._profile())
        if self._purpose is not None:
            props[VISIT_PURPOSE_PROP] = self._purpose
        self._append(millis, ts, type_, user, properties=props, **fields)
        self._epoch += self._rng.uniform(3, 150)

    def _append(self, millis: int, ts: datetime, type_: EventType, user: str | None,
                **fields: Any) -> None:
        self.events.append(Event(
            id=ulid_text(millis, self._rng.getrandbits(80)),
            ts=ts,
            type=type_,
            session_id=self.session_id,
            user_id=user,
            sample=self._sample,
            **fields,
        ))

    def _profile(self) -> dict[str, Any]:
        """What the user's profile adds to this event of theirs. At their first event, the
        purpose given at sign-up goes first as its own event, and the visit then has it."""
        assert self._user is not None
        extra: dict[str, Any] = {COMPANY_PROP: self._user.company} if self._user.company else {}
        if self._profiled:
            return extra
        self._profiled = True
        if extra:
            extra[VISIT_PROP] = True
        if self._user.purpose is not None:
            self._purpose = self._user.purpose.value
            # A millisecond before the event that looked it up: in time order, as recorded.
            looked_up = {"purpose": self._purpose, SOURCE_PROP: FROM_PROFILE,
                         VISIT_PURPOSE_PROP: self._purpose}
            millis = self.next_millis - 1
            self._append(millis, datetime.fromtimestamp(millis / 1000, UTC),
                         EventType.VISITOR_PURPOSE, self._user.id, properties=looked_up)
        return extra


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]
_SHIFTS = range(110, -1, -10)


def ulid_text(millis: int, randomness: int) -> str:
    """The ULID of a Unix time in milliseconds and 80 random bits, as text.

    Hand-rolled because python-ulid takes ~15 us per id, which is most of the cost of
    generating millions of events; a test checks both agree.
    """
    value = (millis << 80) | randomness
    head = _CROCKFORD[value >> 125] + _CROCKFORD[(value >> 120) & 31]
    return head + "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])
