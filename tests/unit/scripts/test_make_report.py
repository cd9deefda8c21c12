"""scripts/make_report.py: the same report headless, saved to the history, written as a PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymupdf
import pytest

from scripts import make_report
from services.bootstrap import build_services
from services.domain.analytics import Event, EventType
from services.settings import load_settings


@pytest.fixture
def data_dir(script_env: Path) -> Path:
    services = build_services(load_settings())
    now = datetime.now(UTC) - timedelta(hours=1)
    services.ports.events.append([Event(id=f"e{n:03d}", ts=now, type=EventType.PAGE_VIEW,
                                        session_id=f"s{n % 3}", page="home")
                                  for n in range(25)])
    services.tracker.close()
    return script_env


def test_an_offline_report_is_saved_and_written(data_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.pdf"
    assert make_report.main(["--type", "overall", "--lang", "ko", "--days", "30",
                             "--model", "offline", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "0 unmatched" in printed.out and "## 요약" in printed.err  # narrative echoed

    store = build_services(load_settings()).ports.reports
    (listed,) = store.list()
    saved = store.get(listed.id)
    assert saved.created_by == "cli" and saved.grounding.ok
    assert (saved.period_end - saved.period_start).days == 29
    assert {k["key"]: k["value"] for k in saved.context["kpis"]}["page_views"] == 25
    with pymupdf.open(out) as pdf:
        text = "".join(page.get_text() for page in pdf)
    assert "요약" in text and "25" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--days", "0"], "--days must be at least 1"),
    (["--days", "400"], "366"),
    (["--model", "bedrock:nope"], "bedrock:nope"),
    (["--type", "content", "--subject", "no-such-item"], "cannot be about that item"),
])
def test_problems_are_one_message(data_dir: Path, tmp_path: Path, args: list[str],
                                  message: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.pdf"
    assert make_report.main([*args, "--out", str(out), "--quiet"]) == 2
    assert message in capsys.readouterr().err and not out.exists()
