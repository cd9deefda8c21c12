"""What the command-line scripts share: batching a stream and a progress line on stderr.

One way of showing progress for every long-running script (seeding, imports), without a
dependency: a single line rewritten in place, finished with a newline by the caller.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from services.domain.permissions import Actor, Role

T = TypeVar("T")


def script_actor(script: str) -> Actor:
    """The actor a script acts as. Whoever can run a script can read the database, so scripts
    are trusted like an administrator; the id names the script in the audit log."""
    return Actor(user_id=f"script:{script}", name=script, roles=frozenset({Role.ADMIN}))


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter), read lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def progress(seen: int, total: int, stored: int, seconds: float, unit: str = "events") -> None:
    """One line on stderr, rewritten in place: a progress bar without a dependency."""
    done = min(1.0, seen / total) if total else 1.0
    bar = "#" * int(done * 30)
    rate = seen / seconds if seconds else 0.0
    print(f"\r[{bar:<30}] {seen:,}/{total:,} {unit}, {stored:,} new ({rate:,.0f}/s)",
          end="", file=sys.stderr, flush=True)
