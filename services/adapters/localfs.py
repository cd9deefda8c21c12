"""BlobStore on a local folder.

Keys are relative POSIX paths made by the content service; even so every key is checked to
stay inside the root (no absolute paths, no ``..``, no symlink pointing out), because a key
that slipped through would read or overwrite any file the app can reach.

Writes go to a temporary file in the target folder and are moved into place with
``os.replace`` (atomic on one file system), so a crash leaves either the old file or the new
one, never half of one. The media type is not kept: local downloads are served by the app,
which knows it from the asset record.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from services.errors import NotFound, ServiceUnavailable, ValidationError

TEMP_PREFIX = ".tmp-"
# A concurrent delete may remove the (then empty) target folder between our mkdir and our
# temp file; a couple of retries absorb that race.
_PUT_ATTEMPTS = 3


class LocalBlobStore:
    """Implements ``services.ports.BlobStore`` over ``root`` (created if missing)."""

    def __init__(self, root: Path) -> None:
        self._root = Path(root).resolve()
        self._root.mkdir(parents=True, exist_ok=True)

    @property
    def root(self) -> Path:
        return self._root

    def put(self, key: str, data: bytes, media_type: str) -> None:
        path = self._path(key)
        for attempt in range(_PUT_ATTEMPTS):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._path(key)  # the folders now exist: check again for a planted symlink
                _write_atomically(path, data)
                return
            except FileNotFoundError:
                if attempt == _PUT_ATTEMPTS - 1:
                    raise ServiceUnavailable("errors.service_unavailable", key=key) from None
            except OSError as exc:
                raise ServiceUnavailable(
                    "errors.service_unavailable", key=key, detail=str(exc)
                ) from exc

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound("errors.not_found", key=key) from exc
        except OSError as exc:
            raise ServiceUnavailable(
                "errors.service_unavailable", key=key, detail=str(exc)
            ) from exc

    def delete(self, key: str) -> None:
        """Idempotent; folders left empty are removed up to (not including) the root."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except IsADirectoryError:
            return  # a folder is not a blob: nothing stored under this key
        except OSError as exc:
            raise ServiceUnavailable(
                "errors.service_unavailable", key=key, detail=str(exc)
            ) from exc
        self._prune(path.parent)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def url(self, key: str, filename: str, expires_in: int) -> str | None:
        """None: a local folder has no URL; the app streams the bytes itself."""
        self._path(key)
        return None

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Keys of the files under root (sorted); half-written temporary files and symlinks
        are not blobs and are skipped."""
        for path in sorted(self._root.rglob("*")):
            if path.name.startswith(TEMP_PREFIX) or path.is_symlink() or not path.is_file():
                continue
            key = path.relative_to(self._root).as_posix()
            if key.startswith(prefix):
                yield key

    def _path(self, key: str) -> Path:
        """The file for ``key``; ValidationError("errors.bad_key") unless it is inside root."""
        pure = PurePosixPath(key)
        if (
            not key
            or "\\" in key
            or "\x00" in key
            or pure.is_absolute()
            or any(part in ("", ".", "..") for part in key.split("/"))
        ):
            raise ValidationError("errors.bad_key", key=key)
        path = self._root.joinpath(*pure.parts)
        # resolve() follows symlinks already on disk, so a link pointing out is caught here.
        if not path.resolve().is_relative_to(self._root) or path.resolve() == self._root:
            raise ValidationError("errors.bad_key", key=key)
        return path

    def _prune(self, folder: Path) -> None:
        while folder != self._root and folder.is_relative_to(self._root):
            try:
                folder.rmdir()
            except OSError:
                return  # not empty (or already gone): stop climbing
            folder = folder.parent


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
