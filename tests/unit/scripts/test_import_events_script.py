"""scripts/import_events.py on a local data dir: summary, exit codes, --strict, --dry-run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts import import_events
from services.bootstrap import Services, build_services
from services.settings import load_settings
from tests.unit.scripts.conftest import on_terminal

NOW = datetime.now(UTC)


@pytest.fixture
def services(script_env: Path) -> Services:
    return build_services(load_settings())


def page_view(n: int, **fields: Any) -> str:
    ts = (NOW - timedelta(hours=n + 1)).isoformat()
    return json.dumps({"ts": ts, "type": "page_view", "session_id": f"s{n}", "page": "home",
                       **fields})


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(services: Services) -> int:
    return sum(1 for _ in services.ports.events.raw_events(NOW - timedelta(days=2), NOW))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = import_events.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_good_file_is_imported_once(services: Services, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [page_view(n) for n in range(3)] + [""])
    code, out, err = run([str(path)], capsys)
    assert code == 0
    assert "events.jsonl: 4 lines read" in out
    assert "imported (new): 3" in out and "already present: 0" in out
    assert "assumed time zone (Asia/Seoul): 0" in out
    assert err == ""  # no progress bar when stderr is not a terminal (a log, a pipe)
    assert stored(services) == 3

    code, out, _ = run([str(path)], capsys)
    assert code == 0 and "imported (new): 0" in out and "already present: 3" in out
    assert stored(services) == 3
    entries = services.ports.audit.entries(action="events.import")
    assert [(e.actor, e.target, e.outcome) for e in entries] == [
        ("script:import_events", "events.jsonl", "ok")] * 2


def test_a_terminal_shows_the_progress(services: Services, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [page_view(n) for n in range(3)] + [""])
    with on_terminal() as screen:
        assert import_events.main([str(path)]) == 0
    text = screen.getvalue()
    assert "4/4" in text and "3 new" in text  # the file's lines read, events new
    assert "imported (new): 3" in capsys.readouterr().out  # the summary is unchanged


def test_ctrl_c_says_what_is_stored_instead_of_a_traceback(
        services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, [page_view(n) for n in range(3)])

    def pressed(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(import_events.Progress, "update", pressed)
    code, out, err = run([str(path)], capsys)

    assert code == 130 and out == ""
    assert err.strip() == ("stopped: the first 3 lines are stored; importing the same file "
                           "again adds only the rest")
    entries = services.ports.audit.entries(action="events.import")
    assert [e.outcome for e in entries] == ["interrupted"]
    assert stored(services) == 3


def test_bad_lines_are_listed_and_the_rest_imported(services: Services, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    naive = (NOW - timedelta(hours=1)).astimezone(services.settings.tz).replace(tzinfo=None)
    lines = [page_view(0), "not json", json.dumps({"ts": naive.isoformat(), "type": "login",
                                                   "session_id": "s9"})]
    lines += [json.dumps({"ts": "later", "type": "page_view"})] * 25
    code, out, _ = run([str(write(tmp_path, lines))], capsys)
    assert code == 1
    assert "imported (new): 2" in out and "bad: 26" in out
    assert "assumed time zone (Asia/Seoul): 1" in out
    assert "bad lines (first 20 of 26):" in out
    assert "  line 2: Not valid JSON." in out
    assert "  line 4: Cannot read the time 'later'." in out
    assert "line 22:" in out and "line 23:" not in out
    assert stored(services) == 2


def test_strict_refuses_a_file_with_a_bad_line(services: Services, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [page_view(0), page_view(1, type="click")])
    code, out, _ = run([str(path), "--strict"], capsys)
    assert code == 2
    assert "line 2: Unknown event type 'click'." in out
    assert "--strict: nothing imported" in out
    assert stored(services) == 0
    assert services.ports.audit.entries(action="events.import")[0].outcome == "refused"

    path = write(tmp_path, [page_view(0), page_view(1)])
    code, out, _ = run([str(path), "--strict"], capsys)
    assert code == 0 and "imported (new): 2" in out
    assert stored(services) == 2


def test_a_dry_run_writes_nothing(services: Services, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [page_view(0), page_view(1)])
    code, out, _ = run([str(path), "--dry-run"], capsys)
    assert code == 0
    assert "good: 2" in out and "imported" not in out and "--dry-run: nothing written" in out
    assert stored(services) == 0
    assert services.ports.audit.entries(action="events.import") == []

    path = write(tmp_path, [page_view(0), "{"])
    assert run([str(path), "--dry-run"], capsys)[0] == 1
    assert run([str(path), "--dry-run", "--strict"], capsys)[0] == 2
    assert stored(services) == 0


def test_a_file_that_cannot_be_read(services: Services, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(tmp_path / "missing.jsonl")], capsys)
    assert code == 2 and out == ""
    assert "cannot read" in err and "missing.jsonl" in err
    assert run([str(tmp_path)], capsys)[0] == 2  # a directory


def test_count_lines_counts_a_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"a\nb")
    assert import_events.count_lines(path) == 2
    path.write_bytes(b"a\nb\n")
    assert import_events.count_lines(path) == 2
    path.write_bytes(b"")
    assert import_events.count_lines(path) == 0


def test_imported_views_and_likes_reach_the_cards(services: Services, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from services.analytics.dashboards import Period, content_stats
    from tests.contract.test_content_repository import make_item

    item = make_item("c1", created_at=NOW - timedelta(days=3))
    services.ports.content.add(item)

    def usage(n: int, type_: str, user: str | None = None) -> str:
        ts = (NOW - timedelta(hours=n + 1)).isoformat()
        return json.dumps({"ts": ts, "type": type_, "session_id": f"s{n}", "user_id": user,
                           "content_id": "c1"})

    lines = [usage(1, "content_view"), usage(2, "content_view"), usage(3, "like", "vera"),
             usage(4, "like", "walt"), usage(0, "like", "walt")]  # walt's second: nothing
    path = write(tmp_path, lines)
    assert run([str(path)], capsys)[0] == 0
    today = services.analytics.today()
    period = Period(today - timedelta(days=2), today)

    def card() -> tuple[int, int]:
        got = services.ports.content.get("c1")
        return got.views, got.likes

    (row,) = content_stats(services.ports.events, period, [item]).items.itertuples()
    assert card() == (row.views, row.likes) == (2, 2)

    code, out, _ = run([str(path)], capsys)  # again: nothing moves
    assert code == 0 and "imported (new): 0" in out
    assert card() == (2, 2)
