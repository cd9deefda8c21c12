"""A fragment's own run, as the browser asks for it (``run_every``), in AppTest."""

from __future__ import annotations

from typing import Any
from unittest import mock

from streamlit.testing.v1 import AppTest, local_script_runner


def run_fragment(at: AppTest, key: str) -> AppTest:
    """What the browser asks every ``run_every``: a run of the fragment named ``key`` alone.
    AppTest has no call for it, so its run is given the fragment's id as the browser's
    auto-rerun would. Its elements are then the fragment's alone (the browser keeps the rest of
    the page as it was); a fragment that reruns the whole app gives the whole page."""
    (fragment_id,) = at._fragment_storage.resolve_target(key)
    real = local_script_runner.RerunData

    def fragment_run(**kwargs: Any) -> Any:
        return real(**kwargs, fragment_id_queue=[fragment_id], is_auto_rerun=True)

    with mock.patch.object(local_script_runner, "RerunData", fragment_run):
        at.run()
    assert not at.exception, at.exception
    return at
