"""Usage tracking off the render path: pages call ``track``; a daemon thread writes batches.

``track`` only appends to an in-memory queue under a lock (O(1), no I/O), so a slow or failing
store never slows a page. The flusher thread writes a batch every ``flush_seconds``, or at once
when a full batch is waiting. When the store fails, the batch stays in hand and is retried
with exponential backoff; meanwhile the queue keeps accepting events up to ``buffer_max``
(queued plus in hand), and beyond that the oldest queued events are dropped and counted.
Drops are logged by the flusher thread, never by ``track``. ``close`` (also run at exit)
writes what is left.

Events carry ids, so a batch retried after an ambiguous failure (written, but the answer was
lost) is not double-counted: ``EventStore.append`` ignores ids it already has.
"""

from __future__ import annotations

import atexit
import logging
import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ulid import ULID

from services.domain.analytics import Event, EventType
from services.domain.models import utcnow
from services.ports import EventStore

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0


@dataclass(frozen=True)
class TrackerStats:
    queued: int  # waiting, including a batch being written or retried
    written: int
    dropped: int
    failures: int  # failed write attempts
    last_error: str | None


def backoff_seconds(streak: int, base: float, jitter: float) -> float:
    """Wait after ``streak`` failed writes in a row: doubling from ``base``, capped, and
    scaled by ``jitter`` in [0, 1) into its upper half so several containers spread out."""
    return min(MAX_BACKOFF_SECONDS, base * 2.0 ** min(streak, 16)) * (0.5 + jitter / 2)


