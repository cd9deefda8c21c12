"""SQLite report store specifics: a report saved before lists read summaries is listed from its
document once, and from its summary afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.adapters import report_codec
from services.adapters.sqlite import reports as sqlite_reports
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.reports import SCHEMA, SqliteReportStore
from services.domain.reports import summary_of
from tests.contract.test_report_store import T0, report

BEFORE_SUMMARIES = 2  # the schema's migrations when a row held only the whole document


def test_a_report_saved_before_summaries_is_listed(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = SqliteDatabase(tmp_path / "r.db")
    db.migrate(extra={"reports": SCHEMA["reports"][:BEFORE_SUMMARIES]})
    old = report("old", extra={"created_by_name": "Ana Kim"})
    with db.transaction() as conn:  # as the store wrote it then
        conn.execute("INSERT INTO reports (id, created_by, created_at, tokens, doc)"
                     " VALUES (?, ?, ?, ?, ?)", ("old", "ana", report_codec.utc_text(T0), 2000,
                                                  report_codec.to_json(old)))
    store = SqliteReportStore(db)

    assert store.list() == [summary_of(old)]

    parsed: list[str] = []
    real = sqlite_reports.from_json
    monkeypatch.setattr(sqlite_reports, "from_json",
                        lambda text: parsed.append(text) or real(text))
    assert store.list(created_by="ana") == [summary_of(old)]
    assert parsed == []  # its summary was kept the first time
    assert store.get("old") == old
