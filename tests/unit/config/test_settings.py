"""Settings fail fast with the variable's name; local mode needs nothing."""

from __future__ import annotations

import pytest

from services.errors import ConfigError
from services.settings import load_settings


def test_local_mode_needs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DEMO_FACTORY_BACKEND", "DEMO_FACTORY_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    settings = load_settings()
    assert settings.backend == "local"
    assert settings.sqlite_path.name.endswith(".sqlite3")


def test_aws_mode_needs_no_resource_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every table is named after DEMO_FACTORY_RESOURCE_PREFIX; one set by hand is kept."""
    monkeypatch.setenv("DEMO_FACTORY_BACKEND", "aws")
    monkeypatch.setenv("DEMO_FACTORY_CONTENT_TABLE", "content")
    monkeypatch.delenv("DEMO_FACTORY_RESOURCE_PREFIX", raising=False)
    monkeypatch.delenv("DEMO_FACTORY_LIKES_TABLE", raising=False)

    settings = load_settings()

    assert settings.content_table == "content"
    assert settings.likes_table == "demo-factory-likes"


def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_FACTORY_MAX_UPLOAD_MB", "lots")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "DEMO_FACTORY_MAX_UPLOAD_MB" in err.value.params["problems"]


def test_the_upload_limit_is_in_the_larger_megabyte_the_uploader_counts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit's uploader writes 1 MB for 1,048,576 bytes on Windows and 1,000,000 elsewhere:
    a limit in the smaller one refused a file the uploader had just called "48.6MB" on Windows
    under a "50MB" limit. In the larger one no file shown within the limit is refused."""
    monkeypatch.setenv("DEMO_FACTORY_MAX_UPLOAD_MB", "50")
    assert load_settings().max_upload_bytes == 50 * 1024 * 1024


def test_unknown_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_FACTORY_BACKEND", "gcp")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "DEMO_FACTORY_BACKEND" in err.value.params["problems"]
