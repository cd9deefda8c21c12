"""Funnels: ordered steps a visit (browser session) reaches within a window. Pure, no I/O.

A visit enters a funnel at its first event matching step 1 (``started``); from then on, events
of the same visit up to ``started + window`` move it one step at a time, in order: an event
matching the next step moves it, anything else (a later step first, a repeat) does not. Visits
are counted on the local day of their step 1, so a period's counts never rise from one step to
the next.

Stores evaluate this at ingest (``advance``) and keep each visit's ``Progress``. An event at or
before the last event that moved a visit (``Progress.cursor``) is ignored: that makes a batch
delivered again change nothing, and means a visit's events are expected in time order (the
tracker sends them so); one arriving late, behind a later event that already moved the visit,
is not counted. ``visit_progress`` is the same rule over a list of raw events (for the back-fill
and as the reference the tests and the benchmark compare the stores with).

Item funnels (``ITEM_FUNNELS``) are templates every item has, counted at ingest like the
defaults: an event step of a template, bound to the item of the event (``item_funnel``), is a
funnel of its own (id ``<template id>:<content id>``). A visit that views two items is thus in
each item's funnel, with its own progress, and an item page reads its funnel's day counters.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import NamedTuple

from services.domain.analytics import Event, EventType
from services.domain.live import ITEM_TYPES

MIN_STEPS = 2
MAX_STEPS = 6
WINDOW_MIN = 1
WINDOW_MAX = 7 * 24 * 60  # a week, in minutes
NAME_MAX = 80


class StepKind(StrEnum):
    PAGE = "page"  # a page view of the page named ``value``
    EVENT = "event"  # an event of the type named ``value``


@dataclass(frozen=True)
class Step:
    kind: StepKind
    value: str
    category: str | None = None  # narrows an event step to one category ...
    content_id: str | None = None  # ... or to one item

    def to_dict(self) -> dict[str, str]:
        found = {"kind": self.kind.value, "value": self.value,
                 "category": self.category, "content_id": self.content_id}
        return {k: v for k, v in found.items() if v}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Step:
        return cls(StepKind(data["kind"]), data["value"], data.get("category") or None,
                   data.get("content_id") or None)


@dataclass(frozen=True)
class Funnel:
    id: str
    name: str  # for a default funnel: its i18n key
    steps: tuple[Step, ...]
    window_minutes: int
    owner: str | None = None  # None: a default funnel, read-only
    created_at: datetime | None = None
    counted_from: date | None = None  # the first day its counts were back-filled from
    # False while its one-time back-fill from the raw events kept has not finished (cut short
    # by a failure or a stopped server): its counts then lack part of the events before it
    # was saved. Defaults and item funnels are counted at ingest only: nothing to finish.
    backfilled: bool = True

    @property
    def is_default(self) -> bool:
        return self.owner is None

    @cached_property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)


def narrowable(kind: StepKind, value: str) -> bool:
    """Whether a step may be narrowed to a category or an item: an event about one item. A
    page view or a search is about none, so narrowed it would match nothing, for good."""
    return kind is StepKind.EVENT and value in ITEM_TYPES


def name_key(name: str) -> str:
    """What makes two of an owner's funnel names the same name: compared in NFC (a keyboard may
    send a Hangul syllable decomposed), case folded and without white space ("관리자 퍼널",
    "관리자퍼널" and " 관리자  퍼널 " are one name). Stores keep one funnel per (owner, key)."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return "".join(folded.split())


def steps_to_json(steps: Iterable[Step]) -> str:
    return json.dumps([step.to_dict() for step in steps], ensure_ascii=False)


def steps_from_json(text: str) -> tuple[Step, ...]:
    return tuple(Step.from_dict(item) for item in json.loads(text))


def _page(name: str) -> Step:
    return Step(StepKind.PAGE, name)


def _event(type_: EventType) -> Step:
    return Step(StepKind.EVENT, type_.value)


DEFAULT_FUNNELS: tuple[Funnel, ...] = (
    Funnel("home-download", "funnels.default.home_download",
           (_page("home"), _event(EventType.CONTENT_VIEW), _event(EventType.DOWNLOAD)), 30),
    Funnel("search-success", "funnels.default.search_success",
           (_event(EventType.SEARCH), _event(EventType.CONTENT_VIEW)), 30),
    Funnel("view-like", "funnels.default.view_like",
           (_event(EventType.CONTENT_VIEW), _event(EventType.LIKE)), 30),
)
DEFAULT_IDS = frozenset(f.id for f in DEFAULT_FUNNELS)

