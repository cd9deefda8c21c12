"""One way in for usage events: the event store, then every derived sink, in that order.

Everything that appends events (the tracker, the event import, the sample seeding) goes through
``SinkedEventStore``, so a sink (funnels, cohorts, the live window) sees exactly what the store
sees. A sink that fails makes ``append`` fail: the caller retries the batch, the store ignores
the ids it already has and each sink is idempotent (``ports.EventSink``), so nothing is counted
twice and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime

from services.domain.analytics import (
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
    RollupRow,
)
from services.domain.hll import HyperLogLog
from services.ports import EventSink, EventStore


class SinkedEventStore:
    """Implements ``services.ports.EventStore``: the wrapped store, feeding ``sinks``."""

    def __init__(self, store: EventStore, sinks: Sequence[EventSink] = ()) -> None:
        self._store = store
        self._sinks = tuple(sinks)

    @property
    def inner(self) -> EventStore:
        return self._store

    def append(self, events: Sequence[Event]) -> list[Event]:
        added = self._store.append(events)
        for sink in self._sinks:
            sink.ingest(events)
        return added

    def remove_samples(self) -> int:
        removed = self._store.remove_samples()
        for sink in self._sinks:
            sink.remove_samples()
        return removed

    def rollups(self, start: date, end: date, types: Collection[EventType] | None = None,
                dims: Collection[Dim] | None = None, hourly: bool = False, *,
                values: Collection[str] | None = None,
                prefix: str | None = None, fold: Collection[Dim] = (),
                hour: int | None = None) -> list[RollupRow]:
        return self._store.rollups(start, end, types, dims, hourly, values=values,
                                   prefix=prefix, fold=fold, hour=hour)

    def rollup_totals(self, start: date, end: date,
                      types: Collection[EventType] | None = None,
                      dims: Collection[Dim] | None = None, *,
                      values: Collection[str] | None = None,
                      prefix: str | None = None) -> PeriodTotals:
        return self._store.rollup_totals(start, end, types, dims, values=values, prefix=prefix)

    def rollup_day_totals(self, start: date, end: date,
                          types: Collection[EventType] | None = None,
                          dims: Collection[Dim] | None = None, *,
                          values: Collection[str] | None = None,
                          prefix: str | None = None) -> DayTotals:
        return self._store.rollup_day_totals(start, end, types, dims, values=values,
                                             prefix=prefix)

    def one_moment(self) -> AbstractContextManager[bool]:
        return self._store.one_moment()

    def visitors(self, start: date, end: date) -> HyperLogLog:
        return self._store.visitors(start, end)

    def raw_events(self, since: datetime, until: datetime) -> Iterator[Event]:
        return self._store.raw_events(since, until)

    def forget_user(self, user_id: str, since: datetime, until: datetime) -> int:
        return self._store.forget_user(user_id, since, until)

    def rekey_author(self, old: str, new: str, since: datetime, until: datetime) -> int:
        return self._store.rekey_author(old, new, since, until)

    def rename_sample_page(self, old: str, new: str) -> int:
        return self._store.rename_sample_page(old, new)

    def prune(self, now: datetime) -> int:
        """The store's own pruning of raw events (SQLite; DynamoDB expires them by TTL), then
        each sink's that keeps per-visit state locally (returns the raw events pruned)."""
        for sink in self._sinks:
            prune_sink = getattr(sink, "prune", None)
            if prune_sink is not None:
                prune_sink(now)
        prune = getattr(self._store, "prune", None)
        return int(prune(now)) if prune is not None else 0
