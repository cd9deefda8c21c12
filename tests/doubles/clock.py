"""A clock a test moves: called like ``utcnow`` (or ``time.monotonic``), it answers ``now``,
which the test sets."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Clock(Generic[T]):
    def __init__(self, now: T) -> None:
        self.now = now

    def __call__(self) -> T:
        return self.now
