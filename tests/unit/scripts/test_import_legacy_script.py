"""scripts/import_legacy.py from the command line, on an exported folder into local mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import import_legacy
from services.bootstrap import build_services
from services.domain.models import SearchQuery
from services.domain.permissions import Role
from services.domain.users import User
from services.settings import load_settings
from tests.doubles.legacy_fixture import NOW, export_to_folder, legacy_data
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


def test_the_authors_file_links_old_authors_to_users(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services = build_services(load_settings())
    services.ports.users.create(User("bob", "Bob", "", frozenset({Role.AUTHOR}), NOW))
    authors = tmp_path / "map.csv"
    authors.write_text("legacy_author,username\nBob Kim,bob\n", encoding="utf-8")

    import_legacy.main(["--from-folder", str(export), "--authors", str(authors)])
    out = capsys.readouterr().out
    assert "Bob Kim  bob  mapping  1" in out
    items = services.ports.content.search(SearchQuery(status=None, page_size=50)).items
    assert {i.author_id for i in items if i.title == "Q Developer 코드 리뷰"} == {"bob"}


def test_an_authors_file_naming_an_unknown_user_stops_before_writing(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    authors = tmp_path / "map.csv"
    authors.write_text("Bob Kim,nobody\n", encoding="utf-8")

    assert import_legacy.main(["--from-folder", str(export), "--authors", str(authors)]) == 2
    assert "nobody" in capsys.readouterr().err
    assert build_services(load_settings()).ports.content.count() == 0
