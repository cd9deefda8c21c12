"""Calls released together on their own threads: how the race tests make writers meet."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


def in_parallel(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run every call on its own thread, all released at once; each call's result or the
    exception it raised."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:  # the outcome is what the test asserts on
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
