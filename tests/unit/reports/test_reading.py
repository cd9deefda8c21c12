"""A report read on a worker thread: read to its end whoever follows it, followed again from
its first chunk, its error handed to whoever follows."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from services.errors import ServiceUnavailable
from services.reports.streams import Reading, Settled


def test_a_reading_finishes_without_anyone_following_and_follows_from_the_start() -> None:
    gate, finished, abandoned = threading.Event(), [], []

    def chunks() -> Iterator[str]:
        yield "a"
        gate.wait(5)
        yield "b"

    reading = Reading(Settled(chunks(), lambda: finished.append(1) or "saved",
                              abandoned.append))
    first = reading.follow()
    assert next(first) == "a"
    del first  # the page's run stopped while the model wrote
    gate.set()
    assert list(reading.follow()) == ["a", "b"]  # the next run: the whole text
    assert reading.done and reading.stream.value == "saved"
    assert finished == [1] and abandoned == []


def test_an_error_while_reading_reaches_the_follower() -> None:
    def chunks() -> Iterator[str]:
        yield "a"
        raise ServiceUnavailable("llm.err_timeout")

    abandoned: list[str] = []
    reading = Reading(Settled(chunks(), lambda: "saved", abandoned.append))
    with pytest.raises(ServiceUnavailable):
        list(reading.follow())
    assert reading.stream.value is None and abandoned == ["a"]
