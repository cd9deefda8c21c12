"""The project's Streamlit settings that pages depend on.

Streamlit collects every generation after each script run (``runner.postScriptGC``), holding
the interpreter lock while the browser waits for the run's "finished" message. With the
app's caches in memory that took 0.1-0.25 s after every page and every click (a period change
on the dashboard: 0.33 s to 0.24 s in an A/B run). AppTest's runner never collects, so the
setting is checked here, against Streamlit's own list of options (a renamed option fails).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from streamlit import config as streamlit_config

ROOT = Path(__file__).resolve().parents[2]


def project_config() -> dict[str, Any]:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        return tomllib.load(fh)


def test_every_project_setting_is_a_streamlit_option() -> None:
    known = set(streamlit_config.get_config_options())
    found = {f"{section}.{name}" for section, values in project_config().items()
             for name in values}
    assert found and found <= known, found - known


def test_a_script_run_is_not_followed_by_a_forced_full_collection() -> None:
    assert project_config()["runner"]["postScriptGC"] is False


def test_tables_offer_only_the_app_s_own_csv() -> None:
    """Streamlit's own "download as CSV" on a table writes cells as they are: a user name or
    search term such as ``=HYPERLINK(...)`` would run as a formula in a spreadsheet. The app's
    CSV buttons neutralise such cells (services/csv_export.py); the built-in export is off."""
    assert project_config()["client"]["disableDataExport"] is True
