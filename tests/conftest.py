"""Use cases over the real local adapters (SQLite file + folder) in a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.bootstrap import Services, build_local_ports, build_services
from services.domain.permissions import Actor, Role
from services.settings import ENV_PREFIX, Settings


@pytest.fixture(autouse=True)
def _no_secrets_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scripts run by tests read no .streamlit/secrets.toml of this machine: a developer's own
    would change their settings, and what it sets would stay in os.environ."""
    monkeypatch.setattr("services.script_settings.streamlit_secrets_files", lambda: ())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", sample_content=False, max_upload_mb=1)


@pytest.fixture
def services(settings: Settings) -> Services:
    return build_services(settings, build_local_ports(settings))


def make_actor(user_id: str, *roles: Role) -> Actor:
    return Actor(user_id=user_id, name=user_id.title(), roles=frozenset(roles))


@pytest.fixture
def author() -> Actor:
    return make_actor("alice", Role.AUTHOR)


@pytest.fixture
def other_author() -> Actor:
    return make_actor("bob", Role.AUTHOR)


@pytest.fixture
def admin() -> Actor:
    return make_actor("root", Role.ADMIN)


@pytest.fixture
def viewer() -> Actor:
    return make_actor("vera", Role.VIEWER)


@pytest.fixture
def script_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment a script sees: no DEMO_FACTORY_* from the machine, local mode in a temp
    data dir without sample content. Returns the data dir."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DEMO_FACTORY_SAMPLE_CONTENT", "false")
    return tmp_path / "data"