# Two funnels, not view -> like -> download: liking is no step towards downloading, so an
# ordered three-step funnel would count every visit that downloads without liking as lost.
ITEM_DOWNLOAD = Funnel("item-download", "itempage.funnel.download",
                       (_event(EventType.CONTENT_VIEW), _event(EventType.DOWNLOAD)), 30)
ITEM_LIKE = Funnel("item-like", "itempage.funnel.like",
                   (_event(EventType.CONTENT_VIEW), _event(EventType.LIKE)), 30)
ITEM_FUNNELS: tuple[Funnel, ...] = (ITEM_DOWNLOAD, ITEM_LIKE)


@lru_cache(maxsize=8192)  # every batch binds its items again: the same items, mostly
def item_funnel(template: Funnel, content_id: str) -> Funnel:
    """``template`` with every step narrowed to one item: that item's own funnel."""
    steps = tuple(replace(step, content_id=content_id) for step in template.steps)
    return Funnel(f"{template.id}:{content_id}", template.name, steps, template.window_minutes)


_PAGE = StepKind.PAGE  # read once: step_matches runs per event and funnel at ingest


def step_matches(step: Step, event: Event) -> bool:
    if step.kind is _PAGE:
        return event.type == EventType.PAGE_VIEW and event.page == step.value
    return (event.type == step.value
            and (step.category is None or event.category == step.category)
            and (step.content_id is None or event.content_id == step.content_id))


def relevant(funnel: Funnel, event: Event) -> bool:
    """Could ``event`` move any visit in ``funnel``? (Most events cannot: a cheap filter.)"""
    return any(step_matches(step, event) for step in funnel.steps)


class Progress(NamedTuple):
    """One visit in one funnel: steps reached (1..n), when step 1 was, the last mover. (A
    tuple, not a dataclass: ingest makes one per moved visit and a frozen dataclass's
    construction cost a tenth of the funnels' ingest time.)"""

    reached: int
    started: datetime
    cursor: tuple[datetime, str]  # (ts, id) of the last event that moved the visit


def advance(funnel: Funnel, progress: Progress | None, event: Event) -> Progress | None:
    """The visit's progress after ``event`` (the same object when nothing moved)."""
    if progress is None:
        if step_matches(funnel.steps[0], event):
            return Progress(1, event.ts, (event.ts, event.id))
        return None
    if (progress.reached >= len(funnel.steps) or (event.ts, event.id) <= progress.cursor
            or event.ts > progress.started + funnel.window
            or not step_matches(funnel.steps[progress.reached], event)):
        return progress
    return Progress(progress.reached + 1, progress.started, (event.ts, event.id))


_TIME_ORDER = attrgetter("ts", "id")


def in_order(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=_TIME_ORDER)


VisitKey = tuple[str, bool]  # (session id, sample)


def visit_progress(funnel: Funnel, events: Iterable[Event]) -> dict[VisitKey, Progress]:
    """Every visit's progress from raw events (any order; each id counted once)."""
    found: dict[VisitKey, Progress] = {}
    seen: set[str] = set()
    for event in in_order(events):
        if event.id in seen:
            continue
        seen.add(event.id)
        key = (event.session_id, event.sample)
        moved = advance(funnel, found.get(key), event)
        if moved is not None:
            found[key] = moved
    return found


def step_counts(funnel: Funnel, progress: Iterable[Progress], tz: tzinfo,
                start: date, end: date) -> list[int]:
    """Visits reaching each step, of those whose step 1 was on local days start..end."""
    counts = [0] * len(funnel.steps)
    for visit in progress:
        if start <= visit.started.astimezone(tz).date() <= end:
            for i in range(visit.reached):
                counts[i] += 1
    return counts


def reference_counts(funnel: Funnel, events: Sequence[Event], tz: tzinfo,
                     start: date, end: date) -> list[int]:
    """``step_counts`` straight from raw events: what every store must answer."""
    return step_counts(funnel, visit_progress(funnel, events).values(), tz, start, end)


def newly_reached(before: Progress | None, after: Progress) -> range:
    """The step indexes (0-based) a visit reached between two progresses: its new counters."""
    return range(before.reached if before else 0, after.reached)


