"""A report's PDF that fails while the page waits for it. The download button's data is a
callable Streamlit runs when it is clicked; one that raises makes Streamlit answer the click with
its own English error. So no click can reach a build that may still fail: while it runs, the
button is there but disabled, and the outcome (the PDF, or why not with a new build) is drawn
when it is known."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.reports import Report
from services.domain.users import User
from services.ui.report_pdf import PDF_CACHE_KEY
from tests.ui import test_reports
from tests.ui.conftest import errors
from tests.ui.test_reports import generate, open_reports

FAILED = ("PDF를 만들지 못했습니다(보고서는 저장되어 있습니다). "
          "‘PDF 다시 만들기’를 눌러 다시 시도하세요.")
seeded = test_reports.seeded  # the report page's events and items (a fixture)


def test_a_build_failing_while_the_page_waits_is_shown_translated_with_a_retry(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from services.reports.pdf import build

    real = build.build_report_pdf
    release = threading.Event()
    broken = [True]

    def renderer(report: Report, **kw: Any) -> bytes:
        release.wait(10)
        if broken[0]:
            raise RuntimeError("the renderer broke")
        return real(report, **kw)

    monkeypatch.setattr(build, "build_report_pdf", renderer)
    at = generate(open_reports(new_app, users["analyst"].username))
    try:
        assert "PDF를 만드는 중…" in [c.value for c in at.caption]
        [button] = at.get("download_button")
        # Nothing a click could fetch yet: no callable that might raise into Streamlit.
        assert button.proto.label == "PDF 내려받기" and button.proto.disabled
    finally:
        release.set()
    (saved,) = seeded.ports.reports.list()
    with caplog.at_level(logging.ERROR):
        assert at.session_state[PDF_CACHE_KEY][saved.id].exception() is not None
        at.run()

    assert not at.exception, at.exception
    assert errors(at) == [FAILED]
    assert at.get("download_button") == []
    assert "the renderer broke" in caplog.text  # the cause is in the log, not on the page

    broken[0] = False
    at.button(key="rep_last_view_pdf_retry").click().run()
    at.session_state[PDF_CACHE_KEY][saved.id].result()
    at.run()
    assert not at.exception and not errors(at)
    [button] = at.get("download_button")
    assert not button.proto.disabled
