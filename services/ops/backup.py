"""Backup and restore of local mode: the database copy, the files and a manifest of both.

A backup folder holds ``database.sqlite3`` (an online, consistent copy made by the database
adapter), ``files/<key>`` (every stored file) and ``manifest.json``: when it was made, how many
items, assets, users, events and audit entries the copy holds, and the SHA-256 of the database
copy and of every file. A restore checks every checksum before it writes anything, refuses a
backup with a changed, missing or unlisted file, and writes only into an empty data folder.

The database is copied first, then the files: an item deleted while the backup runs may then
have lost its files in the copy; such files are named in the manifest (``missing_files``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from services.domain.models import utcnow
from services.errors import ConflictError, NotFound, ValidationError
from services.ports import BlobStore

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.sqlite3"
FILES = "files"


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
    format: int = FORMAT

    def count_lines(self) -> list[str]:
        """What the backup holds, a line per kind, for the scripts' summaries."""
        lines = [f"  {name}: {count:,}" for name, count in sorted(self.counts.items())]
        return [*lines, f"  files: {len(self.files):,}"]

    def to_json(self) -> str:
        return json.dumps({
            "format": self.format,
            "created_at": self.created_at.isoformat(),
            "counts": self.counts,
            "database": {"path": DATABASE, "sha256": self.database_sha256},
            "files": self.files,
            "missing_files": list(self.missing_files),
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
                  clock: Callable[[], datetime] = utcnow) -> Manifest:
    """Write a backup into the new or empty folder ``dest``."""
    require_empty(dest, "backup.err_dest_not_empty")
    created_at = clock()
    dest.mkdir(parents=True, exist_ok=True)
    # Password hashes and sessions are inside: readable by the owner only, like the data dir.
    dest.chmod(0o700)
    copy = dest / DATABASE
    database.snapshot(copy)
    files: dict[str, str] = {}
    for key in blobs.list_keys():
        try:
            data = blobs.get(key)
        except NotFound:
            continue  # deleted since it was listed
        target = _inside(dest / FILES, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files[key] = sha256(data)
    missing = tuple(sorted(database.storage_keys(copy) - files.keys()))
    manifest = Manifest(created_at=created_at, counts=database.counts(copy),
                        database_sha256=sha256(copy.read_bytes()), files=files,
                        missing_files=missing)
    (dest / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def verify_backup(src: Path) -> Manifest:
    """The backup's manifest after checking every checksum; ValidationError naming the first
    file that is missing, changed or not listed (a backup someone tampered with)."""
    try:
        manifest = Manifest.from_json((src / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError) as exc:
        raise ValidationError("backup.err_manifest", detail=str(src / MANIFEST)) from exc
    _check(src / DATABASE, manifest.database_sha256, DATABASE)
    for key, digest in manifest.files.items():
        _check(_inside(src / FILES, key), digest, f"{FILES}/{key}")
    listed = set(manifest.files)
    for key in _files_under(src / FILES):
        if key not in listed:
            raise ValidationError("backup.err_unlisted", name=f"{FILES}/{key}")
    return manifest


def restore_backup(src: Path, data_dir: Path, database_path: Path,
                   blobs: Callable[[], BlobStore]) -> Manifest:
    """Bring a verified backup into the empty ``data_dir``: the database file at
    ``database_path`` and every file through the store ``blobs()`` makes (made only after the
    checks, as making it creates its folder)."""
    require_empty(data_dir, "backup.err_not_empty")
    manifest = verify_backup(src)
    database_path.parent.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    store: BlobStore | None = None
    try:
        database_path.write_bytes(_verified(src / DATABASE, manifest.database_sha256, DATABASE))
        store = blobs()
        for key, digest in manifest.files.items():
            data = _verified(_inside(src / FILES, key), digest, f"{FILES}/{key}")
            store.put(key, data, "application/octet-stream")
            written.append(key)
    except BaseException:
        # The folder was empty: leave it so, and a second attempt is not refused.
        for key in written:
            if store is not None:
                store.delete(key)
        database_path.unlink(missing_ok=True)
        raise
    return manifest


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
