"""Funnel use cases: the funnels an analyst may open, defining and deleting one, its numbers.

Everyone with dashboards (VIEW_DASHBOARDS) sees the three default funnels, defines funnels of
their own and opens any saved funnel by its id (a shared link); only its owner or an
administrator deletes one. Numbers come from the store's per-day counters (``FunnelStore``),
counted at ingest; a new funnel is back-filled once from the raw events still kept, and says
from which day it counts.

A new funnel is saved unfinished, then back-filled, then marked finished. A back-fill cut short
(a database error, a server stopped) leaves it unfinished, and opening it (``report``) finishes
it: counting the same events again is a no-op (each visit's cursor is past them), so the rerun
reads everything still kept. One run at a time takes it (``FunnelStore.claim_backfill``); a
funnel claimed by another run shows its numbers so far, flagged unfinished.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from services.analytics.counters import item_exists
from services.analytics.dashboards import Period
from services.domain.analytics import EventType, bounded_text
from services.domain.funnels import (
    DEFAULT_FUNNELS,
    ITEM_FUNNELS,
    MAX_STEPS,
    MIN_STEPS,
    NAME_MAX,
    WINDOW_MAX,
    WINDOW_MIN,
    Funnel,
    Step,
    StepKind,
    StepRow,
    item_funnel,
    name_key,
    narrowable,
    step_rows,
)
from services.domain.models import Category, ContentItem, Page, SearchQuery, Sort, Status, new_id
from services.domain.permissions import Action, Actor, can, require
from services.domain.text import turns_text
from services.errors import (
    ConflictError,
    DemoFactoryError,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    ValidationError,
)
from services.ops.audit import record_audit
from services.ports import AuditLog, ContentRepository, EventStore, FunnelStore

CREATE_ACTION = "funnel.create"
DELETE_ACTION = "funnel.delete"
# How long a run holds an unfinished back-fill before another may take it (a run that stopped
# never gives it back). One that takes longer is then run twice at once: wasted work only, as
# the visit cursors count every event once.
BACKFILL_HOLD = timedelta(minutes=15)
# The items a step offers: a select box of thousands would be slow to send and to scroll; a
# step's category narrows them, and the most viewed come first. When there are more, the
# newest ``ITEM_CHOICES_NEWEST`` are kept too: a new item has few views yet, and it is the one
# a funnel is most likely built for.
ITEM_CHOICES_MAX = 500
ITEM_CHOICES_NEWEST = 100
_DEFAULTS = {funnel.id: funnel for funnel in DEFAULT_FUNNELS}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FunnelReport:
    funnel: Funnel
    period: Period
    previous: Period
    rows: list[StepRow]
    # The titles of the items its steps name that still exist (a deleted one is not in it).
    titles: Mapping[str, str] = field(default_factory=dict)

    @property
    def entered(self) -> int:
        return self.rows[0].visits if self.rows else 0


@dataclass(frozen=True)
class ItemChoices:
    """The items a step may name, (id, title), most viewed first (when capped, the newest
    after them); ``total``: how many there are in all, of which at most ``ITEM_CHOICES_MAX``
    are offered."""

    items: tuple[tuple[str, str], ...]
    total: int

    @property
    def capped(self) -> bool:
        return self.total > len(self.items)


def funnel_report(store: FunnelStore, funnel: Funnel, period: Period) -> FunnelReport:
    """The funnel's steps in the period and the previous one, from the day counters."""
    n = len(funnel.steps)
    previous = period.previous()
    counts = store.counts(funnel.id, n, period.start, period.end)
    before = store.counts(funnel.id, n, previous.start, previous.end)
    return FunnelReport(funnel, period, previous, step_rows(counts, before))


def item_funnel_reports(store: FunnelStore, content_id: str,
                        period: Period) -> tuple[FunnelReport, ...]:
    """One item's own funnels (``ITEM_FUNNELS`` bound to it), counted at ingest. Who may see
    them is the item page's rule (``AnalyticsService.item_page``)."""
    return tuple(funnel_report(store, item_funnel(template, content_id), period)
                 for template in ITEM_FUNNELS)


