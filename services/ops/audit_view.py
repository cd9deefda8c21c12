"""Reading the audit log (admins only): filter by actor, action and local date range; CSV.

The filter's dates are local days in the settings' time zone, both inclusive; the port is asked
for the matching UTC instants. Viewing is itself authorised (``Action.VIEW_AUDIT``) and a
refused attempt is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.analytics.funnels import CREATE_ACTION as FUNNEL_CREATE
from services.analytics.funnels import DELETE_ACTION as FUNNEL_DELETE
from services.csv_export import rows_csv
from services.domain.models import AuditEntry, utcnow
from services.domain.permissions import Action, Actor, require
from services.domain.users import ANONYMOUS_ACTOR
from services.errors import DemoFactoryError, PermissionDenied, ValidationError
from services.ops.audit import record_audit
from services.ports import AuditLog, ContentRepository, FunnelStore

MAX_ROWS = 2000
CSV_COLUMNS = ("ts", "actor", "action", "target", "outcome", "detail")
# The actions whose target is one content item's id (others name files or counts).
ITEM_ACTIONS = frozenset({"content.create", "content.update", "content.delete"})
FUNNEL_ACTIONS = frozenset({FUNNEL_CREATE, FUNNEL_DELETE})  # a saved funnel's id


@dataclass(frozen=True)
class AuditQuery:
    start: date
    end: date
    actor: str | None = None
    action: str | None = None
    limit: int = MAX_ROWS

    def window(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC-aware instants from ``start`` 00:00 to the last microsecond of ``end``."""
        if self.end < self.start:
            raise ValidationError("admin_tools.err_dates")
        since = datetime.combine(self.start, time.min, tzinfo=tz)
        until = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
        return since, until - timedelta(microseconds=1)


@dataclass(frozen=True)
class AuditChoices:
    actors: list[str]
    actions: list[str]


def _require_view(actor: Actor, audit: AuditLog, clock: Callable[[], datetime]) -> None:
    try:
        require(actor, Action.VIEW_AUDIT)
    except PermissionDenied:
        record_audit(audit, clock(), actor.user_id or ANONYMOUS_ACTOR, "audit.view", "audit",
                     outcome="denied")
        raise


def audit_entries(
    actor: Actor, audit: AuditLog, query: AuditQuery, tz: ZoneInfo,
    *, clock: Callable[[], datetime] = utcnow,
) -> list[AuditEntry]:
    """Entries matching ``query``, newest first (at most ``query.limit``)."""
    _require_view(actor, audit, clock)
    since, until = query.window(tz)
    return audit.entries(actor=query.actor or None, action=query.action or None,
                         since=since, until=until, limit=query.limit)


def audit_choices(
    actor: Actor, audit: AuditLog, start: date, end: date, tz: ZoneInfo,
    *, clock: Callable[[], datetime] = utcnow,
) -> AuditChoices:
    """The actors and actions present in the date range, for the filter pickers."""
    _require_view(actor, audit, clock)
    since, until = AuditQuery(start, end).window(tz)
    entries = audit.entries(since=since, until=until, limit=MAX_ROWS)
    return AuditChoices(sorted({e.actor for e in entries}), sorted({e.action for e in entries}))


def target_titles(
    actor: Actor, audit: AuditLog, entries: Sequence[AuditEntry], repo: ContentRepository | None,
    funnels: FunnelStore | None = None, *, clock: Callable[[], datetime] = utcnow,
) -> dict[str, str]:
    """Id -> title for the content items and funnel name for the saved funnels the entries
    name that still exist, so the log can say what was edited; a deleted one keeps its id."""
    _require_view(actor, audit, clock)
    titles: dict[str, str] = {}
    lookups: list[tuple[frozenset[str], Callable[[str], str]]] = []
    if repo is not None:
        lookups.append((ITEM_ACTIONS, lambda content_id: repo.get(content_id).title))
    if funnels is not None:
        lookups.append((FUNNEL_ACTIONS, lambda funnel_id: funnels.get(funnel_id).name))
    for actions, title_of in lookups:
        for target in {e.target for e in entries if e.action in actions}:
            try:
                titles[target] = title_of(target)
            except DemoFactoryError:  # gone (or never stored): the id is all there is
                continue
    return titles


def to_csv(entries: Sequence[AuditEntry], tz: ZoneInfo,
           shown: Sequence[Mapping[str, str]] = ()) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that Excel shows Korean text correctly; cells
    that a spreadsheet would run as a formula are defused (``services.csv_export``).

    The recorded codes and ids come first, for scripts; ``shown`` (one mapping per entry, the
    same headings in each) adds the columns as the log page words them, after them."""
    headings = list(shown[0]) if shown else []
    return rows_csv([*CSV_COLUMNS, *headings], ([
        entry.ts.astimezone(tz).isoformat(timespec="seconds"), entry.actor, entry.action,
        entry.target, entry.outcome,
        json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else "",
        *(words[h] for h in headings),
    ] for entry, words in zip(entries, shown or [{}] * len(entries), strict=True)))
