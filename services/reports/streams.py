"""A model's text as the page reads it: a report being generated, a follow-up answer.

Each is a stream of chunks that settles exactly once. Read to its end, ``finish`` runs (the
report is saved, the answer recorded). Closed, dropped or broken off before that, ``abandon``
runs with the text received so far. That second path exists because the model bills every
token it was sent and wrote whether or not anyone read them: a click on the page stops the
Streamlit run in the middle of the stream, and a generation stopped that way used to leave no
trace, so interrupting one got around the daily token budget (``services.reports.usage``
records what an abandoned stream cost).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from services.domain.reports import Grounding, Report

T = TypeVar("T")


class Settled(Generic[T]):
    """Chunks for ``st.write_stream`` or a loop; single use. ``value`` is set once the stream
    has been read to its end and ``finish`` has returned."""

    def __init__(self, chunks: Iterable[str], finish: Callable[[], T],
                 abandon: Callable[[str], None]) -> None:
        self._chunks = chunks
        self._finish = finish
        self._abandon = abandon
        self._received: list[str] = []
        self._settled = False
        self.value: T | None = None
        self._reader = self._read()

    def __iter__(self) -> Iterator[str]:
        return self._reader

    def _read(self) -> Generator[str, None, None]:
        try:
            for chunk in self._chunks:
                self._received.append(chunk)
                yield chunk
            self.value = self._finish()
        finally:  # also on GeneratorExit: closed by the reader, or collected unread
            self._settle()

    def close(self) -> None:
        """Stop reading. A stream not read to its end is abandoned (once; a closed stream that
        had finished costs nothing more)."""
        self._reader.close()  # a read under way runs its ``finally`` here
        self._settle()  # a read never started has no ``finally`` to run

    def _settle(self) -> None:
        if self._settled:
            return
        self._settled = True
        if self.value is None:
            self._abandon("".join(self._received))


class Generation(Settled[Report]):
    """The chunks of one report as the model writes them; once they have all been read, the
    report is saved under ``id`` and ``report`` is set."""

    def __init__(self, report_id: str, chunks: Iterable[str], finish: Callable[[], Report],
                 abandon: Callable[[str], None]) -> None:
        super().__init__(chunks, finish, abandon)
        self.id = report_id

    @property
    def report(self) -> Report | None:
        return self.value


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
