"""How many times this process has changed the catalogue (an item created, saved, deleted, or
the samples removed).

What the UI caches for a while from the catalogue (the funnel builder's item choices, the
insights, a report's preview: ``services/ui/insights_cache.py``) is keyed by this count, so an
item deleted, unpublished or renamed in this process is not offered or reported from an entry
read before it. Another process's change still shows when the cache's entry expires:
the stores have no cheap "last changed" to ask for.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_count = 0


def changed() -> None:
    """Called by every catalogue write, after it succeeded."""
    global _count
    with _lock:
        _count += 1


def count() -> int:
    return _count
