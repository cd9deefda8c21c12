"""The app reads its settings once per environment, not on every run (validating them from the
environment cost ~30 ms a run), and a changed environment is read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.settings import Settings
from services.ui import session


def test_settings_are_read_once_per_environment(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Settings] = []
    real_init = Settings.__init__

    def counting_init(self: Settings, **values: object) -> None:
        real_init(self, **values)  # type: ignore[arg-type]
        built.append(self)

    monkeypatch.setattr(Settings, "__init__", counting_init)
    first = session.current_settings()
    assert session.current_settings() is first
    assert len(built) == 1

    monkeypatch.setenv("DEMO_FACTORY_PAGE_SIZE", "7")
    changed = session.current_settings()
    assert changed.page_size == 7 and len(built) == 2
    assert first.data_dir == changed.data_dir == app_env
