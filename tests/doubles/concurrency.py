"""How the race tests make writers meet: calls released together on their own threads, or
a write slipped in between another call's read and its write."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


@contextmanager
def meanwhile_after_read(target: object, method: str,
                         meanwhile: Callable[[], object]) -> Iterator[None]:
    """Inside the block, ``meanwhile`` (another tab's save, another server's write) runs right
    after the first call of ``target.method`` returns: between a read and the write that
    follows it. Code that no longer reads there gets it when the block ends, so the outcome is
    judged the same way either way."""
    read = getattr(target, method)
    pending = [meanwhile]

    def read_then_meanwhile(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        while pending:
            pending.pop()()
        return found

    setattr(target, method, read_then_meanwhile)
    try:
        yield
    finally:
        setattr(target, method, read)
    while pending:
        pending.pop()()
