"""Usage events, their rollups and the sinks fed at ingest; followed metrics.

Protocols; import them from ``services.ports``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Protocol

from services.domain.analytics import (
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
    RollupRow,
)
from services.domain.cohorts import CohortCell, DayUsers
from services.domain.follows import Digest, Follow, Frequency
from services.domain.funnels import Funnel
from services.domain.hll import HyperLogLog
from services.domain.live import LiveSnapshot


class EventStore(Protocol):
    """Raw usage events plus the rollups and visitor sketches derived from them.

    Rollups are bucketed by local day/hour in the store's time zone (given to the adapter);
    ``services.domain.rollups.rollup_keys`` is the one definition of what an event adds.
    """

    def append(self, events: Sequence[Event]) -> list[Event]:
        """Store the events whose ids are new and add exactly those to the rollups and the
        day's visitor sketch, atomically per event (a retry never double-counts).
        Returns the events stored by this call (the first of each new id), so that what
        follows from them (an item's view counter) moves once however many writers met."""

    def rollups(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        hourly: bool = False,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
        fold: Collection[Dim] = (),
        hour: int | None = None,
    ) -> list[RollupRow]:
        """Rollup rows for local days start..end inclusive (day-level rows, or with
        ``hourly`` the per-hour Dim.ALL rows), optionally only some types and dims, and only
        rows whose value is one of ``values`` and/or starts with ``prefix`` (one item's or one
        segment's rows: a view that needs those should not pay for every value's).
        ``fold``: per-item segment dimensions (``SEGMENT_CONTENT_DIMS``) read besides
        ``dims``, their rows summed over the items (``fold_item_segments``): the insights'
        source and device drivers need one row per segment and day, not one per item, and an
        adapter can keep those sums for days that no longer change. ``hour`` (with
        ``hourly``): that local hour's rows only (a filter by hour needs 1/24 of them)."""

    def rollup_totals(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> PeriodTotals:
        """The day-level rows ``rollups`` would return, summed over the days by (type, dim)
        and value (only pairs with rows are present). A period table needs only these, and
        an adapter can keep the sums of days that no longer change (a warm read then costs
        the number of values, not days x values). The result is the caller's to keep."""

    def rollup_day_totals(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> DayTotals:
        """The same day-level rows summed over their values, by (type, dim) and day (only
        days with rows are present): a trend of many values (one segment's items) reads one
        number per day, not one row per day and value. The result is the caller's to keep."""

    def visitors(self, start: date, end: date) -> HyperLogLog:
        """The merged visitor sketch of local days start..end inclusive."""

    def one_moment(self) -> AbstractContextManager[bool]:
        """A block whose reads see the store at one moment, where the store can: it yields True
        when the reads made on this thread inside it (and only those: a read on another
        thread is outside) see no event appended after the first of them (SQLite: one read
        transaction), False when each read sees its own moment (DynamoDB has no snapshot
        across Queries). A view of several reads (``services.analytics.snapshot``) uses it."""

    def raw_events(self, since: datetime, until: datetime) -> Iterator[Event]:
        """Raw events with since <= ts < until, oldest first (for baselines and checks;
        dashboards never call this)."""

    def forget_user(self, user_id: str, since: datetime, until: datetime) -> int:
        """Remove ``user_id`` from the raw events with since <= ts < until (a deleted
        account's): the events, rollups and visitor sketches stay as they are. Returns how many
        events lost the id."""

    def rekey_author(self, old: str, new: str, since: datetime, until: datetime) -> int:
        """A deleted author's user name ``old`` goes out of the analytics: every AUTHOR rollup
        counter (and its sample copy) of any day adds to ``new`` instead, and the raw events
        with since <= ts < until carry ``new`` as ``author_id``. Every other counter and the
        visitor sketches stay. Safe to re-run (nothing left to move: 0). Returns how many
        events the moved counters held."""

    def rename_sample_page(self, old: str, new: str) -> int:
        """The page views appended with ``sample=True`` and page ``old`` record ``new``
        instead: their raw events and what they counted under the page, on every day (even
        when the raw events were pruned); everyone else's page views of ``old`` stay. The
        store runs it when it opens for each of ``domain.analytics.RETIRED_SAMPLE_PAGES``.
        Safe to re-run (nothing left to rename: 0). Returns how many page views moved."""

    def remove_samples(self) -> int:
        """Take out every event appended with ``sample=True``: its raw event, its rollup counts
        and its visitors, leaving rollups and sketches equal to those of a store that never had
        it (even when the raw events were pruned). Returns how many sample events were counted.
        """


class EventSink(Protocol):
    """Something counted from events at ingest besides the rollups (funnels, cohorts, the live
    window): fed every batch right after ``EventStore.append`` by ``analytics.ingest``.

    A batch can be delivered again (a retry after a failure, an import run twice) and may hold
    events the store already had: ``ingest`` must change nothing for an event it has seen, so
    it is idempotent per event id (or per the fact it records) and atomic per fact.
    """

    def ingest(self, events: Sequence[Event]) -> None: ...

    def remove_samples(self) -> None:
        """Take out what events appended with ``sample=True`` added, as ``EventStore`` does."""


class CohortStore(EventSink, Protocol):
    """Returning signed-in users (``services.domain.cohorts``), counted at ingest: each user's
    first day and active weeks and days, and counters of cohort x week and new / returning
    per day. Events without ``user_id`` are not counted."""

    def cohort_cells(self, first_week: date, last_week: date) -> list[CohortCell]:
        """Every counter of the cohorts starting ``first_week``..``last_week`` (Mondays)."""

    def new_returning(self, start: date, end: date) -> list[DayUsers]:
        """New and returning users per local day ``start``..``end`` (days with any)."""

    def forget_user(self, user_id: str) -> None:
        """Delete what is stored about ``user_id`` (first day, active weeks and days); the
        counters keep what they counted, so every total stays as it was."""


class LiveWindow(Protocol):
    """The last ``KEEP_MINUTES`` of real traffic (``services.domain.live``), kept by an
    ``EventSink`` at ingest: who is on the site now, where, and events per minute."""

    def ingest(self, events: Sequence[Event]) -> None:
        """As ``EventSink.ingest``: idempotent per event; sample and old events are skipped."""

    def remove_samples(self) -> None:
        """Nothing to do: the window never takes sample events."""

    def snapshot(self, now: datetime) -> LiveSnapshot:
        """The window before ``now`` (``services.domain.live`` defines every number)."""


class FunnelStore(Protocol):
    """Saved funnel definitions and the visits counted into every funnel at ingest.

    The store is an ``EventSink`` too: each event batch moves visits along every funnel
    (``domain.funnels.advance``), persists each moved visit's progress and adds one to the
    counter of (local day of the visit's step 1, funnel, step) for each step newly reached, in
    one atomic step per visit, so a batch delivered again counts nothing twice. Sample events
    move visits and counters kept apart, which ``remove_samples`` takes out exactly. The default
    funnels (``domain.funnels.DEFAULT_FUNNELS``) are counted without being saved, and so is
    every item's own funnel (``ITEM_FUNNELS`` bound to the item: ``counts`` of
    ``item_funnel(template, content_id).id``).
    """

    def ingest(self, events: Sequence[Event]) -> None: ...

    def remove_samples(self) -> None: ...

    def save(self, funnel: Funnel) -> None:
        """Store a new user-defined funnel. ConflictError if the id exists."""

    def get(self, funnel_id: str) -> Funnel:
        """A saved funnel. NotFound if absent."""

    def delete(self, funnel_id: str) -> None:
        """Remove the definition (its counts stop growing). NotFound if absent."""

    def backfill(self, funnel: Funnel, events: Iterable[Event]) -> None:
        """Count ``events`` (raw events, oldest first) into ``funnel`` alone, as ``ingest``:
        run again over events already counted (by ingest, or by a back-fill cut short), it
        counts nothing twice."""

    def claim_backfill(self, funnel_id: str, now: datetime, until: datetime) -> bool:
        """Atomically take the unfinished back-fill of a saved funnel until ``until``: True
        when it is unfinished and no other claim holds at ``now``; False when it is finished,
        gone, or claimed by another run."""

    def release_backfill(self, funnel_id: str, until: datetime) -> None:
        """Give back the claim taken until ``until`` (nothing if it is no longer that one)."""

    def finish_backfill(self, funnel_id: str, counted_from: date) -> None:
        """Mark the funnel's back-fill finished, counted from ``counted_from``, in one write
        (its claim goes with it); nothing if the funnel is gone."""

    def counts(self, funnel_id: str, steps: int, start: date, end: date) -> list[int]:
        """Visits reaching each of the ``steps`` steps whose step 1 was on local days
        start..end inclusive (read from per-day counters, never from events)."""

    def list(self, owner: str | None = None) -> list[Funnel]:
        """Saved funnels (only ``owner``'s when given), oldest first."""


class FollowStore(Protocol):
    """Followed metrics, each user's digest frequency, and the digests kept in the app."""

    def follow(self, follow: Follow) -> bool:
        """Add the follow, or keep it (idempotent); True if this call added it."""

    def unfollow(self, user_id: str, key: str) -> None:
        """Remove the user's follow of ``Follow.key``; nothing if absent."""

    def follows(self, user_id: str) -> list[Follow]: ...

    def set_frequency(self, user_id: str, frequency: Frequency) -> None: ...

    def frequency(self, user_id: str) -> Frequency:
        """NONE if never set."""

    def due_users(self, frequency: Frequency) -> list[str]:
        """Every user whose digest frequency is ``frequency`` (DAILY or WEEKLY)."""

    def claim(self, user_id: str, window: str) -> bool:
        """Atomically take (user, window): True once, False for every later or concurrent
        claim of the same pair."""

    def keep(self, digest: Digest) -> None:
        """Store the claimed window's digest (its content and whether it was mailed)."""

    def digests(self, user_id: str, limit: int = 5) -> list[Digest]:
        """The user's kept digests, newest window first."""

    def forget_user(self, user_id: str) -> None:
        """Remove the user's follows, frequency (and due-list entry) and digests."""
