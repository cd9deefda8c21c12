"""The README's configuration table lists every setting the app reads."""

from __future__ import annotations

from pathlib import Path

from services.settings import ENV_PREFIX, Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    variables = [ENV_PREFIX + name.upper() for name in Settings.model_fields]
    assert [v for v in variables if f"`{v}`" not in README] == []
