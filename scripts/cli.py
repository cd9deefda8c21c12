"""What the command-line scripts share: the actor they act as and a progress bar on stderr.

Every long-running script (seeding, imports) shows progress the same way: a tqdm bar on
stderr, drawn only when stderr is a terminal, so logs, pipes and cron mails get the summary on
stdout and nothing else.
"""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm

from services.domain.permissions import Actor, Role


def script_actor(script: str) -> Actor:
    """The actor a script acts as. Whoever can run a script can read the database, so scripts
    are trusted like an administrator; the id names the script in the audit log."""
    return Actor(user_id=f"script:{script}", name=script, roles=frozenset({Role.ADMIN}))


class Progress:
    """A bar counting ``unit`` up to ``total``; with no ``total`` (not known up front) the
    count and the rate show without a bar. Use it as a context manager: it ends its line."""

    def __init__(self, unit: str, total: int | None = None) -> None:
        # disable=None: tqdm turns itself off when stderr is not a terminal.
        self._bar = tqdm(total=total, unit=f" {unit}", file=sys.stderr, disable=None,
                         dynamic_ncols=True)

    def update(self, done: int, new: int | None = None) -> None:
        """``done`` so far (it may go back, for a second pass); ``new``: how many were new."""
        if new is not None:
            self._bar.set_postfix_str(f"{new:,} new", refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class StagedProgress:
    """One bar per stage, for a run that reports ``(stage, done, total)`` (content, then
    events): a new stage ends the previous bar and starts its own."""

    def __init__(self) -> None:
        self._stage: str | None = None
        self._bar: Progress | None = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self._bar is None or stage != self._stage:
            self.close()
            self._stage, self._bar = stage, Progress(stage, total)
        self._bar.update(done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> StagedProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