def make_event(
    type: EventType,  # the Event field's name
    session_id: str,
    *,
    user_id: str | None = None,
    page: str | None = None,
    content_id: str | None = None,
    category: str | None = None,
    author_id: str | None = None,
    properties: dict[str, Any] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Event:
    """A new event stamped now, with a ULID id made from the same instant (ids sort by time)."""
    ts = clock()
    return Event(
        id=str(ULID.from_datetime(ts)),
        ts=ts,
        type=type,
        session_id=session_id,
        user_id=user_id,
        page=page,
        content_id=content_id,
        category=category,
        author_id=author_id,
        properties=dict(properties or {}),
    )


class Tracker:
    def __init__(
        self,
        store: EventStore,
        flush_seconds: float = 2.0,
        buffer_max: int = 10_000,
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = 500,
        housekeeping: Callable[[datetime], object] | None = None,
        housekeeping_seconds: float = 3600.0,
    ) -> None:
        """``housekeeping(now)`` (e.g. pruning expired raw events) runs on the flusher thread
        at most once per ``housekeeping_seconds``, so no page ever waits for it."""
        if buffer_max < 2:
            raise ValueError("buffer_max must be at least 2")
        self._store = store
        self._flush_seconds = flush_seconds
        self._buffer_max = buffer_max
        # Half the buffer at most, so a batch stuck in retries leaves room for new events.
        self._batch_size = max(1, min(batch_size, buffer_max // 2))
        self._clock = clock
        self._housekeeping = housekeeping
        self._housekeeping_seconds = housekeeping_seconds
        self._last_housekeeping: datetime | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # the flusher's wake-up and progress
        self._queue: deque[Event] = deque()
        self._in_hand: list[Event] = []  # the batch being written or waiting for a retry
        self._written = self._dropped = self._failures = self._logged_drops = 0
        self._last_error: str | None = None
        self._streak = 0  # consecutive failures: the backoff exponent
        self._urgent = False  # flush() or close() asked to write now, whatever the backoff
        self._closing = False
        # Started by the first event, so services built only to read (tests, scripts) cost no
        # thread; registered with atexit at the same moment.
        self._thread: threading.Thread | None = None

    # ---- the page side -----------------------------------------------------------------------

    def track(self, event: Event) -> None:
        """Queue one event; never blocks on I/O. When the buffer is full the oldest queued
        event is dropped (and counted)."""
        with self._lock:
            if self._closing:
                self._dropped += 1
                return
            if self._thread is None:
                self._start()
            if len(self._queue) + len(self._in_hand) >= self._buffer_max:
                self._queue.popleft()
                self._dropped += 1
            self._queue.append(event)
            if len(self._queue) >= self._batch_size and not self._streak:
                self._changed.notify_all()

    def record(self, type: EventType, session_id: str, **fields: Any) -> None:
        """``track(make_event(...))`` stamped with this tracker's clock."""
        self.track(make_event(type, session_id, clock=self._clock, **fields))

    def stats(self) -> TrackerStats:
        with self._lock:
            return TrackerStats(
                queued=len(self._queue) + len(self._in_hand),
                written=self._written,
                dropped=self._dropped,
                failures=self._failures,
                last_error=self._last_error,
            )

    def flush(self, timeout: float = 10.0) -> bool:
        """Write everything queued now. True when all was written; False when a write failed
        or ``timeout`` passed (the events stay queued for the next attempt)."""
        with self._lock:
            thread = self._thread
            if thread is None:
                return True  # nothing was ever tracked
            failures_before = self._failures
            self._urgent = True
            self._changed.notify_all()
            self._changed.wait_for(
                lambda: not self._pending() or self._failures > failures_before
                or not thread.is_alive(),
                timeout,
            )
            return not self._pending()

    def close(self, timeout: float = 10.0) -> bool:
        """Flush, then stop the thread. Idempotent. Returns whether everything was written."""
        flushed = self.flush(timeout)
        with self._lock:
            self._closing = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            atexit.unregister(self.close)
        with self._lock:
            # The store is still failing at shutdown: what could not be written is lost.
            self._dropped += len(self._queue) + len(self._in_hand)
            self._queue.clear()
            self._in_hand = []
        self._log_drops()
        return flushed

    # ---- the flusher thread -------------------------------------------------------------------

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="event-tracker", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _pending(self) -> bool:
        return bool(self._queue or self._in_hand)

    def _run(self) -> None:
        while True:
            with self._lock:
                self._changed.wait_for(self._should_write, self._delay())
                if self._closing and not self._urgent:
                    return
                if not self._in_hand:
                    self._take_batch()
                batch = list(self._in_hand)
            self._log_drops()
            self._maybe_housekeep()
            if batch:
                self._write(batch)
            else:
                with self._lock:
                    self._urgent = False
                    self._changed.notify_all()

    def _should_write(self) -> bool:
        if self._closing or self._urgent:
            return True
        # A full batch wakes the thread early, but never during a backoff.
        return not self._streak and len(self._queue) >= self._batch_size

    def _delay(self) -> float:
        if not self._streak:
            return self._flush_seconds
        return backoff_seconds(self._streak, self._flush_seconds, random.random())  # noqa: S311

    def _take_batch(self) -> None:
        take = min(self._batch_size, len(self._queue))
        self._in_hand = [self._queue.popleft() for _ in range(take)]

    def _write(self, batch: list[Event]) -> None:
        try:
            self._store.append(batch)
        except Exception as exc:  # any store failure: keep the batch, retry
            with self._lock:
                self._failures += 1
                self._streak += 1
                self._last_error = f"{type(exc).__name__}: {exc}"
                self._urgent = False
                self._changed.notify_all()
            log.warning("event store write failed (%d in a row), will retry: %s",
                        self._streak, exc)
            return
        with self._lock:
            self._written += len(batch)
            self._in_hand = []
            self._streak = 0
            if not self._pending():
                self._urgent = False
            self._changed.notify_all()

    def _maybe_housekeep(self) -> None:
        if self._housekeeping is None:
            return
        now = self._clock()
        last = self._last_housekeeping
        if last is not None and (now - last).total_seconds() < self._housekeeping_seconds:
            return
        self._last_housekeeping = now
        try:
            self._housekeeping(now)
        except Exception:  # housekeeping must never stop the tracking
            log.exception("event store housekeeping failed")

    def _log_drops(self) -> None:
        with self._lock:
            new = self._dropped - self._logged_drops
            self._logged_drops = self._dropped
            total = self._dropped
        if new:
            log.warning("event buffer full: dropped %d oldest events (%d in all)", new, total)
