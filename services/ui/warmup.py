"""Start-up work done once per process in the background, off the first request.

A fresh process pays for plotly on its first dashboard (importing it, building the first
figure with the theme template, serialising it: ~0.4 s). The first run of the app starts this
after a pause, so that it does not compete with that run, and the first dashboard finds it
done. Nothing here is needed for correctness: a failure is logged and the page pays the cost.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

DELAY_S = 2.0
_started = threading.Event()


def start(delay_s: float = DELAY_S) -> threading.Timer | None:
    """Warm up once per process (later calls do nothing and return None)."""
    if _started.is_set():
        return None
    _started.set()
    timer = threading.Timer(delay_s, warm_charts)
    timer.name, timer.daemon = "warm-up", True
    timer.start()
    return timer


def warm_charts() -> None:
    try:
        import plotly.io as pio

        from services.ui.charts import bar_chart

        pio.to_json(bar_chart(["a", "b"], [1, 2], "warm-up", "n"), validate=False)
    except Exception:
        log.exception("warm-up failed (the first chart pays for it)")
