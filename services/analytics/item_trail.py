"""What a content view carries for its item's own page: the visit's last search term and the
mark of the visit's first view of that item on that local day.

Both need a little per-visit state, kept here in process memory and bounded (the visits seen
longest ago are forgotten first), as ``content.visits.VisitLedger`` does for view counts. The
analytics service stamps the events it records; the synthetic generator stamps its sessions
the same way, so that demo data fills the item pages too. A rollup then counts a marked view
once (``Dim.CONTENT_VISIT``): exact per browser session, item and day as long as the visit
stays on one app process (sticky sessions), which is what the view counter already assumes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.domain.analytics import ITEM_VISIT_PROP, SEARCH_TERM_PROP, normalize_term

VISITS_MAX = 50_000


@dataclass
class _Visit:
    term: str | None = None
    seen: set[tuple[date, str]] = field(default_factory=set)


class ItemTrail:
    def __init__(self, max_visits: int = VISITS_MAX) -> None:
        if max_visits < 1:
            raise ValueError("max_visits must be at least 1")
        self._max = max_visits
        self._visits: OrderedDict[str, _Visit] = OrderedDict()
        self._lock = threading.Lock()

    def _visit(self, session_id: str) -> _Visit:
        found = self._visits.get(session_id)
        if found is None:
            found = self._visits[session_id] = _Visit()
            if len(self._visits) > self._max:
                self._visits.popitem(last=False)
        else:
            self._visits.move_to_end(session_id)
        return found

    def searched(self, session_id: str, query: str) -> None:
        """Remember the visit's latest search (normalised as search terms are counted)."""
        term = normalize_term(query)
        if term:
            with self._lock:
                self._visit(session_id).term = term

    def viewed(self, session_id: str, content_id: str, day: date) -> dict[str, Any]:
        """The properties of a content view: ``q`` after a search in this visit, and the
        visit mark on its first view of the item on ``day`` (local)."""
        with self._lock:
            visit = self._visit(session_id)
            props: dict[str, Any] = {}
            if visit.term:
                props[SEARCH_TERM_PROP] = visit.term
            if (day, content_id) not in visit.seen:
                visit.seen.add((day, content_id))
                props[ITEM_VISIT_PROP] = True
            return props
