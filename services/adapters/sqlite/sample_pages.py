"""Renaming the page of sample page views in the SQLite event store (layout: ``events.py``).

A page view counts once under its page (``Dim.PAGE``, a whole-day row) and, when it is a sample
event, once more in ``sample_rollups``: that copy is exactly what the sample events added, so
the rename moves it, from the ``old`` row to the ``new`` one in both tables, whether or not the
raw events are still kept. Other events' counts of ``old`` stay where they are. The days are
found through ``rollup_epochs`` (one row per day with rows, each a primary-key lookup), so a
store with nothing to rename pays a few lookups, not a scan of the sample rows.
"""

from __future__ import annotations

import sqlite3

from services.adapters.sqlite.rollup_day import BUMP_EPOCH
from services.domain.analytics import WHOLE_DAY, Dim, EventType

_KEY = "hour = ? AND type = ? AND dim = ? AND value = ?"
_ADD = (
    "INSERT INTO {table} (day, hour, type, dim, value, count) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (day, hour, type, dim, value) DO UPDATE SET count = count + excluded.count"
)


def rename_sample_page(conn: sqlite3.Connection, old: str, new: str) -> int:
    """In the caller's transaction: the sample page views of ``old`` become ``new`` (raw
    events, counters and their sample copies, each touched day's epoch moved). Returns how
    many the counters held; a second run finds none (0)."""
    if old == new:
        return 0
    key = (WHOLE_DAY, EventType.PAGE_VIEW, Dim.PAGE)
    found = conn.execute(
        "SELECT s.day, s.count FROM rollup_epochs AS e JOIN sample_rollups AS s"
        " ON s.day = e.day AND s.hour = ? AND s.type = ? AND s.dim = ? AND s.value = ?",
        (*key, old),
    ).fetchall()
    if not found:  # the raw events were renamed with the counters, or there were none
        return 0
    conn.execute(
        "UPDATE events SET page = ? WHERE sample = 1 AND type = ? AND page = ?",
        (new, EventType.PAGE_VIEW, old),
    )
    for day, count in found:
        for table in ("rollups", "sample_rollups"):
            conn.execute(_ADD.format(table=table), (day, *key, new, count))
        conn.execute(
            f"UPDATE rollups SET count = count - ? WHERE day = ? AND {_KEY}",  # noqa: S608
            (count, day, *key, old),
        )
        # Counters only grow by positive deltas: zero means no other event counted it.
        conn.execute(
            f"DELETE FROM rollups WHERE count <= 0 AND day = ? AND {_KEY}",  # noqa: S608
            (day, *key, old),
        )
        conn.execute(
            f"DELETE FROM sample_rollups WHERE day = ? AND {_KEY}",  # noqa: S608
            (day, *key, old),
        )
    conn.executemany(BUMP_EPOCH, [(day,) for day, _ in found])
    return sum(int(count) for _, count in found)
