"""Built report PDFs kept per process, so that a report opened again is not built again.

A saved report never changes (the report store adds, reads and deletes; nothing edits one) and
its PDF is a pure function of the report and the time zone its times are shown in, so the
bytes can be kept under (report id, zone). Building one costs most of a second of CPU, which
every person opening the report (a manager going through the history, a shared link) paid
again, and which holds the interpreter lock while other people's pages are drawn. The cache
is bounded by bytes, least recently used first out. Only a caller that already holds the
Report (read through the report service, which checks who may see it) can ask for its PDF.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import tzinfo

from services.domain.reports import Report

MAX_BYTES = 32 * 1024 * 1024  # ~100 typical reports (charts included)

Builder = Callable[[Report, tzinfo | None], bytes]


class PdfCache:
    """The PDFs of saved reports, at most ``max_bytes`` of them."""

    def __init__(self, build: Builder, max_bytes: int = MAX_BYTES) -> None:
        self._build = build
        self._max_bytes = max_bytes
        self._kept: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def pdf(self, report: Report, tz: tzinfo | None = None) -> bytes:
        """The report's PDF, built now only if it is not kept."""
        key = (report.id, str(tz))
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        data = self._build(report, tz)  # outside the lock: a build is slow
        self._keep(key, data)
        return data

    def _keep(self, key: tuple[str, str], data: bytes) -> None:
        if len(data) > self._max_bytes:
            return
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = data
            self._size += len(data)
            while self._size > self._max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self._size -= len(dropped)

    @property
    def size(self) -> int:
        return self._size
