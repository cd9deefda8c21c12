"""Backup and restore of local mode: the database copy, the files and a manifest of both.

A backup folder holds ``database.sqlite3`` (an online, consistent copy made by the database
adapter), ``files/<key>`` (every stored file), the audit entries waiting for the audit store
(``audit-spool.jsonl``, see ``audit_spool``; only when some wait) and ``manifest.json``: when
it was made, how many items, assets, users, events and audit entries the copy holds, and the
SHA-256 of the database copy, of the waiting entries and of every file. A restore checks every
checksum before it writes anything, refuses a backup with a changed, missing or unlisted file,
and writes only into an empty data folder.

Both build their result in a private staging folder next to the target (same parent, so the same
file system) and publish it with one ``os.rename``: renaming a folder onto a missing or empty
one succeeds in one step, onto one holding anything fails. That rename is the check that the
target is empty and the write at once, so two runs at once, or anything else writing into the
target meanwhile, cannot mix: the loser gets the same ConflictError as the early check, its
staging folder is removed and the target stays as it was. A failure leaves nothing behind.

The waiting audit entries are read first, then the database is copied, then the files: an entry
the store takes meanwhile is then in both and written again after a restore (shown twice in the
log, never missing); an item deleted while the backup runs may have lost its files in the copy;
such files are named in the manifest (``missing_files``).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from services.domain.models import utcnow
from services.errors import ConflictError, NotFound, ValidationError
from services.ops.audit_spool import SPOOL_FILE
from services.ports import BlobStore

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.sqlite3"
FILES = "files"
DEST_NOT_EMPTY = "backup.err_dest_not_empty"
DATA_NOT_EMPTY = "backup.err_not_empty"
# What rename(2) answers when the target holds something: ENOTEMPTY, or EEXIST (POSIX allows
# either); ENOTDIR when the target is a file. All mean "not a new or empty folder".
_TAKEN = frozenset({errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR})


@dataclass(frozen=True)
class DatabaseCopier:
    """The database adapter's side: copy the live database to a new file, read a copy."""

    snapshot: Callable[[Path], None]
    counts: Callable[[Path], dict[str, int]]
    storage_keys: Callable[[Path], set[str]]


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    counts: dict[str, int]
    database_sha256: str
    files: dict[str, str]  # key -> SHA-256
    missing_files: tuple[str, ...] = ()
    audit_spool_sha256: str | None = None  # audit entries that waited for the store, if any
    format: int = FORMAT

    def count_lines(self) -> list[str]:
        """What the backup holds, a line per kind, for the scripts' summaries."""
        lines = [f"  {name}: {count:,}" for name, count in sorted(self.counts.items())]
        lines.append(f"  files: {len(self.files):,}")
        if self.audit_spool_sha256:
            lines.append("  audit entries waiting for the store: kept")
        return lines

    def to_json(self) -> str:
        return json.dumps({
            "format": self.format,
            "created_at": self.created_at.isoformat(),
            "counts": self.counts,
            "database": {"path": DATABASE, "sha256": self.database_sha256},
            "files": self.files,
            "missing_files": list(self.missing_files),
            **({"audit_spool": {"path": SPOOL_FILE, "sha256": self.audit_spool_sha256}}
               if self.audit_spool_sha256 else {}),
        }, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """ValidationError("backup.err_manifest") unless it is a manifest this code wrote."""
        try:
            data = json.loads(text)
            if data["format"] != FORMAT:
                raise ValueError(data["format"])
            return cls(
                created_at=datetime.fromisoformat(data["created_at"]),
                counts={str(k): int(v) for k, v in data["counts"].items()},
                database_sha256=str(data["database"]["sha256"]),
                files={str(k): str(v) for k, v in data["files"].items()},
                missing_files=tuple(str(k) for k in data.get("missing_files", [])),
                audit_spool_sha256=(str(data["audit_spool"]["sha256"])
                                    if data.get("audit_spool") else None),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValidationError("backup.err_manifest", detail=str(exc)[:200]) from exc


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def require_empty(folder: Path, key: str) -> None:
    """ConflictError(``key``) if ``folder`` exists and holds anything."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConflictError(key, folder=str(folder))


def create_backup(dest: Path, database: DatabaseCopier, blobs: BlobStore,
                  clock: Callable[[], datetime] = utcnow, spool: Path | None = None) -> Manifest:
    """Write a backup into the new or empty folder ``dest``; ConflictError if it is not, or
    if anything else wrote into it while this backup was being made. ``spool``: the live
    audit spool file (``audit_spool``), copied when it holds entries."""
    # A friendly refusal before the copy's work; the rename in _staged is what guards.
    require_empty(dest, DEST_NOT_EMPTY)
    created_at = clock()
    with _staged(dest, DEST_NOT_EMPTY) as staging:
        # Password hashes and sessions are inside: readable by the owner only, like the data
        # dir (mkdtemp's mode already, but an odd umask could have taken from it).
        staging.chmod(0o700)
        manifest = _write_backup(staging, database, blobs, created_at, spool)
    return manifest


def _waiting_entries(spool: Path | None) -> bytes:
    """The spool's complete lines (a line being appended this moment is left for the next)."""
    try:
        data = spool.read_bytes() if spool is not None else b""
    except FileNotFoundError:
        return b""
    return data[:data.rfind(b"\n") + 1]


def _write_backup(folder: Path, database: DatabaseCopier, blobs: BlobStore,
                  created_at: datetime, spool: Path | None = None) -> Manifest:
    """The waiting audit entries, the database copy, every file and the manifest, written
    into ``folder``."""
    waiting = _waiting_entries(spool)  # before the copy: repeated rather than lost
    if waiting:
        (folder / SPOOL_FILE).write_bytes(waiting)
    copy = folder / DATABASE
    database.snapshot(copy)
    files: dict[str, str] = {}
    for key in blobs.list_keys():
        try:
            data = blobs.get(key)
        except NotFound:
            continue  # deleted since it was listed
        target = _inside(folder / FILES, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files[key] = sha256(data)
    missing = tuple(sorted(database.storage_keys(copy) - files.keys()))
    manifest = Manifest(created_at=created_at, counts=database.counts(copy),
                        database_sha256=sha256(copy.read_bytes()), files=files,
                        missing_files=missing,
                        audit_spool_sha256=sha256(waiting) if waiting else None)
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def verify_backup(src: Path) -> Manifest:
    """The backup's manifest after checking every checksum; ValidationError naming the first
    file that is missing, changed or not listed (a backup someone tampered with)."""
    try:
        manifest = Manifest.from_json((src / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError) as exc:
        raise ValidationError("backup.err_manifest", detail=str(src / MANIFEST)) from exc
    _check(src / DATABASE, manifest.database_sha256, DATABASE)
    if manifest.audit_spool_sha256:
        _check(src / SPOOL_FILE, manifest.audit_spool_sha256, SPOOL_FILE)
    for key, digest in manifest.files.items():
        _check(_inside(src / FILES, key), digest, f"{FILES}/{key}")
    listed = set(manifest.files)
    for key in _files_under(src / FILES):
        if key not in listed:
            raise ValidationError("backup.err_unlisted", name=f"{FILES}/{key}")
    return manifest


def restore_backup(src: Path, data_dir: Path, database: Callable[[Path], Path],
                   blobs: Callable[[Path], BlobStore]) -> Manifest:
    """Bring a verified backup into the empty ``data_dir``; ConflictError if it is not, or if
    anything else wrote into it meanwhile. ``database(root)`` is where a data folder at ``root``
    keeps its database file and ``blobs(root)`` the store of its files (made only after the
    checks, as making it creates its folder): both are called with the staging folder, so the
    whole restore is published by the one rename. The database file must be inside ``root``
    (ValueError otherwise): one outside would not be moved into place with the rest."""
    # A friendly refusal before reading the backup; the rename in _staged is what guards.
    require_empty(data_dir, DATA_NOT_EMPTY)
    manifest = verify_backup(src)
    with _staged(data_dir, DATA_NOT_EMPTY) as staging:
        _write_data(src, manifest, staging, database(staging), blobs)
        _keep_mode(data_dir, staging)
    return manifest


def _write_data(src: Path, manifest: Manifest, root: Path, database_path: Path,
                blobs: Callable[[Path], BlobStore]) -> None:
    """The backup's database file at ``database_path`` and its files in ``blobs(root)``,
    each checked again as it is read."""
    if not database_path.resolve().is_relative_to(root.resolve()):
        raise ValueError(f"the database file {database_path} is outside the data folder")
    database_path.parent.mkdir(parents=True, exist_ok=True)
    database_path.write_bytes(_verified(src / DATABASE, manifest.database_sha256, DATABASE))
    if manifest.audit_spool_sha256:  # written into the store by the app's next audit entry
        (root / SPOOL_FILE).write_bytes(
            _verified(src / SPOOL_FILE, manifest.audit_spool_sha256, SPOOL_FILE))
    store = blobs(root)
    for key, digest in manifest.files.items():
        data = _verified(_inside(src / FILES, key), digest, f"{FILES}/{key}")
        store.put(key, data, "application/octet-stream")


def _keep_mode(folder: Path, staging: Path) -> None:
    """An empty data folder made ready beforehand keeps its permissions (a group's access, say)
    when the staging folder replaces it; a new one stays the owner's only (mkdtemp's 0o700),
    like the backup it comes from. The owner keeps full access, or the app could not write."""
    if folder.is_dir():
        staging.chmod(stat.S_IMODE(folder.stat().st_mode) | stat.S_IRWXU)


@contextmanager
def _staged(folder: Path, key: str) -> Iterator[Path]:
    """A new private folder next to ``folder`` to build into, made ``folder`` by one rename
    when the block ends; ConflictError(``key``) if ``folder`` then holds anything. On any
    failure the staging folder is removed and ``folder`` is left as it was."""
    # A symlinked folder (data -> a bigger disk) is replaced where it points, as writing
    # through the link did; renaming onto the link itself would fail.
    target = folder.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Same parent, so the same file system (rename cannot cross one); the dot hides it, the
    # random part keeps concurrent runs apart.
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        yield staging
        _publish(staging, target, folder, key)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _publish(staging: Path, target: Path, folder: Path, key: str) -> None:
    """Rename ``staging`` to ``target``: atomic, and refused when ``target`` holds anything."""
    try:
        os.rename(staging, target)
    except OSError as exc:
        if exc.errno in _TAKEN:
            raise ConflictError(key, folder=str(folder)) from exc
        raise


def _verified(path: Path, digest: str, name: str) -> bytes:
    """The bytes at ``path``, checked again as they are read for writing."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError("backup.err_missing", name=name) from exc
    if sha256(data) != digest:
        raise ValidationError("backup.err_checksum", name=name)
    return data


def _check(path: Path, digest: str, name: str) -> None:
    _verified(path, digest, name)


def _inside(root: Path, key: str) -> Path:
    """``root/key``; ValidationError for a key that would leave ``root`` (a forged manifest)."""
    parts = PurePosixPath(key).parts
    if not key or PurePosixPath(key).is_absolute() or any(p in ("", ".", "..") for p in parts) \
            or "\\" in key or "\x00" in key:
        raise ValidationError("backup.err_manifest", detail=f"bad key {key[:100]!r}")
    return root.joinpath(*parts)


def _files_under(root: Path) -> Iterator[str]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() or path.is_symlink():
            yield path.relative_to(root).as_posix()
