"""Start-up work done once per process in the background, off the first request.

A fresh process pays for plotly on its first dashboard (importing it, building the first
figure with the theme template, serialising it: ~0.4 s), and in local mode for reading the
dashboard's days from SQLite into memory (the default period's insights: 0.2 s at 100,000
events, 0.5 s at 1,000,000). The first run of the app starts this after a pause, so that it
does not compete with that run, and the first dashboard finds it done. Nothing here is needed
for correctness: a failure is logged and the page pays the cost.
"""

from __future__ import annotations

import logging
import threading

from services.analytics.periods import DASHBOARD_PRESET
from services.bootstrap import Services

log = logging.getLogger(__name__)

DELAY_S = 2.0
_started = threading.Event()


def start(services: Services | None = None, delay_s: float = DELAY_S) -> threading.Timer | None:
    """Warm up once per process (later calls do nothing and return None)."""
    if _started.is_set():
        return None
    _started.set()
    timer = threading.Timer(delay_s, warm, args=(services,))
    timer.name, timer.daemon = "warm-up", True
    timer.start()
    return timer


def warm(services: Services | None) -> None:
    warm_charts()
    if services is not None:
        warm_reads(services)


def warm_charts() -> None:
    try:
        import plotly.io as pio

        from services.ui.charts import bar_chart

        pio.to_json(bar_chart(["a", "b"], [1, 2], "warm-up", "n"), validate=False)
    except Exception:
        log.exception("warm-up failed (the first chart pays for it)")


def warm_reads(services: Services) -> None:
    """The dashboard's default period, read once. Local mode only: SQLite's store keeps what
    it read in memory, where DynamoDB's would pay for reads that nobody keeps."""
    if services.settings.backend != "local":
        return
    try:
        services.insights.warm(services.analytics.period(DASHBOARD_PRESET))
    except Exception:
        log.exception("warm-up of the dashboard's reads failed (the first visit pays for it)")
