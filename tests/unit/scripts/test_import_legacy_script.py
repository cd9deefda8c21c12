"""scripts/import_legacy.py from the command line, on an exported folder into local mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import import_legacy
from services.bootstrap import build_services
from services.settings import load_settings
from tests.doubles.legacy_fixture import export_to_folder, legacy_data
from tests.unit.scripts.conftest import on_terminal


@pytest.fixture
def export(script_env: Path, tmp_path: Path) -> Path:
    return export_to_folder(legacy_data(), tmp_path / "export")


def test_dry_run_then_import_then_nothing_twice(
    export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_legacy.main(["--from-folder", str(export), "--dry-run"]) == 1
    out = capsys.readouterr()
    assert "dry run: nothing was written" in out.out
    assert "content: 5 read" not in out.out and "content: 4 read, 4 would import" in out.out
    assert build_services(load_settings()).ports.content.count() == 0

    # Exit code 1: imported, but some files were missing or refused (listed in the summary).
    with on_terminal() as screen:
        assert import_legacy.main(["--from-folder", str(export)]) == 1
    out = capsys.readouterr()
    assert "content: 4 read, 4 imported, 0 already there, 1 failed" in out.out
    assert "events: 8 read, 7 imported" in out.out
    assert "missing files: 1" in out.out and "Blockchain → ETC" in out.out
    assert "5 content" in screen.getvalue() and "7 events" in screen.getvalue()  # the bars
    assert build_services(load_settings()).ports.content.count() == 4

    import_legacy.main(["--from-folder", str(export)])
    out = capsys.readouterr()
    assert "0 imported, 4 already there" in out.out
    assert out.err == ""  # no progress bar when stderr is not a terminal


def test_a_missing_folder_is_one_message(export: Path) -> None:
    with pytest.raises(SystemExit, match="no such folder"):
        import_legacy.main(["--from-folder", str(export / "nope")])
