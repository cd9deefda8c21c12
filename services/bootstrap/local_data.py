"""Local mode's data folder: backups, restores and the sign-in cookie's signing key."""

from __future__ import annotations

import os
import secrets
from functools import partial
from pathlib import Path

from services.errors import ConfigError
from services.ops.backup import DatabaseCopier, Manifest, create_backup, restore_backup
from services.settings import Settings


def database_copier(settings: Settings) -> DatabaseCopier:
    """Local mode's database, copied online (for backups) and read back."""
    from services.adapters.sqlite import backup as sqlite_backup

    return DatabaseCopier(snapshot=partial(sqlite_backup.snapshot, settings.sqlite_path),
                          counts=sqlite_backup.counts, storage_keys=sqlite_backup.storage_keys)


def backup_local(settings: Settings, dest: Path) -> Manifest:
    """Write a backup of local mode's database and files into the new or empty ``dest``."""
    from services.adapters.localfs import LocalBlobStore
    from services.errors import ConfigError

    if settings.backend != "local":
        raise ConfigError("backup.err_local_only")
    if not settings.sqlite_path.is_file():
        raise ConfigError("backup.err_no_database", path=str(settings.sqlite_path))
    return create_backup(dest, database_copier(settings), LocalBlobStore(settings.files_dir))


def restore_local(settings: Settings, src: Path) -> Manifest:
    """Bring the backup in ``src`` into local mode's data folder, which must be empty."""
    from services.adapters.localfs import LocalBlobStore
    from services.errors import ConfigError

    if settings.backend != "local":
        raise ConfigError("backup.err_local_only")
    return restore_backup(src, settings.data_dir, settings.sqlite_path,
                          partial(LocalBlobStore, settings.files_dir))


def cookie_key(settings: Settings) -> str:
    """The sign-in cookie's signing key: from settings, else generated once per data dir.

    Never a built-in default: a shared default key would let anyone forge sign-in cookies.
    """
    if settings.cookie_key is not None:
        return settings.cookie_key.get_secret_value()
    if settings.backend == "aws":
        # Several containers must share one key, so aws mode cannot invent its own.
        raise ConfigError("errors.config_missing", names="DEMO_FACTORY_COOKIE_KEY")
    path = settings.data_dir / ".cookie_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        create_once(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


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
