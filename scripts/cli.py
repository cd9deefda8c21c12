"""What the command-line scripts share: the actor they act as and a progress line on stderr.

One way of showing progress for every long-running script (seeding, imports), without a
dependency: a single line rewritten in place, finished with a newline by the caller.
"""

from __future__ import annotations

import sys

from services.domain.permissions import Actor, Role


def script_actor(script: str) -> Actor:
    """The actor a script acts as. Whoever can run a script can read the database, so scripts
    are trusted like an administrator; the id names the script in the audit log."""
    return Actor(user_id=f"script:{script}", name=script, roles=frozenset({Role.ADMIN}))


def progress(seen: int, total: int | None, stored: int | None, seconds: float,
             unit: str = "events") -> None:
    """One line on stderr, rewritten in place: a progress bar without a dependency. With no
    ``total`` (not known up front) the count shows without a bar; ``stored`` None leaves out
    how many were new."""
    rate = seen / seconds if seconds else 0.0
    if total:
        done = min(1.0, seen / total)
        head = f"[{'#' * int(done * 30):<30}] {seen:,}/{total:,} {unit}"
    else:
        head = f"{seen:,} {unit}"
    new = f", {stored:,} new" if stored is not None else ""
    print(f"\r{head}{new} ({rate:,.0f}/s)   ", end="", file=sys.stderr, flush=True)
