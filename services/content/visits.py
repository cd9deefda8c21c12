"""Which items each visit has viewed, so a view counts once per visit, reloads included.

In process memory and bounded: the visits seen longest ago are forgotten first. Behind a load
balancer with sticky sessions a visit stays on one instance; a restart or a move to another
instance can count an item once more for that visit, which a view counter tolerates.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class VisitLedger:
    def __init__(self, max_visits: int = 50_000) -> None:
        if max_visits < 1:
            raise ValueError("max_visits must be at least 1")
        self._max_visits = max_visits
        self._seen: OrderedDict[str, set[str]] = OrderedDict()
        self._lock = threading.Lock()

    def first_view(self, visit_id: str, item_id: str) -> bool:
        """True the first time this visit views this item (and remembers it), else False."""
        with self._lock:
            items = self._seen.get(visit_id)
            if items is None:
                items = self._seen[visit_id] = set()
                if len(self._seen) > self._max_visits:
                    self._seen.popitem(last=False)
            else:
                self._seen.move_to_end(visit_id)
            if item_id in items:
                return False
            items.add(item_id)
            return True
