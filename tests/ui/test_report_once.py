"""One report per click: a double-clicked "generate" makes one report, and a click while the
model writes neither abandons the generation (paid for) nor starts another.

A double click sends the second click before the page has redrawn: Streamlit stops the first
run at its next own call and runs the second against the button the browser still showed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.users import User
from services.reports.usage import REPORT_AUDIT_ACTION
from services.ui import reports as reports_ui
from tests.ui.conftest import texts
from tests.ui.test_reports import generate, generate_key, open_history, open_reports, seeded

__all__ = ["seeded"]  # fixture used below


def _stop_after_first_pdf(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The second click arriving once the first report is saved: the first run stops at the
    next yield point after its PDF build was started."""
    real = reports_ui.start_pdf
    started: list[str] = []

    def interrupted(services: Services, report: Any, *args: Any, **kwargs: Any) -> Any:
        result = real(services, report, *args, **kwargs)
        started.append(report.id)
        if len(started) == 1:
            ctx = get_script_run_ctx()
            assert ctx is not None and ctx.script_requests is not None
            ctx.script_requests.request_stop()
        return result

    monkeypatch.setattr(reports_ui, "start_pdf", interrupted)
    return started


def test_a_double_clicked_generate_saves_one_report(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_reports(new_app, users["analyst"].username)
    key = generate_key(at)
    _stop_after_first_pdf(monkeypatch)
    at.button(key=key).click().run()  # the first click: stopped once the report is saved
    assert not at.exception, at.exception
    assert len(seeded.ports.reports.list()) == 1

    at.button(key=key).click().run()  # the second click, on the button the browser showed
    assert not at.exception, at.exception
    assert len(seeded.ports.reports.list()) == 1
    assert len(seeded.ports.audit.entries(action=REPORT_AUDIT_ACTION)) == 1
    assert "<h2>요약</h2>" in texts(at)  # the report made by the first click is on screen

    generate(at)  # a later, deliberate click makes another
    assert len(seeded.ports.reports.list()) == 2


def test_reports_of_the_same_kind_and_period_have_distinct_history_lines(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services) -> None:
    at = open_reports(new_app, users["analyst"].username)
    generate(generate(at))
    open_history(at)
    (box,) = [s for s in at.selectbox if s.key == "rep_history_open"]
    labels = list(box.options)
    assert len(labels) == 2 and len(set(labels)) == 2, labels
