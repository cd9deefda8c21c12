"""Usage tracking off the render path: pages call ``track``; a daemon thread writes batches.

``track`` checks the event's size and appends it to an in-memory queue under a lock (no I/O),
so a slow or failing store never slows a page. The flusher thread writes a batch every
``flush_seconds``, or at once when a full batch is waiting. When the store fails for its own
reasons (down, throttled, access denied: anything but a ``REFUSAL``), the batch stays in hand
and is retried with exponential backoff; meanwhile the queue keeps accepting events up to
``buffer_max`` (queued plus in hand), and beyond that the oldest queued events are dropped and
counted. Drops are logged by the flusher thread, never by ``track``. ``close`` (also run at
exit and on SIGTERM, see ``shutdown``) writes what is left.

One visitor cannot stop the others' events: ``make_event`` bounds every text field and
property, ``track`` refuses an event still over ``max_event_bytes`` (dropped and counted, never
buffered), and a batch the store refuses (a ``REFUSAL`` error, which blames the events, or any
error that keeps coming back) is halved, and halved again, until the event at fault is alone;
that event is dropped and logged, every other one written. Nothing is retried forever.

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

from services.analytics import shutdown
from services.domain.analytics import (
    EVENT_BYTES_MAX,
    Event,
    EventType,
    bounded_properties,
    bounded_text,
    event_bytes,
)
from services.domain.models import utcnow
from services.errors import ValidationError
from services.ports import EventStore

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
# Errors that blame the events (too large for the store, text that is not UTF-8, a value the
# store cannot encode): split at once. Any other error is the store's (down, throttled, access
# denied): the events are fine, back off and try them again, so a misconfigured store keeps
# the buffer instead of draining it.
REFUSAL = (ValidationError, ValueError, TypeError)
SPLIT_AFTER = 3  # failures of one batch in a row before it is halved all the same
MAX_EVENT_ATTEMPTS = 10  # failures of a lone event before it is given up
_REFUSALS_KEPT = 20  # refused events remembered for the flusher's log


@dataclass(frozen=True)
class TrackerStats:
    queued: int  # waiting, including a batch being written or retried
    written: int
    dropped: int
    failures: int  # failed write attempts
    last_error: str | None
    refused: int = 0  # of ``dropped``: too large, unstorable, or refused by the store


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
    """A new event stamped now, with a ULID id made from the same instant (ids sort by time).
    Every text field and property is bounded (``bounded_text``, ``bounded_properties``)."""
    ts = clock()

    def text(value: str | None) -> str | None:
        return None if value is None else bounded_text(value)

    return Event(
        id=str(ULID.from_datetime(ts)),
        ts=ts,
        type=type,
        session_id=bounded_text(session_id),
        user_id=text(user_id),
        page=text(page),
        content_id=text(content_id),
        category=text(category),
        author_id=text(author_id),
        properties=bounded_properties(dict(properties or {})),
    )


def refusal(event: Event, max_bytes: int) -> str | None:
    """Why the event cannot be buffered (too large, unstorable), or None."""
    try:
        size = event_bytes(event)
    except ValueError as exc:
        return str(exc)
    if size > max_bytes:
        return f"event {event.id} ({event.type}) too large: {size} bytes > {max_bytes}"
    return None


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
        max_event_bytes: int | None = EVENT_BYTES_MAX,
    ) -> None:
        """``housekeeping(now)`` (e.g. pruning expired raw events) runs on the flusher thread
        at most once per ``housekeeping_seconds``, so no page ever waits for it.
        ``max_event_bytes=None`` leaves the size check to the store."""
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
        self._max_event_bytes = max_event_bytes
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # the flusher's wake-up and progress
        self._queue: deque[Event] = deque()
        # The batch being written or waiting for a retry; after a split, its pieces in order.
        self._parts: deque[list[Event]] = deque()
        self._in_hand = 0  # events in ``_parts``
        self._attempts = 0  # failed writes of ``_parts[0]`` in a row
        self._written = self._dropped = self._failures = self._refused = 0
        self._overflow = self._logged_overflow = 0  # dropped because the buffer was full
        self._refusals: deque[str] = deque(maxlen=_REFUSALS_KEPT)  # not logged yet
        self._last_error: str | None = None
        self._streak = 0  # consecutive transient failures: the backoff exponent
        self._stalls = 0  # transient failures in all: what makes flush() give up waiting
        self._urgent = False  # flush() or close() asked to write now, whatever the backoff
        self._closing = False
        # Started by the first event, so services built only to read (tests, scripts) cost no
        # thread; registered with atexit at the same moment.
        self._thread: threading.Thread | None = None

    # ---- the page side -----------------------------------------------------------------------

    def track(self, event: Event) -> None:
        """Queue one event; never blocks on I/O. An event over ``max_event_bytes`` is refused
        (dropped, counted). When the buffer is full the oldest queued event is dropped (and
        counted)."""
        refused = None
        if self._max_event_bytes is not None:
            refused = refusal(event, self._max_event_bytes)
        with self._lock:
            if self._closing:
                self._dropped += 1
                return
            if self._thread is None:
                self._start()
            if refused is not None:
                self._dropped += 1
                self._refused += 1
                self._refusals.append(refused)
                return
            if len(self._queue) + self._in_hand >= self._buffer_max:
                self._queue.popleft()
                self._dropped += 1
                self._overflow += 1
            self._queue.append(event)
            if len(self._queue) >= self._batch_size and not self._streak:
                self._changed.notify_all()

    def record(self, type: EventType, session_id: str, **fields: Any) -> None:
        """``track(make_event(...))`` stamped with this tracker's clock."""
        self.track(make_event(type, session_id, clock=self._clock, **fields))

    def stats(self) -> TrackerStats:
        with self._lock:
            return TrackerStats(
                queued=len(self._queue) + self._in_hand,
                written=self._written,
                dropped=self._dropped,
                failures=self._failures,
                last_error=self._last_error,
                refused=self._refused,
            )

    def flush(self, timeout: float = 10.0) -> bool:
        """Write everything queued now. True when nothing is left (written, or refused and
        dropped); False when the store was unavailable or ``timeout`` passed (the events stay
        queued for the next attempt)."""
        with self._lock:
            thread = self._thread
            if thread is None:
                return True  # nothing was ever tracked
            stalls_before = self._stalls
            self._urgent = True
            self._changed.notify_all()
            self._changed.wait_for(
                lambda: not self._pending() or self._stalls > stalls_before
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
            shutdown.forget(self)
        with self._lock:
            # The store is still failing at shutdown: what could not be written is lost.
            lost = len(self._queue) + self._in_hand
            self._dropped += lost
            self._overflow += lost
            self._queue.clear()
            self._parts.clear()
            self._in_hand = 0
        self._log_drops()
        return flushed

    # ---- the flusher thread -------------------------------------------------------------------

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="event-tracker", daemon=True)
        self._thread.start()
        atexit.register(self.close)
        shutdown.flush_on_sigterm(self)

    def _pending(self) -> bool:
        return bool(self._queue or self._parts)

    def _run(self) -> None:
        while True:
            with self._lock:
                self._changed.wait_for(self._should_write, self._delay())
                if self._closing and not self._urgent:
                    return
                if not self._parts:
                    self._take_batch()
                batch = list(self._parts[0]) if self._parts else []
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
        # Pieces of a split batch go on at once; a full batch wakes the thread early; neither
        # during a backoff.
        return not self._streak and (bool(self._parts) or len(self._queue) >= self._batch_size)

    def _delay(self) -> float:
        if not self._streak:
            return self._flush_seconds
        return backoff_seconds(self._streak, self._flush_seconds, random.random())  # noqa: S311

    def _take_batch(self) -> None:
        take = min(self._batch_size, len(self._queue))
        if take:
            self._parts.append([self._queue.popleft() for _ in range(take)])
            self._in_hand = take
        self._attempts = 0

    def _write(self, batch: list[Event]) -> None:
        try:
            self._store.append(batch)
        except Exception as exc:  # any store failure: retry, split or give up one event
            self._failed(batch, exc)
            return
        with self._lock:
            self._written += len(batch)
            self._done_with_head(len(batch))
            self._streak = 0
            self._changed.notify_all()

    def _failed(self, batch: list[Event], exc: Exception) -> None:
        transient = not isinstance(exc, REFUSAL)
        with self._lock:
            self._failures += 1
            self._attempts += 1
            self._last_error = f"{type(exc).__name__}: {exc}"
            if len(batch) > 1 and (not transient or self._attempts >= SPLIT_AFTER):
                # Halving finds one refused event among n in about log2(n) extra writes.
                half = len(batch) // 2
                self._parts.popleft()
                self._parts.extendleft([batch[half:], batch[:half]])
                self._attempts = 0
                outcome = f"split into {half} + {len(batch) - half}"
            elif len(batch) == 1 and (not transient or self._attempts >= MAX_EVENT_ATTEMPTS):
                self._done_with_head(1)
                self._dropped += 1
                self._refused += 1
                outcome = f"dropped event {batch[0].id} ({batch[0].type})"
            else:
                outcome = "will retry"
            if transient:
                self._streak += 1
                self._stalls += 1
                self._urgent = False
            self._changed.notify_all()
        log.warning("event store write of %d events failed (%s), %s: %s",
                    len(batch), "unavailable" if transient else "refused", outcome, exc)

    def _done_with_head(self, count: int) -> None:
        """The first part is written or given up (lock held)."""
        self._parts.popleft()
        self._in_hand -= count
        self._attempts = 0
        if not self._pending():
            self._urgent = False

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
            new = self._overflow - self._logged_overflow
            self._logged_overflow = total = self._overflow
            refusals = list(self._refusals)
            self._refusals.clear()
        if new:
            log.warning("event buffer full: dropped %d oldest events (%d in all)", new, total)
        for reason in refusals:
            log.warning("event refused, not buffered: %s", reason)
