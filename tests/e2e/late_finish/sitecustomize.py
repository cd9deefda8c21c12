"""Loaded by the app under test when this folder is on its PYTHONPATH (tests/e2e/test_digests.py):
forces the interleaving that lost a click on a loaded machine.

A run that ended on its own goes on to its clean-up, which resets every button to "not
clicked"; a click arriving just then starts a new run at once, which applies the click's widget
states and runs their callbacks. Here, while the flag file ``DF_E2E_LATE_FINISH`` names
exists, a finished run's clean-up waits until a new run has applied its states (or 10 s), so
the reset lands between the click's states and the new run's reading of a button's value.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

FLAG = os.environ.get("DF_E2E_LATE_FINISH", "")

if FLAG:
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.runtime.state import session_state

    _applied = threading.Event()
    _apply = session_state.SessionState.on_script_will_rerun
    _finish = script_runner.ScriptRunner._on_script_finished

    def _applied_then_tell(self: Any, *args: Any, **kwargs: Any) -> None:
        _apply(self, *args, **kwargs)
        _applied.set()

    def _finish_late(self: Any, ctx: Any, event: Any, premature_stop: bool,
                     run_descriptor: Any) -> None:
        ended = event == script_runner.ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS
        if Path(FLAG).exists() and ended and not premature_stop:
            _applied.clear()
            _applied.wait(10)
        _finish(self, ctx, event, premature_stop, run_descriptor)

    session_state.SessionState.on_script_will_rerun = _applied_then_tell  # type: ignore[method-assign]
    script_runner.ScriptRunner._on_script_finished = _finish_late  # type: ignore[method-assign]
