"""The settings of a command-line script: the environment with the root-level keys of
.streamlit/secrets.toml applied first, as ``streamlit run`` applies them for the app, so that a
script acts on the backend and data the app uses."""

from __future__ import annotations

import os
import tomllib
from collections.abc import MutableMapping, Sequence
from pathlib import Path

from services.errors import ConfigError
from services.settings import Settings, load_settings

# The folder of server.py, the script ``streamlit run`` is given.
PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Scripts get the settings the app gets. ``streamlit run`` copies root-level keys of
# .streamlit/secrets.toml into the environment before the app reads it, so a script that read
# the environment alone could act on another backend or data folder than the app (a doctor
# checking local mode, an administrator created in the local SQLite file of an aws-mode app).
# What follows does what Streamlit 1.67 does (streamlit/runtime/secrets.py, Secrets._parse and
# _maybe_set_environment_variable; the files from config.get_config_files), so that both agree:
# - the files, first to last, a later one's key replacing an earlier one's: the user's
#   ~/.streamlit/secrets.toml, the current directory's .streamlit/secrets.toml, and that of the
#   main script's folder (here server.py's, the project root) when it is another;
# - only root-level values that are a string, an integer or a float are copied, as str(value);
#   tables (sections such as [auth]), arrays, dates and booleans are not (Streamlit leaves
#   booleans out on purpose: write "true" / "false" as strings);
# - a copied value replaces the variable even when it was already set.
# Streamlit's ``secrets.files`` option, which can name other files, is not followed here (the
# project does not set it). Where Streamlit logs an unreadable file and starts without any of
# the secrets, a script stops with a ConfigError naming it. A test checks all this against
# Streamlit's own loader (tests/unit/config/test_streamlit_secrets.py).


def streamlit_secrets_files() -> tuple[Path, ...]:
    """The secrets.toml files ``streamlit run server.py`` reads from here, first to last."""
    files = [Path.home() / ".streamlit" / "secrets.toml",
             Path.cwd() / ".streamlit" / "secrets.toml"]
    main_script_level = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if main_script_level not in files:
        files.append(main_script_level)
    return tuple(files)


def apply_streamlit_secrets(files: Sequence[Path] | None = None,
                            environ: MutableMapping[str, str] | None = None) -> tuple[str, ...]:
    """Copy the root-level keys of the secrets files into ``environ`` (default: this process's
    environment) as ``streamlit run`` does; returns the names set. A missing file is skipped."""
    environ = os.environ if environ is None else environ
    merged: dict[str, object] = {}
    for path in streamlit_secrets_files() if files is None else files:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError("errors.config_invalid",
                              problems=f"{path}: cannot be read ({exc})") from exc
        try:
            merged.update(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("errors.config_invalid",
                              problems=f"{path}: not valid TOML ({exc})") from exc
    copied = {name: str(value) for name, value in merged.items()
              if type(value) in (str, int, float)}  # type(), not isinstance: bool is an int
    environ.update(copied)
    return tuple(copied)


def load_script_settings(**overrides: object) -> Settings:
    """The settings of a command-line script: those the app gets from ``streamlit run``, i.e.
    the environment with the root-level keys of .streamlit/secrets.toml applied (above)."""
    apply_streamlit_secrets()
    return load_settings(**overrides)
