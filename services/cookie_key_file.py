"""The sign-in cookie's signing key: ``DEMO_FACTORY_COOKIE_KEY``, or in local mode a key
generated once into the data dir (``.cookie_key``).

The file is held to the variable's rule (``services.domain.cookie_key``): a key someone wrote
there by hand, or copied from an example, would let anyone forge sign-in cookies just the same.
The app refuses to start with a weak one, as settings refuse a weak variable, and the config
doctor reports it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from services.domain.cookie_key import REASON_TEXT, weak_key_reason
from services.errors import ConfigError
from services.settings import Settings

KEY_FILE = ".cookie_key"


def key_file(settings: Settings) -> Path | None:
    """The file the key is kept in; None where the setting gives it (or must: aws mode)."""
    if settings.cookie_key is not None or settings.backend == "aws":
        return None
    return settings.data_dir / KEY_FILE


def cookie_key(settings: Settings) -> str:
    """The sign-in cookie's signing key: from settings, else generated once per data dir.

    Never a built-in default: a shared default key would let anyone forge sign-in cookies.
    """
    if settings.cookie_key is not None:
        return settings.cookie_key.get_secret_value()
    path = key_file(settings)
    if path is None:
        # Several containers must share one key, so aws mode cannot invent its own.
        raise ConfigError("errors.config_missing", names="DEMO_FACTORY_COOKIE_KEY")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        create_once(path, secrets.token_urlsafe(48))
    return _strong(path, path.read_text().strip())


def require_strong_key_file(settings: Settings) -> None:
    """At start: ConfigError if the data dir holds a weak key (a missing one is made later,
    strong, on first use)."""
    path = key_file(settings)
    if path is not None and path.exists():
        _strong(path, path.read_text().strip())


def _strong(path: Path, key: str) -> str:
    reason = weak_key_reason(key)
    if reason:  # the message names the file and the way out, never the key
        raise ConfigError("errors.config_invalid", problems=(
            f"{path} {REASON_TEXT[reason]}: delete it (a new random key is made at the next "
            "start; everyone signs in again) or set DEMO_FACTORY_COOKIE_KEY"))
    return key


def create_once(path: Path, text: str) -> None:
    """``path`` holding ``text``, readable by its owner only, unless it exists already: then
    the file another process made first stays as it is (its cookies stay valid). The text is
    complete before the file has its name, so no reader sees half a key; ``os.link`` fails
    rather than replace a name that exists, which makes the check and the write one step."""
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
        fh.write(text)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
