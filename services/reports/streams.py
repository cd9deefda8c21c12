"""A model's text as the page reads it: a report being generated, a follow-up answer.

Each is a stream of chunks that settles exactly once. Read to its end, ``finish`` runs (the
report is saved, the answer recorded). Closed, dropped or broken off before that, ``abandon``
runs with the text received so far. That second path exists because the model bills every
token it was sent and wrote whether or not anyone read them: a click on the page stops the
Streamlit run in the middle of the stream, and a generation stopped that way used to leave no
trace, so interrupting one got around the daily token budget (``services.reports.usage``
records what an abandoned stream cost). A report or an answer is read by ``Reading`` on a
worker thread, so a click stops only the run that shows it, never the model's writing itself.

Each stream holds one of the process's ``Places`` from before anything is reserved or sent
until it settles: readings on worker threads are not stopped by anyone, so without a cap a
crowd of clicks would start as many threads and model calls as it liked (the offline narrator
has no token budget to stop it).

A stream also tells where it is (``Phase``) for a page that shows the steps: the service
notes them (``enter``) and a follower hears each one, in order, on its own thread
(``Reading.follow``), so the page draws them where Streamlit allows it.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from services.domain.reports import Grounding, Report
from services.errors import QuotaExceeded

T = TypeVar("T")
log = logging.getLogger(__name__)
BUSY_REFUSAL = "reports.err_busy"  # every place taken: try again in a moment


class Phase(StrEnum):
    """Where a generation is, in the order it goes through them."""

    READING = "reading"  # the period's usage data: the context sent
    WRITING = "writing"  # the model writes (the offline narrator: at once)
    CHECKING = "checking"  # the text's numbers against the context
    SAVING = "saving"  # the report kept, its usage recorded
    DONE = "done"


def unheard(phase: Phase) -> None:
    """The phases of a generation that nobody shows."""


def _nothing() -> None:
    """The release of a stream that holds no place."""


class Places:
    """At most ``limit`` model texts (reports, follow-up answers) written at once in this
    process; ``take`` refuses one more (``QuotaExceeded``, ``BUSY_REFUSAL``) instead of
    waiting, so a page says so at once and nothing is reserved or sent for it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._free = threading.BoundedSemaphore(limit)

    def take(self) -> Callable[[], None]:
        """One place; the caller hands its release to the stream it starts (or calls it, if
        starting fails)."""
        if not self._free.acquire(blocking=False):
            raise QuotaExceeded(BUSY_REFUSAL, limit=self.limit)
        return self._free.release


class Settled(Generic[T]):
    """Chunks for ``st.write_stream`` or a loop; single use. ``value`` is set once the stream
    has been read to its end and ``finish`` has returned."""

    def __init__(self, chunks: Iterable[str], finish: Callable[[], T],
                 abandon: Callable[[str], None], release: Callable[[], None] = _nothing) -> None:
        self._chunks = chunks
        self._finish = finish
        self._abandon = abandon
        self._received: list[str] = []
        self._settled = False
        self.value: T | None = None
        self.phase = Phase.WRITING
        self._watchers: list[Callable[[Phase], None]] = []
        # The reader refers to this object; held here too, the two would form a cycle, and a
        # stream dropped by a stopped run would settle (its tokens, its audit entry, its HTTP
        # response) only when the cyclic garbage collector ran, which the app no longer makes
        # happen after every run. Whoever iterates holds the reader; this only finds it.
        self._reader: weakref.ref[Generator[str, None, None]] | None = None
        # The place the stream holds (``Places``) is given back once: when it settles, or when
        # it is collected unread (never iterated, it has no ``finally`` that would settle it).
        self._release = weakref.finalize(self, release)

    def watch(self, watcher: Callable[[Phase], None]) -> None:
        """``watcher`` hears each phase entered from now on, on the thread that enters it."""
        self._watchers.append(watcher)

    def enter(self, phase: Phase) -> None:
        self.phase = phase
        for watcher in self._watchers:
            watcher(phase)

    def __iter__(self) -> Iterator[str]:
        if self._reader is not None:  # single use: the reader under way, or nothing more
            return self._reader() or iter(())
        reader = self._read()
        self._reader = weakref.ref(reader)
        return reader

    def _read(self) -> Generator[str, None, None]:
        try:
            for chunk in self._chunks:
                self._received.append(chunk)
                yield chunk
            self.value = self._finish()
        finally:  # also on GeneratorExit: closed by the reader, or dropped unread
            self._settle()

    def close(self) -> None:
        """Stop reading. A stream not read to its end is abandoned (once; a closed stream that
        had finished costs nothing more)."""
        reader = self._reader() if self._reader is not None else None
        if reader is not None:
            reader.close()  # a read under way runs its ``finally`` here
        self._settle()  # a read never started has no ``finally`` to run

    def _settle(self) -> None:
        if self._settled:
            return
        self._settled = True
        try:
            if self.value is None:
                self._abandon("".join(self._received))
        finally:
            # The model's stream (an HTTP response for Bedrock) is released now, not when it
            # is collected; the offline answer's list of chunks has nothing to release.
            try:
                close = getattr(self._chunks, "close", None)
                if close is not None:
                    close()
            finally:
                self._release()


