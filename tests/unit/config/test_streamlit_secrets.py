"""Scripts read the settings ``streamlit run`` gives the app: the root-level keys of
``.streamlit/secrets.toml``, which Streamlit copies into the environment, over what was set
there. Checked against Streamlit's own loader, so an upgrade that changes it shows here."""

from __future__ import annotations

import ast
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config as streamlit_config
from streamlit.runtime.secrets import Secrets

import services.script_settings as script_settings_module
from scripts import create_user
from services.bootstrap import build_services
from services.errors import ConfigError
from services.script_settings import (
    apply_streamlit_secrets,
    load_script_settings,
    streamlit_secrets_files,
)
from services.settings import ENV_PREFIX, load_settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project folder (the current directory, and where server.py would be) and a home
    folder without secrets, no DEMO_FACTORY_* from this machine; what the loader writes into
    os.environ is undone afterwards. Returns the project folder."""
    root, home = tmp_path / "project", tmp_path / "home"
    (root / ".streamlit").mkdir(parents=True)
    home.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(script_settings_module, "PROJECT_ROOT", root)
    # tests/conftest.py keeps the scripts away from this machine's secrets files: not here.
    monkeypatch.setattr(script_settings_module, "streamlit_secrets_files", streamlit_secrets_files)
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    saved = dict(os.environ)
    yield root
    os.environ.clear()
    os.environ.update(saved)


def write_secrets(folder: Path, text: str) -> Path:
    path = folder / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_script_sees_a_root_level_key_over_the_environment(project: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              ) -> None:
    write_secrets(project, 'DEMO_FACTORY_DEFAULT_LANGUAGE = "en"\nDEMO_FACTORY_PAGE_SIZE = 30\n')
    monkeypatch.setenv("DEMO_FACTORY_DEFAULT_LANGUAGE", "ko")  # Streamlit overwrites it too

    settings = load_script_settings()

    assert settings.default_language == "en"
    assert settings.page_size == 30
    assert os.environ["DEMO_FACTORY_PAGE_SIZE"] == "30"  # a number, as a string


def test_a_table_is_not_copied(project: Path) -> None:
    write_secrets(project, '[DEMO_FACTORY_BACKEND]\nvalue = "aws"\n\n'
                           '[auth]\nDEMO_FACTORY_PAGE_SIZE = 40\n')

    settings = load_script_settings()

    assert settings.backend == "local" and settings.page_size == 12
    assert "DEMO_FACTORY_BACKEND" not in os.environ and "auth" not in os.environ
    assert "DEMO_FACTORY_PAGE_SIZE" not in os.environ


def test_a_boolean_is_not_copied_but_a_string_is(project: Path) -> None:
    """Streamlit leaves TOML booleans out of the environment: ``"false"`` works, ``false``
    does not."""
    write_secrets(project, 'DEMO_FACTORY_SAMPLE_CONTENT = false\nDEMO_FACTORY_EMULATION = "true"\n')

    settings = load_script_settings()

    assert "DEMO_FACTORY_SAMPLE_CONTENT" not in os.environ and settings.sample_content is True
    assert settings.emulation is True


def test_the_users_file_is_read_and_the_projects_wins(project: Path) -> None:
    write_secrets(Path.home(),
                  'DEMO_FACTORY_PAGE_SIZE = 20\nDEMO_FACTORY_DEFAULT_LANGUAGE = "en"\n')
    write_secrets(project, "DEMO_FACTORY_PAGE_SIZE = 30\n")

    settings = load_script_settings()

    assert (settings.page_size, settings.default_language) == (30, "en")


def test_the_files_are_where_streamlit_run_server_py_looks(project: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    """``~/.streamlit``, then the current directory's, then server.py's folder's (when it is
    another): a later file wins."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd in (project, elsewhere):
        monkeypatch.chdir(cwd)
        monkeypatch.setattr(streamlit_config, "_main_script_path", str(project / "server.py"))
        assert [str(p) for p in streamlit_secrets_files()] == \
            streamlit_config.get_config_files("secrets.toml")


def test_the_environment_is_what_streamlits_own_loader_makes(project: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              ) -> None:
    write_secrets(Path.home(), 'A = "home"\nB = 1\nC = "home"\n')
    write_secrets(project, 'B = 2.5\nC = { x = 1 }\nD = true\nE = 1979-05-27\nF = [1, 2]\n'
                           'G = "g"\n\n[H]\ny = "z"\n')
    files = streamlit_secrets_files()
    before = {"G": "from the environment", "KEEP": "k"}

    ours = dict(before)
    apply_streamlit_secrets(files, ours)

    theirs = dict(before)
    monkeypatch.setattr(os, "environ", theirs)
    monkeypatch.setattr(Secrets, "_maybe_install_file_watchers", lambda self: None)
    monkeypatch.setattr(streamlit_config, "get_option",
                        lambda key: [str(p) for p in files] if key == "secrets.files" else None)
    Secrets()._parse()

    assert ours == theirs == {"KEEP": "k", "A": "home", "B": "2.5", "G": "g"}


def test_a_broken_file_is_a_config_error_naming_it(project: Path) -> None:
    path = write_secrets(project, "DEMO_FACTORY_BACKEND = aws\n")
    with pytest.raises(ConfigError) as err:
        load_script_settings()
    assert str(path) in err.value.params["problems"]


def test_create_user_puts_the_user_where_the_secrets_file_says(project: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               ) -> None:
    data = tmp_path / "secret-data"
    write_secrets(project, f"DEMO_FACTORY_DATA_DIR = '{data}'\n"
                           'DEMO_FACTORY_SAMPLE_CONTENT = "false"\n')
    monkeypatch.setattr(sys, "stdin", io.StringIO("Correct-Horse-Battery-9\n"))

    assert create_user.main(["--username", "alice", "--role", "admin", "--password-stdin"]) == 0

    accounts = build_services(load_settings(data_dir=data, sample_content=False)).accounts
    assert accounts.get("alice").roles == {"admin"}


def test_every_script_reads_the_settings_through_the_script_loader() -> None:
    """``load_settings`` alone would miss the secrets file. scripts/emulate.py builds the app's
    environment itself (an emulation must not take the operator's settings)."""
    calls = []
    for path in sorted((ROOT / "scripts").glob("*.py")):
        if path.name == "emulate.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load_settings":
                calls.append(f"{path.name}:{node.lineno}")
    assert calls == []
