"""services/ops/backup.py: a backup and a restore write only into a new or empty folder, and
the check and the write are one step (built in a staging folder, renamed into place): anything
written into the folder while they run (another run, a file) makes them end in ConflictError
with that content untouched; a failure leaves nothing behind and can be repeated."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from services.adapters import localfs
from services.bootstrap import restore_local
from services.errors import ConflictError
from services.ops import backup as backup_module
from services.ops.backup import DatabaseCopier, Manifest, create_backup, verify_backup
from services.settings import Settings
from tests.doubles.concurrency import in_parallel

DB = b"SQLite format 3\x00 a database copy"
FILES = {"items/a/picture.png": b"\x89PNG picture", "items/b/guide.pdf": b"%PDF guide"}
WAIT = 10  # seconds a barrier waits: only reached when a test is broken


def copier(before_copy: Callable[[], None] = lambda: None) -> DatabaseCopier:
    """A database side that writes ``DB`` as the copy, calling ``before_copy`` first."""
    def snapshot(path: Path) -> None:
        before_copy()
        path.write_bytes(DB)

    return DatabaseCopier(snapshot=snapshot, counts=lambda _: {"items": 2},
                          storage_keys=lambda _: set(FILES))


@pytest.fixture
def live(tmp_path: Path) -> localfs.LocalBlobStore:
    store = localfs.LocalBlobStore(tmp_path / "live" / "files")
    for key, data in FILES.items():
        store.put(key, data, "application/octet-stream")
    return store


@pytest.fixture
def src(tmp_path: Path, live: localfs.LocalBlobStore) -> Path:
    """A complete backup to restore."""
    create_backup(tmp_path / "backups" / "b1", copier(), live)
    return tmp_path / "backups" / "b1"


@pytest.fixture
def settings(script_env: Path, tmp_path: Path) -> Settings:
    """Local mode with its data folder at ``site/data`` (not made yet)."""
    return Settings(data_dir=tmp_path / "site" / "data", sample_content=False)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def restored_as_backed_up(settings: Settings) -> bool:
    store = localfs.LocalBlobStore(settings.files_dir)
    return (settings.sqlite_path.read_bytes() == DB
            and {k: store.get(k) for k in store.list_keys()} == FILES)


# --- backup -----------------------------------------------------------------------------------

def test_a_backup_folder_filled_while_the_backup_runs_is_left_as_it_is(
    tmp_path: Path, live: localfs.LocalBlobStore,
) -> None:
    dest = tmp_path / "out" / "backup"

    def someone_writes() -> None:  # after the early check, before any of the backup is written
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "notes.txt").write_text("keep me")

    with pytest.raises(ConflictError) as refused:
        create_backup(dest, copier(someone_writes), live)

    assert refused.value.key == "backup.err_dest_not_empty"
    assert names(dest) == ["notes.txt"] and (dest / "notes.txt").read_text() == "keep me"
    assert names(dest.parent) == ["backup"]  # no staging folder left


def test_two_backups_into_one_folder_at_once_make_one_complete_backup(
    tmp_path: Path, live: localfs.LocalBlobStore,
) -> None:
    dest = tmp_path / "out" / "backup"
    both_checked = threading.Barrier(2, timeout=WAIT)

    def one() -> Manifest:
        return create_backup(dest, copier(both_checked.wait), live)

    results = in_parallel([one, one])

    [made] = [r for r in results if isinstance(r, Manifest)]
    [refused] = [r for r in results if isinstance(r, ConflictError)]
    assert refused.key == "backup.err_dest_not_empty"
    assert verify_backup(dest) == made  # one backup, not two mixed: every checksum holds
    assert names(dest.parent) == ["backup"]


def test_a_failed_backup_leaves_nothing_and_can_be_repeated(
    tmp_path: Path, live: localfs.LocalBlobStore,
) -> None:
    dest = tmp_path / "out" / "backup"
    (tmp_path / "out").mkdir()

    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        create_backup(dest, copier(disk_full), live)

    assert names(tmp_path / "out") == []
    made = create_backup(dest, copier(), live)
    assert verify_backup(dest) == made and dest.stat().st_mode & 0o077 == 0


# --- restore ----------------------------------------------------------------------------------

def test_a_data_folder_filled_while_the_restore_runs_is_left_as_it_is(
    settings: Settings, src: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir = settings.data_dir

    class Interrupted(localfs.LocalBlobStore):
        def put(self, key: str, data: bytes, media_type: str) -> None:
            # The app started meanwhile, say, and wrote its key into the data folder.
            data_dir.mkdir(parents=True, exist_ok=True)
            (data_dir / ".cookie_key").write_text("the app's own")
            super().put(key, data, media_type)

    monkeypatch.setattr(localfs, "LocalBlobStore", Interrupted)

    with pytest.raises(ConflictError) as refused:
        restore_local(settings, src)

    assert refused.value.key == "backup.err_not_empty"
    assert names(data_dir) == [".cookie_key"]
    assert (data_dir / ".cookie_key").read_text() == "the app's own"
    assert names(data_dir.parent) == ["data"]  # no staging folder left


def test_two_restores_into_one_folder_at_once_restore_once(
    settings: Settings, src: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    both_checked = threading.Barrier(2, timeout=WAIT)

    def verified_then_wait(folder: Path) -> Manifest:  # both passed the early check by now
        manifest = verify_backup(folder)
        both_checked.wait()
        return manifest

    monkeypatch.setattr(backup_module, "verify_backup", verified_then_wait)

    results = in_parallel([lambda: restore_local(settings, src)] * 2)

    assert sum(isinstance(r, Manifest) for r in results) == 1, results
    [refused] = [r for r in results if isinstance(r, ConflictError)]
    assert refused.key == "backup.err_not_empty"
    assert restored_as_backed_up(settings)
    assert names(settings.data_dir.parent) == ["data"]


def test_a_failed_restore_leaves_nothing_and_can_be_repeated(
    settings: Settings, src: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Failing(localfs.LocalBlobStore):
        puts = 0

        def put(self, key: str, data: bytes, media_type: str) -> None:
            Failing.puts += 1
            if Failing.puts == 2:
                raise OSError(28, "No space left on device")
            super().put(key, data, media_type)

    monkeypatch.setattr(localfs, "LocalBlobStore", Failing)
    settings.data_dir.parent.mkdir()

    with pytest.raises(OSError, match="No space"):
        restore_local(settings, src)

    assert names(settings.data_dir.parent) == []  # no data folder, no staging folder
    monkeypatch.setattr(localfs, "LocalBlobStore", Failing.__base__)
    restore_local(settings, src)
    assert restored_as_backed_up(settings)


def test_a_restore_keeps_a_prepared_folders_permissions_and_makes_a_new_one_private(
    settings: Settings, src: Path, tmp_path: Path,
) -> None:
    settings.data_dir.mkdir(parents=True)
    settings.data_dir.chmod(0o750)
    restore_local(settings, src)
    assert settings.data_dir.stat().st_mode & 0o777 == 0o750

    fresh = settings.model_copy(update={"data_dir": tmp_path / "fresh" / "data"})
    restore_local(fresh, src)
    assert fresh.data_dir.stat().st_mode & 0o777 == 0o700  # password hashes inside
    assert restored_as_backed_up(settings) and restored_as_backed_up(fresh)


def test_a_symlinked_data_folder_is_restored_where_it_points(
    settings: Settings, src: Path, tmp_path: Path,
) -> None:
    disk = tmp_path / "disk" / "data"
    disk.mkdir(parents=True)
    settings.data_dir.parent.mkdir()
    settings.data_dir.symlink_to(disk)

    restore_local(settings, src)

    assert settings.data_dir.is_symlink() and restored_as_backed_up(settings)
    assert names(disk.parent) == ["data"] and names(settings.data_dir.parent) == ["data"]


def test_a_database_outside_the_data_folder_is_refused_before_anything_is_kept(
    tmp_path: Path, src: Path,
) -> None:
    data_dir = tmp_path / "site" / "data"

    with pytest.raises(ValueError, match="outside the data folder"):
        backup_module.restore_backup(
            src, data_dir, database=lambda _: tmp_path / "elsewhere.sqlite3",
            blobs=lambda root: localfs.LocalBlobStore(root / "files"))

    assert names(data_dir.parent) == [] and not (tmp_path / "elsewhere.sqlite3").exists()
