"""scripts/make_report.py: the same report headless, saved to the history, written as a PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymupdf
import pytest

from scripts import make_report
from services.bootstrap import build_services
from services.domain.analytics import Event, EventType
from services.settings import ENV_PREFIX, load_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import os

    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DEMO_FACTORY_SAMPLE_CONTENT", "false")
    services = build_services(load_settings())
    now = datetime.now(UTC) - timedelta(hours=1)
    services.ports.events.append([Event(id=f"e{n:03d}", ts=now, type=EventType.PAGE_VIEW,
                                        session_id=f"s{n % 3}", page="home")
                                  for n in range(25)])
    services.tracker.close()
    return tmp_path / "data"


def test_an_offline_report_is_saved_and_written(data_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.pdf"
    assert make_report.main(["--type", "overall", "--lang", "ko", "--days", "30",
                             "--model", "offline", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "0 unmatched" in printed.out and "## 요약" in printed.err  # narrative echoed

    (saved,) = build_services(load_settings()).ports.reports.list()
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
])
def test_problems_are_one_message(data_dir: Path, tmp_path: Path, args: list[str],
                                  message: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.pdf"
    assert make_report.main([*args, "--out", str(out), "--quiet"]) == 2
    assert message in capsys.readouterr().err and not out.exists()
