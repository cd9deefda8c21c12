"""A weak or example cookie key stops the app at start, in every mode, naming the variable;
the doctor still reports it. One rule for both (``services.domain.cookie_key``)."""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path

import pytest

from services.errors import ConfigError
from services.settings import load_settings

ROOT = Path(__file__).resolve().parents[3]
AWS_NAMES = {f"DEMO_FACTORY_{name}": name.lower() for name in (
    "CONTENT_TABLE", "LIKES_TABLE", "USERS_TABLE", "AUDIT_TABLE", "EVENTS_TABLE",
    "ROLLUPS_TABLE", "BUCKET", "SESSIONS_TABLE", "INQUIRIES_TABLE", "REPORTS_TABLE",
    "COGNITO_USER_POOL_ID", "COGNITO_APP_CLIENT_ID")}
MODES = {
    "local": {},
    "oidc": {"DEMO_FACTORY_AUTH": "oidc"},
    "aws": {"DEMO_FACTORY_BACKEND": "aws", **AWS_NAMES},
    "cognito": {"DEMO_FACTORY_BACKEND": "aws", "DEMO_FACTORY_AUTH": "cognito", **AWS_NAMES},
}


def example_key() -> str:
    """The value the secrets example file shows."""
    with (ROOT / ".streamlit" / "secrets.toml.example").open("rb") as fh:
        return str(tomllib.load(fh)["DEMO_FACTORY_COOKIE_KEY"])


WEAK = {
    "example-file": example_key(),
    "placeholder": "changeme",
    "placeholder-any-case": "Some_Signature_Key",
    "short": "short-but-random-9f3kQ",
    "low-variety": "ab" * 20,
    "empty": "",
}


def with_env(monkeypatch: pytest.MonkeyPatch, mode: str, key: str) -> None:
    for name, value in MODES[mode].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DEMO_FACTORY_COOKIE_KEY", key)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("weak", sorted(WEAK))
def test_a_weak_or_example_key_stops_the_settings_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, mode: str, weak: str
) -> None:
    with_env(monkeypatch, mode, WEAK[weak])
    with pytest.raises(ConfigError) as err:
        load_settings()
    problems = err.value.params["problems"]
    assert "DEMO_FACTORY_COOKIE_KEY" in problems
    assert WEAK[weak] not in problems or not WEAK[weak]  # the secret is never shown


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_generated_key_passes(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    key = secrets.token_urlsafe(48)
    with_env(monkeypatch, mode, key)
    assert load_settings().cookie_key.get_secret_value() == key  # type: ignore[union-attr]


def test_no_key_in_local_mode_is_still_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_FACTORY_COOKIE_KEY", raising=False)
    assert load_settings().cookie_key is None  # a random one is generated in the data dir


def test_a_generated_key_is_created_once_and_private(tmp_path: Path) -> None:
    from services.bootstrap import cookie_key

    settings = load_settings(data_dir=tmp_path)
    first = cookie_key(settings)
    assert cookie_key(settings) == first and len(first) >= 48
    assert (tmp_path / ".cookie_key").stat().st_mode & 0o777 == 0o600


def test_a_key_another_process_wrote_first_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two processes starting on one data folder: the second may find no key when it looks and
    one a moment later. It must keep the first one's key (cookies it signed stay valid), not
    write its own over it."""
    from services.bootstrap import cookie_key

    path = tmp_path / ".cookie_key"
    theirs = secrets.token_urlsafe(48)
    path.write_text(theirs)
    real_exists = Path.exists
    # The file appears right after this process looked for it.
    monkeypatch.setattr(Path, "exists", lambda self, **kw: False if self == path
                        else real_exists(self, **kw))

    assert cookie_key(load_settings(data_dir=tmp_path)) == theirs
    assert path.read_text() == theirs


@pytest.mark.parametrize("weak", sorted(WEAK))
def test_a_weak_key_file_in_the_data_dir_stops_the_app_naming_the_file(
    tmp_path: Path, weak: str,
) -> None:
    """The generated key's file is read as the variable is: a file someone wrote by hand (or
    copied from an example) would let anyone forge sign-in cookies just the same."""
    from services.bootstrap import cookie_key

    (tmp_path / ".cookie_key").write_text(WEAK[weak] + "\n")

    with pytest.raises(ConfigError) as err:
        cookie_key(load_settings(data_dir=tmp_path))
    problems = err.value.params["problems"]
    assert ".cookie_key" in problems and "DEMO_FACTORY_COOKIE_KEY" in problems
    assert WEAK[weak] not in problems or not WEAK[weak]  # the secret is never shown