class FunnelService:
    def __init__(self, store: FunnelStore, events: EventStore, content: ContentRepository,
                 audit: AuditLog, tz: tzinfo, retention_days: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._store = store
        self._events = events
        self._content = content
        self._audit = audit
        self._tz = tz
        self._retention = timedelta(days=retention_days)
        self._clock = clock

    def available(self, actor: Actor, shared_id: str | None = None) -> list[Funnel]:
        """The defaults, the actor's own funnels, and the one a shared link names (if any)."""
        require(actor, Action.VIEW_DASHBOARDS)
        found = [*DEFAULT_FUNNELS, *self._store.list(owner=str(actor.user_id))]
        if shared_id and all(f.id != shared_id for f in found):
            with suppress(NotFound):  # a stale link: the page says so
                found.append(self._store.get(shared_id))
        return found

    def get(self, actor: Actor, funnel_id: str) -> Funnel:
        require(actor, Action.VIEW_DASHBOARDS)
        return _DEFAULTS.get(funnel_id) or self._store.get(funnel_id)

    def report(self, actor: Actor, funnel_id: str, period: Period) -> FunnelReport:
        """The funnel's numbers; an unfinished back-fill is finished first (unless another run
        holds it: then the numbers so far, ``funnel.backfilled`` False). ServiceUnavailable
        ("funnels.err_backfill") when finishing fails: it stays for the next opening."""
        funnel = self.get(actor, funnel_id)
        if not funnel.backfilled:
            funnel = self._finish_backfill(funnel, self._clock())
        return replace(funnel_report(self._store, funnel, period), titles=self._titles(funnel))

    def _titles(self, funnel: Funnel) -> dict[str, str]:
        titles = {}
        for content_id in {step.content_id for step in funnel.steps if step.content_id}:
            with suppress(NotFound):  # deleted since: the tab says so
                item = self._content.get(content_id)
                # An item made private or a draft since is named as the dashboard names it.
                if item.status is Status.PUBLISHED:
                    titles[content_id] = item.title
        return titles

    def item_choices(self, actor: Actor, category: Category | None = None) -> ItemChoices:
        """The published items a step about an item may name, by title (of ``category``
        when given), at most ``ITEM_CHOICES_MAX``. With more than that, the newest
        ``ITEM_CHOICES_NEWEST`` and the most viewed of the rest, each once: most viewed first,
        then the newest (a second search, only then)."""
        require(actor, Action.VIEW_DASHBOARDS)
        viewed = self._published(category, Sort.MOST_VIEWED, ITEM_CHOICES_MAX)
        items = viewed.items
        share = min(ITEM_CHOICES_NEWEST, ITEM_CHOICES_MAX)
        if viewed.total > len(items) and share > 0:
            newest = self._published(category, Sort.NEWEST, share).items
            kept = {item.id for item in newest}
            rest = [item for item in items if item.id not in kept]
            items = [*rest[:ITEM_CHOICES_MAX - len(newest)], *newest]
        return ItemChoices(tuple((item.id, item.title) for item in items), viewed.total)

    def _published(self, category: Category | None, sort: Sort,
                   size: int) -> Page[ContentItem]:
        return self._content.search(SearchQuery(
            category=category, status=Status.PUBLISHED, sort=sort, page_size=size))

    def create(self, actor: Actor, name: str, steps: Sequence[Step],
               window_minutes: int) -> Funnel:
        """Save a funnel of the actor's and count the raw events still kept into it. A back-fill
        that fails leaves it saved and unfinished, for ``report`` to finish. ConflictError
        ("funnels.err_duplicate_name") when the actor has a funnel of that name already
        (``domain.funnels.name_key``): the store refuses it atomically (two tabs saving at once);
        the look here also finds funnels saved before stores kept names apart."""
        require(actor, Action.VIEW_DASHBOARDS)
        now = self._clock()
        funnel = Funnel(new_id(), _valid_name(name), self._valid_steps(steps),
                        _valid_window(window_minutes), owner=str(actor.user_id),
                        created_at=now, counted_from=self._first_kept_day(now),
                        backfilled=False)
        key = name_key(funnel.name)
        if any(name_key(f.name) == key for f in self._store.list(owner=funnel.owner)):
            raise ConflictError("funnels.err_duplicate_name", name=funnel.name)
        self._store.save(funnel)
        record_audit(self._audit, now, str(actor.user_id), CREATE_ACTION, funnel.id,
                     detail={"name": funnel.name, "steps": str(len(funnel.steps))})
        with suppress(ServiceUnavailable):  # logged; opening the funnel tries again
            funnel = self._finish_backfill(funnel, now)
        return funnel

    def _valid_steps(self, steps: Sequence[Step]) -> tuple[Step, ...]:
        """The steps as stored. A step's item must exist: one deleted after it was offered
        would make a funnel that reads 0 from that step on, for good. The refusal names the
        builder's item field (``item_<i>``), not the id: the builder shows titles only."""
        valid = _valid_steps(steps)
        for i, step in enumerate(valid):
            if step.content_id and not item_exists(self._content, step.content_id):
                raise ValidationError("funnels.err_step_item", field=f"item_{i}", n=i + 1)
        return valid

    def _finish_backfill(self, funnel: Funnel, now: datetime) -> Funnel:
        """Count the raw events still kept into ``funnel`` and mark it finished, if this run
        takes it; else the funnel as it is."""
        until = now + BACKFILL_HOLD
        since = now - self._retention
        # From the first day still kept now: a resumed back-fill no longer reads the events
        # that aged out since the funnel was saved.
        counted_from = self._first_kept_day(now)
        try:
            if not self._store.claim_backfill(funnel.id, now, until):
                return funnel
            self._store.backfill(funnel,
                                 self._events.raw_events(since, now + timedelta(minutes=1)))
            self._store.finish_backfill(funnel.id, counted_from)
        except DemoFactoryError as exc:
            log.warning("back-fill of funnel %s failed: %s", funnel.id, exc)
            # Given back so the next opening tries at once; if this fails too, it runs out.
            with suppress(DemoFactoryError):
                self._store.release_backfill(funnel.id, until)
            raise ServiceUnavailable("funnels.err_backfill") from exc
        return replace(funnel, backfilled=True, counted_from=counted_from)

    def _first_kept_day(self, now: datetime) -> date:
        return (now - self._retention).astimezone(self._tz).date()

    def may_delete(self, actor: Actor, funnel: Funnel) -> bool:
        """Not a default funnel; its owner's, or an administrator's (``DELETE_ANY_FUNNEL``)."""
        return not funnel.is_default and can(actor, Action.DELETE_FUNNEL, funnel.owner)

    def delete(self, actor: Actor, funnel_id: str) -> None:
        """Its owner or an administrator; the default funnels stay."""
        funnel = self.get(actor, funnel_id)
        if not self.may_delete(actor, funnel):
            record_audit(self._audit, self._clock(), str(actor.user_id), DELETE_ACTION,
                         funnel_id, outcome="denied")
            raise PermissionDenied("errors.permission_denied", action=DELETE_ACTION)
        self._store.delete(funnel_id)
        record_audit(self._audit, self._clock(), str(actor.user_id), DELETE_ACTION, funnel_id,
                     detail={"name": funnel.name})


def _valid_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise ValidationError("funnels.err_name", field="name", max=NAME_MAX)
    if turns_text(cleaned):
        raise ValidationError("funnels.err_direction", field="name")
    return cleaned


def _valid_window(minutes: int) -> int:
    if not WINDOW_MIN <= minutes <= WINDOW_MAX:
        raise ValidationError("funnels.err_window", field="window", min=WINDOW_MIN,
                              max=WINDOW_MAX)
    return int(minutes)


def _valid_steps(steps: Sequence[Step]) -> tuple[Step, ...]:
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise ValidationError("funnels.err_steps", field="steps", min=MIN_STEPS,
                              max=MAX_STEPS)
    return tuple(_valid_step(i, step) for i, step in enumerate(steps))


def _valid_step(i: int, step: Step) -> Step:
    """The step at ``i`` (from 0) as stored; a refusal names it, by the builder's field
    (``step_<i>``) and by its number in the words."""
    value = bounded_text(step.value.strip())
    if not value:
        raise ValidationError("funnels.err_step", field=f"step_{i}")
    if step.kind is StepKind.EVENT and value not in set(EventType):
        raise ValidationError("funnels.err_step_event", field=f"step_{i}", n=i + 1)
    category, content_id = _narrowing(step.category), _narrowing(step.content_id)
    if (category or content_id) and not narrowable(step.kind, value):
        # dropping what was asked for would count something else unsaid
        raise ValidationError("funnels.err_step_narrow", field=f"step_{i}", n=i + 1)
    if category and category not in set(Category):
        raise ValidationError("funnels.err_step_category", field=f"step_{i}", n=i + 1)
    return Step(step.kind, value, category, content_id)


def _narrowing(text: str | None) -> str | None:
    return bounded_text(text.strip()) or None if text else None