@dataclass(frozen=True)
class StepRow:
    """One row of a funnel's table."""

    index: int
    visits: int
    conversion: float | None  # from step 1
    drop_off: float | None  # from the previous step
    previous_visits: int


def step_rows(counts: Sequence[int], previous: Sequence[int]) -> list[StepRow]:
    rows = []
    for i, visits in enumerate(counts):
        first = counts[0]
        before = counts[i - 1] if i else None
        rows.append(StepRow(
            i, visits, visits / first if first else None,
            (1 - visits / before) if before else None,
            previous[i] if i < len(previous) else 0))
    return rows


# ---- at ingest ---------------------------------------------------------------------------------

FunnelVisit = tuple[str, str, bool]  # (funnel id, session id, sample)


class StepIndex:
    """Which funnels an event could move, found by (type, page) instead of testing every step
    of every funnel: most events move none, and ingest speed matters."""

    def __init__(self, funnels: Iterable[Funnel], templates: Iterable[Funnel] = ()) -> None:
        """``templates``: item funnels (``ITEM_FUNNELS``), bound to each event's item."""
        # Per key: the funnels with a step of that key, and whether a key match is already a
        # step match (no step of that key is narrowed to a category or an item).
        steps: defaultdict[tuple[str, str | None], list[Funnel]] = defaultdict(list)
        narrowed: set[tuple[str, str | None]] = set()
        for funnel in funnels:
            for step in funnel.steps:
                key = _step_key(step)
                if funnel not in steps[key]:
                    steps[key].append(funnel)
                if step.category is not None or step.content_id is not None:
                    narrowed.add(key)
        self._by_key = {key: (found, key not in narrowed) for key, found in steps.items()}
        by_type: defaultdict[str, list[Funnel]] = defaultdict(list)
        for template in templates:
            for step in template.steps:
                if step.kind is StepKind.EVENT and template not in by_type[step.value]:
                    by_type[step.value].append(template)
        self._templates = dict(by_type)
        self._bound: dict[tuple[str, str], list[Funnel]] = {}  # (type, item): its funnels

    def candidates(self, events: Iterable[Event]) -> list[tuple[Event, list[Funnel]]]:
        """The events that could move a visit, in time order, with the funnels concerned
        (found by the event's (type, page) key; a narrowed step is checked in full)."""
        lookup = self._by_key.get
        page_view = EventType.PAGE_VIEW
        found: list[tuple[Event, list[Funnel]]] = []
        templates = self._templates.__contains__
        for event in sorted(events, key=_TIME_ORDER):
            kind = event.type
            entry = lookup((kind, event.page if kind == page_view else None))
            funnels: list[Funnel] = []
            if entry is not None:
                funnels, exact = entry
                if not exact:
                    funnels = [f for f in funnels if relevant(f, event)]
            item = event.content_id
            if item and templates(kind):
                funnels = [*funnels, *self._bind(kind, item)] if funnels else self._bind(kind, item)
            if funnels:
                found.append((event, funnels))
        return found

    def _bind(self, kind: str, content_id: str) -> list[Funnel]:
        key = (kind, content_id)
        found = self._bound.get(key)
        if found is None:
            found = self._bound[key] = [item_funnel(t, content_id) for t in self._templates[kind]]
        return found


def _step_key(step: Step) -> tuple[str, str | None]:
    if step.kind is StepKind.PAGE:
        return EventType.PAGE_VIEW.value, step.value
    return step.value, None


def sessions_of(candidates: Iterable[tuple[Event, list[Funnel]]]) -> set[str]:
    return {event.session_id for event, _ in candidates}


def move_visits(candidates: Iterable[tuple[Event, list[Funnel]]],
                stored: dict[FunnelVisit, Progress]) -> dict[FunnelVisit, Progress]:
    """The visits the candidate events moved, with their new progress (``stored``: before)."""
    changed: dict[FunnelVisit, Progress] = {}
    now, before = changed.get, stored.get  # bound once: this loop runs per event and funnel
    for event, funnels in candidates:
        session, sample = event.session_id, event.sample
        for funnel in funnels:
            key = (funnel.id, session, sample)
            current = now(key) or before(key)
            moved = advance(funnel, current, event)
            if moved is not current and moved is not None:
                changed[key] = moved
    return changed


def local_day(progress: Progress, tz: tzinfo) -> date:
    return progress.started.astimezone(tz).date()
