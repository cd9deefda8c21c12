"""The "now" panel's tables from a live snapshot (pure: snapshot and catalogue in, frames out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import pandas as pd

from services.analytics.tables import DELETED_ITEMS, Catalog
from services.domain.live import LiveSnapshot


@dataclass(frozen=True)
class LiveNow:
    snapshot: LiveSnapshot
    pages: pd.DataFrame  # page, visitors; most visitors first
    items: pd.DataFrame  # content_id, title (None: deleted or unpublished, one row), visitors
    per_minute: pd.DataFrame  # minute (local time), events; oldest first

    @property
    def is_empty(self) -> bool:
        return self.snapshot.is_empty


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def live_now(snapshot: LiveSnapshot, catalog: Catalog, tz: tzinfo) -> LiveNow:
    """Items no longer published are summed into one ``DELETED_ITEMS`` row, as elsewhere, and
    listed last (a catch-all, not an item)."""
    items: dict[str, int] = {}
    for content_id, visitors in snapshot.items.items():
        key = content_id if catalog.get(content_id) is not None else DELETED_ITEMS
        items[key] = items.get(key, 0) + visitors
    item_rows = []
    for content_id, visitors in sorted(_ranked(items), key=lambda p: p[0] == DELETED_ITEMS):
        found = catalog.get(content_id)
        item_rows.append({"content_id": content_id, "title": found.title if found else None,
                          "visitors": visitors})
    return LiveNow(
        snapshot=snapshot,
        pages=pd.DataFrame(_ranked(snapshot.pages), columns=["page", "visitors"]),
        items=pd.DataFrame(item_rows, columns=["content_id", "title", "visitors"]),
        per_minute=pd.DataFrame(
            [(minute.astimezone(tz), count) for minute, count in snapshot.per_minute],
            columns=["minute", "events"]),
    )
