"""Helpers both EventStore adapters share (no I/O)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import date, timedelta

import numpy as np

from services.domain.analytics import Event
from services.domain.hll import REGISTERS, HyperLogLog


def first_of_each_id(events: Iterable[Event]) -> dict[str, Event]:
    """The batch without repeated ids; the first occurrence wins, as it would in storage."""
    unique: dict[str, Event] = {}
    for event in events:
        unique.setdefault(event.id, event)
    return unique


def value_selected(value: str, values: Collection[str] | None, prefix: str | None) -> bool:
    """Whether a rollup row's value is asked for by ``EventStore.rollups(values=, prefix=)``."""
    return (values is None or value in values) and (prefix is None or value.startswith(prefix))


def days_between(start: date, end: date) -> Iterator[date]:
    """start..end inclusive (nothing when start > end)."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def merge_registers(blobs: Iterable[bytes]) -> HyperLogLog:
    """Register-wise max of many day sketches.

    numpy because the pure-Python merge costs about a millisecond per day, which a 90-day
    dashboard (plus its previous period) would feel; the result is the same union.
    """
    arrays = [np.frombuffer(blob, dtype=np.uint8) for blob in blobs]
    if not arrays:
        return HyperLogLog()
    merged = np.maximum.reduce(arrays) if len(arrays) > 1 else arrays[0]
    if merged.size != REGISTERS:
        raise ValueError(f"a sketch has {REGISTERS} registers, got {merged.size}")
    return HyperLogLog(merged.tobytes())
