"""Importing usage events from JSON Lines: one JSON object per line, checked, then written.

A line is the event as the app's tracker would have recorded it::

    {"ts": "2026-03-01T14:05:00+09:00", "type": "content_view", "session_id": "s1",
     "user_id": null, "page": "content", "content_id": "c1", "category": "Finance",
     "author_id": "alice", "properties": {}}

- ``ts`` (ISO 8601) and ``type`` (an ``EventType`` value) are required. A ts with an offset or
  ``Z`` is converted to UTC; one without is read in the app's zone (``settings.tz``) and
  counted as "assumed time zone" so the user sees it.
- Re-imports add nothing: the store id is ``stable_id(ts, "jsonl:" + id)`` when a line has an
  ``id``, else ``stable_id(ts, "jsonl:" + <canonical JSON of the checked event>)``. So a line
  imported twice (or repeated in a file) is counted once, also when its ts is written in
  another zone; two real events with identical fields need distinct ids to count twice.
- A line without ``session_id`` gets ``"import:" + <hash of the event>``: it counts as a
  visitor of its own unless it has a ``user_id``.
- The same fields and property names as ``AnalyticsService`` records, so imported events roll
  up exactly like tracked ones: content events need ``content_id``, page views ``page``;
  ``search`` needs ``{"query": str, "results": int >= 0}``, ``visitor_purpose``
  ``{"purpose": <Purpose value>}``, ``download`` ``{"asset_id": str}``. ``category`` must be a
  ``Category`` value (the tracker only writes those, and the dashboards' category filter offers
  only those); letter case is forgiven.
- Events older than the raw-event retention are refused: their raw copy would expire, and a
  re-import could then no longer tell that they are already counted. Events more than
  ``FUTURE_TOLERANCE`` (a clock running fast) ahead of now are refused too: no dashboard
  period reaches them, so they would raise the item's views on the card alone.

Bad lines are reported by line number with an i18n key (area ``imports``) and its parameters;
blank lines are skipped. ``EventImporter`` checks the IMPORT_DATA permission, writes the good
events of every ``batch_size`` lines as one batch (``EventStore.append`` ignores ids it already
has, atomically per event, so rollups stay consistent with the raw events) and records one audit
entry, also when the import fails or is interrupted (``INTERRUPTED``: the page's run was stopped
by a click or a closed tab, or the script by Ctrl-C); the entry then says through which line
everything is stored, and running the same file again adds only the rest.

The items' counters move with the newly stored events as with real usage and seeding
(``services.analytics.counters``): views add to the item's views, a like or unlike goes through
the user's like (so ``like`` and ``unlike`` lines need a ``user_id``), and one that changes
nothing (liked already, never liked) is not stored, so cards and dashboards agree; a re-import
moves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from services.analytics.counters import Stored, store_with_counters
from services.domain.analytics import Event
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, require
from services.domain.users import ANONYMOUS_ACTOR
from services.errors import PermissionDenied
from services.imports.event_lines import (
    FUTURE_TOLERANCE,
    REASONS,
    GoodLine,
    LineError,
    parse_line,
)
from services.ops.audit import record_audit
from services.ports import AuditLog, ContentRepository, EventStore

__all__ = ["REASONS", "EventImporter", "ImportSummary", "LineError", "ParseResult",
           "parse_line", "parse_lines"]


@dataclass
class ParseResult:
    events: list[Event] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    assumed_tz: int = 0  # good lines whose ts was read in the app's zone
    lines: int = 0  # lines read, blank ones included


def parse_lines(lines: Iterable[str | bytes], tz: tzinfo, *, not_before: datetime | None = None,
                not_after: datetime | None = None) -> ParseResult:
    """Check every line (for files small enough to hold; ``EventImporter`` streams)."""
    result = ParseResult()
    for number, raw in enumerate(lines, start=1):
        result.lines = number
        outcome = parse_line(number, raw, tz, not_before=not_before, not_after=not_after)
        if isinstance(outcome, LineError):
            result.errors.append(outcome)
        elif outcome is not None:
            result.events.append(outcome.event)
            result.assumed_tz += outcome.assumed_tz
    return result


# ---- the use case ------------------------------------------------------------------------------

BATCH_SIZE = 5000
KEPT_ERRORS = 1000  # bad lines listed in a summary; any more are only counted
AUDIT_ACTION = "events.import"
FAILED = "failed"  # an error stopped the import
INTERRUPTED = "interrupted"  # the run was stopped (BaseException: Streamlit's stop, Ctrl-C)

# Opens the file afresh on every call: a strict import reads it twice (check, then write), so
# that a large file is never held in memory.
LineSource = Callable[[], Iterable[str | bytes]]
# (lines read, new events written so far); called after each batch is written, so every line
# it counts is stored.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportSummary:
    name: str
    lines: int  # lines read, blank ones included
    valid: int  # good lines
    new: int  # events written by this import
    present: int  # good lines already stored (by an earlier import, or earlier in the file)
    bad: int
    assumed_tz: int  # good lines whose ts had no offset (read in the app's zone)
    errors: tuple[LineError, ...]  # the first KEPT_ERRORS bad lines
    strict: bool
    dry_run: bool
    refused: bool  # strict and a bad line: nothing was written
    ignored_likes: int = 0  # likes or unlikes that would change no counter: not written

    @property
    def outcome(self) -> str:
        if self.dry_run:
            return "checked"
        if self.refused:
            return "refused"
        return "partial" if self.bad else "ok"

    def audit_detail(self) -> dict[str, str]:
        detail = {"lines": self.lines, "valid": self.valid, "new": self.new,
                  "present": self.present, "bad": self.bad, "assumed_tz": self.assumed_tz,
                  "strict": self.strict}
        if self.ignored_likes:
            detail["ignored_likes"] = self.ignored_likes
        out = {name: str(value).lower() for name, value in detail.items()}
        if self.errors:
            first = self.errors[0]
            out["first_bad_line"] = f"{first.line}: {first.key}"
        return out


@dataclass
class _Tally:
    """Counts while reading; good events go to the batch being filled."""

    lines: int = 0
    lines_done: int = 0  # lines whose good events are all stored
    valid: int = 0
    new: int = 0
    ignored_likes: int = 0
    bad: int = 0
    assumed_tz: int = 0
    errors: list[LineError] = field(default_factory=list)

    def count(self, outcome: GoodLine | LineError | None) -> Event | None:
        if isinstance(outcome, LineError):
            self.bad += 1
            if len(self.errors) < KEPT_ERRORS:
                self.errors.append(outcome)
            return None
        if outcome is None:
            return None
        self.valid += 1
        self.assumed_tz += outcome.assumed_tz
        return outcome.event

    def summary(self, name: str, *, strict: bool, dry_run: bool,
                refused: bool = False) -> ImportSummary:
        return ImportSummary(
            name=name, lines=self.lines, valid=self.valid, new=self.new,
            present=0 if dry_run or refused else self.valid - self.new - self.ignored_likes,
            bad=self.bad, assumed_tz=self.assumed_tz, errors=tuple(self.errors), strict=strict,
            dry_run=dry_run, refused=refused, ignored_likes=self.ignored_likes,
        )

    def add(self, stored: Stored) -> None:
        self.new += stored.added
        self.ignored_likes += stored.ignored_likes
        self.lines_done = self.lines


class EventImporter:
    """Imports event files for actors with IMPORT_DATA (administrators and scripts)."""

    def __init__(self, store: EventStore, audit: AuditLog, tz: tzinfo, retention_days: int, *,
                 content: ContentRepository, clock: Callable[[], datetime] = utcnow,
                 batch_size: int = BATCH_SIZE) -> None:
        self._store = store
        self._content = content
        self._audit = audit
        self._tz = tz
        self._retention = timedelta(days=retention_days)
        self._clock = clock
        self._batch_size = batch_size

    def import_events(self, actor: Actor, open_lines: LineSource, name: str, *,
                      strict: bool = False, dry_run: bool = False,
                      on_progress: Progress | None = None) -> ImportSummary:
        """Check the file and write its good events (with ``strict``: only if every line is
        good; with ``dry_run``: nothing, the summary says what would happen)."""
        try:
            require(actor, Action.IMPORT_DATA)
        except PermissionDenied:
            self._record(actor, name, "denied", {})
            raise
        now = self._clock()
        window = (now - self._retention, now + FUTURE_TOLERANCE)
        if strict or dry_run:
            checked = _Tally()
            self._read(open_lines, window, checked, None, on_progress)
            if dry_run:
                return checked.summary(name, strict=strict, dry_run=True,
                                       refused=strict and checked.bad > 0)
            if checked.bad:
                summary = checked.summary(name, strict=True, dry_run=False, refused=True)
                self._record(actor, name, summary.outcome, summary.audit_detail())
                return summary
        tally = _Tally()
        try:
            self._read(open_lines, window, tally, self._write, on_progress)
        except Exception:
            self._record_unfinished(actor, name, FAILED, tally, strict)
            raise
        except BaseException:
            # Streamlit stops a run by raising at an element update (the progress bar) when a
            # click reruns the page or the tab closes; they are no Exception.
            self._record_unfinished(actor, name, INTERRUPTED, tally, strict)
            raise
        summary = tally.summary(name, strict=strict, dry_run=False)
        self._record(actor, name, summary.outcome, summary.audit_detail())
        return summary

    def _read(self, open_lines: LineSource, window: tuple[datetime, datetime], tally: _Tally,
              write: Callable[[list[Event]], Stored] | None,
              on_progress: Progress | None) -> None:
        """One pass over the file: count every line, and ``write`` good events in batches."""
        batch: list[Event] = []
        for number, raw in enumerate(open_lines(), start=1):
            tally.lines = number
            outcome = parse_line(number, raw, self._tz, not_before=window[0],
                                 not_after=window[1])
            event = tally.count(outcome)
            if event is not None and write is not None:
                batch.append(event)
            # Written per batch_size lines (not events), so each progress report is a point
            # through which everything is stored: where an interrupted import stopped.
            if number % self._batch_size == 0:
                if write is not None:
                    tally.add(write(batch))
                    batch = []
                if on_progress is not None:
                    on_progress(number, tally.new)
        if write is not None:
            tally.add(write(batch))
        if on_progress is not None:
            on_progress(tally.lines, tally.new)

    def _write(self, batch: list[Event]) -> Stored:
        # The items' view and like counters move with the new events, as seeding moves them.
        return store_with_counters(self._content, self._store, batch)

    def _record_unfinished(self, actor: Actor, name: str, outcome: str, tally: _Tally,
                           strict: bool) -> None:
        """An import that stopped part-way: the batches written stay (each event atomically with
        its rollups), and the same file imported again adds only what is missing."""
        summary = tally.summary(name, strict=strict, dry_run=False)
        self._record(actor, name, outcome,
                     {**summary.audit_detail(), "lines_done": str(tally.lines_done)})

    def _record(self, actor: Actor, name: str, outcome: str, detail: dict[str, str]) -> None:
        record_audit(self._audit, self._clock(), actor.user_id or ANONYMOUS_ACTOR, AUDIT_ACTION,
                     target=name, outcome=outcome, detail=detail)
