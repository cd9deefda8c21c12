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


def test_whoever_waits_for_the_end_finds_the_outcome_already_handed_on() -> None:
    """``on_end`` runs once on the worker thread, after the stream settled (saved, or its
    error known) and before a follower sees the end: a page that follows the text to its end
    finds the outcome already where ``on_end`` put it."""
    gate, ended = threading.Event(), []

    def chunks() -> Iterator[str]:
        yield "a"
        gate.wait(5)
        yield "b"

    reading = Reading(Settled(chunks(), lambda: "saved", lambda received: None),
                      on_end=lambda r: ended.append((r.stream.value, r.error, r.done)))
    assert ended == []  # still being written
    gate.set()
    assert list(reading.follow()) == ["a", "b"]
    assert ended == [("saved", None, False)]  # once, before the end was visible
    assert reading.done


def test_a_failed_reading_hands_on_its_error() -> None:
    def chunks() -> Iterator[str]:
        raise ServiceUnavailable("llm.err_timeout")
        yield "never"

    ended: list[Exception | None] = []
    reading = Reading(Settled(chunks(), lambda: "saved", lambda received: None),
                      on_end=lambda r: ended.append(r.error))
    with pytest.raises(ServiceUnavailable):
        list(reading.follow())
    (error,) = ended
    assert isinstance(error, ServiceUnavailable)
