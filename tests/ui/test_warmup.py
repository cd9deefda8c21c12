"""The first request of a process does not pay for plotly: the app warms it up once, in the
background, and a failure there never reaches a page."""

from __future__ import annotations

import sys
import threading

import pytest

from services.ui import warmup


def test_warm_up_runs_once_per_process_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(warmup, "_started", threading.Event())
    timer = warmup.start(delay_s=0)
    assert timer is not None and timer.daemon
    timer.join(timeout=30)
    assert "plotly.io" in sys.modules
    assert warmup.start(delay_s=0) is None


def test_a_failing_warm_up_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no plotly today")

    monkeypatch.setattr("services.ui.charts.bar_chart", broken)
    warmup.warm_charts()
    assert "warm-up failed" in caplog.text