class Generation(Settled[Report]):
    """The chunks of one report as the model writes them; once they have all been read, the
    report is saved under ``id`` and ``report`` is set."""

    def __init__(self, report_id: str, chunks: Iterable[str], finish: Callable[[], Report],
                 abandon: Callable[[str], None], release: Callable[[], None] = _nothing) -> None:
        super().__init__(chunks, finish, abandon, release)
        self.id = report_id

    @property
    def report(self) -> Report | None:
        return self.value


class Reading(Generic[T]):
    """A stream read to its end on a worker thread, whatever happens to the page's run: a click
    that stops the run that shows a report or an answer being written no longer abandons the
    model's paid work, and the next run follows the same text (``follow``) from its start.

    ``on_end`` runs on the worker once the stream has settled (its value or ``error`` known),
    before anyone following sees the end: the outcome reaches where it belongs (a chat's
    history) even when no page is following, and whoever followed to the end finds it there.
    """

    def __init__(self, stream: Settled[T],
                 on_end: Callable[[Reading[T]], None] | None = None) -> None:
        self.stream = stream
        self._chunks: list[str] = []
        self._error: Exception | None = None
        self._finished = False
        self._on_end = on_end
        self._changed = threading.Condition()
        self._phases = [stream.phase]  # each phase the stream entered, for every follower
        stream.watch(self._entered)
        threading.Thread(target=self._read, name="report-reading", daemon=True).start()

    def _read(self) -> None:
        try:
            for chunk in self.stream:
                with self._changed:
                    self._chunks.append(chunk)
                    self._changed.notify_all()
        except Exception as exc:  # handed to whoever follows (a model's error, a lost link)
            self._error = exc
        finally:
            try:
                self.stream.close()
                self._ended()
            finally:
                with self._changed:
                    self._finished = True
                    self._changed.notify_all()

    def _entered(self, phase: Phase) -> None:
        with self._changed:
            self._phases.append(phase)
            self._changed.notify_all()

    def _ended(self) -> None:
        if self._on_end is None:
            return
        try:
            self._on_end(self)
        except Exception:  # nobody else would hear of it: followers still see the end
            log.exception("handing on a finished reading failed")

    @property
    def done(self) -> bool:
        return self._finished

    @property
    def error(self) -> Exception | None:
        """What stopped the reading before its end (the model's or the store's error)."""
        return self._error

    def _after(self, seen: int, told: int) -> tuple[list[str], list[Phase], bool]:
        """The chunks after the first ``seen`` and the phases after the first ``told`` once
        there are any (or the reading ended)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._chunks) > seen
                                   or len(self._phases) > told or self._finished)
            return self._chunks[seen:], self._phases[told:], self._finished

    def follow(self, on_phase: Callable[[Phase], None] | None = None) -> Iterator[str]:
        """Every chunk from the first, as they arrive; at the end the reading's error, if any.
        ``on_phase`` hears every phase from the first, in order, on the follower's thread."""
        seen = told = 0
        while True:
            new, phases, finished = self._after(seen, told)
            seen, told = seen + len(new), told + len(phases)
            if on_phase is not None:
                for phase in phases:
                    on_phase(phase)
            yield from new
            if finished and not new and not phases:
                break
        if self._error is not None:
            raise self._error


@dataclass(frozen=True)
class AnswerResult:
    """A follow-up answer once written: its text, number check and usage."""

    text: str
    grounding: Grounding
    answered: bool  # False: the offline help text (the question matched no pattern)
    model_id: str
    input_tokens: int
    output_tokens: int


class Answer(Settled[AnswerResult]):
    """The chunks of one follow-up answer; once read, ``result`` is set and the question is
    recorded."""

    @property
    def result(self) -> AnswerResult | None:
        return self.value
