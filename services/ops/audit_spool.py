"""The audit log with a spool: an entry the audit store refuses waits until it answers.

A security log must not lose an entry because DynamoDB or SQLite failed for a moment, and the
user's action must not fail because of it either. So ``SpooledAuditLog.record`` appends a
refused entry to ``<data dir>/audit-spool.jsonl`` (one JSON line, flushed and fsynced) and
returns; the next write the store accepts replays the waiting entries into it, oldest first,
and removes them from the spool (rewritten whole: a temporary file, then ``os.replace``).

A replay that stops because the store fails again removes exactly the entries written. Only a
crash of the process between a store write and the spool's rewrite leaves written entries in
the spool, and they are written again at the next replay: twice is found and explained, lost
is not. The entries keep their own time, so the log shows them where they happened.

One lock per process (threads) and a ``flock`` on ``audit-spool.lock`` (processes sharing the
data dir: the app and the scripts) keep appends and a replay from crossing.

In aws mode a container's disk goes with the container, so a refused entry waits in the files
bucket first (``SharedSpool``: one private object per entry under ``audit-spool/``), where any
container replays it; the local file takes it only when the bucket refuses too. Each waiting
entry carries an id (``AuditEntry.entry_id``) that DynamoDB's key is made of, so two containers
replaying the same entry at once write one item, not two.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from services.domain.models import AuditEntry, new_id
from services.errors import NotFound
from services.ports import AuditLog, BlobStore
from services.resource_names import AUDIT_SPOOL_PREFIX

if sys.platform != "win32":
    import fcntl

log = logging.getLogger(__name__)

SPOOL_FILE = "audit-spool.jsonl"
LOCK_FILE = "audit-spool.lock"
# Entries replayed after one accepted write: the action that happens to come first after an
# outage pays for a bounded number of writes; the next actions take the rest.
REPLAY_BATCH = 100


def to_line(entry: AuditEntry) -> bytes:
    fields = {"ts": entry.ts.isoformat(), "actor": entry.actor, "action": entry.action,
              "target": entry.target, "outcome": entry.outcome, "detail": entry.detail,
              "id": entry.entry_id}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"


def from_line(line: bytes) -> AuditEntry:
    fields = json.loads(line)
    return AuditEntry(ts=datetime.fromisoformat(fields["ts"]), actor=fields["actor"],
                      action=fields["action"], target=fields["target"],
                      outcome=fields["outcome"], detail=dict(fields["detail"]),
                      entry_id=fields.get("id"))  # lines spooled before ids have none


class SharedSpool:
    """Waiting entries as objects in the files bucket (private, like every file there), one
    per entry, named by time so that a listing is oldest first.

    A replay lists the bucket: after every accepted audit write that would be one more S3
    request per audited action. So a container looks when it has left entries there itself
    (or a replay of its own stopped), and otherwise at its first write and then at most every
    ``LOOK_EVERY_SECONDS``, which is how entries a replaced container left are found."""

    LOOK_EVERY_SECONDS = 300.0

    def __init__(self, blobs: BlobStore, clock: Callable[[], float] = time.monotonic) -> None:
        self._blobs = blobs
        self._clock = clock
        self._waiting_here = False
        self._next_look = float("-inf")  # the first replay looks

    def append(self, entry: AuditEntry) -> None:
        at = entry.ts.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self._blobs.put(f"{AUDIT_SPOOL_PREFIX}{at}-{entry.entry_id}.json", to_line(entry),
                        "application/json")
        self._waiting_here = True

    def pending(self) -> int:
        return sum(1 for _ in self._blobs.list_keys(AUDIT_SPOOL_PREFIX))

    def replay(self, write: Callable[[AuditEntry], None], batch: int = REPLAY_BATCH) -> int:
        """Write up to ``batch`` waiting entries, oldest first, each removed once written;
        stops at the first ``write`` refuses. Another container may replay the same ones at
        the same time: the entries' ids make the second write of one a no-op."""
        now = self._clock()
        if not self._waiting_here and now < self._next_look:
            return 0
        self._next_look = now + self.LOOK_EVERY_SECONDS
        keys = sorted(self._blobs.list_keys(AUDIT_SPOOL_PREFIX))
        self._waiting_here = bool(keys)  # until this replay has written them all
        written = 0
        for key in keys[:batch]:
            try:
                data = self._blobs.get(key)
            except NotFound:
                continue  # another container wrote and removed it
            try:
                entry = from_line(data)
            except (ValueError, KeyError, TypeError):
                log.error("unreadable audit spool object %s dropped: %r", key, data)
                self._blobs.delete(key)
                continue
            write(entry)
            self._blobs.delete(key)
            written += 1
        self._waiting_here = len(keys) > batch
        return written


class SpooledAuditLog:
    """Implements ``services.ports.AuditLog``: ``inner``, and a spool for what it refused: the
    ``shared`` one when given (aws mode), else, or when that refuses too, the data dir's file."""

    def __init__(self, inner: AuditLog, data_dir: Path, shared: SharedSpool | None = None) -> None:
        self._inner = inner
        self._shared = shared
        self._path = data_dir / SPOOL_FILE
        self._lock_path = data_dir / LOCK_FILE
        self._lock = threading.Lock()

    def record(self, entry: AuditEntry) -> None:
        """Written to the store, else kept in a spool; raises only if the disk refuses too
        (the caller logs it: the last resort)."""
        try:
            self._inner.record(entry)
        except Exception:
            self._keep(replace(entry, entry_id=entry.entry_id or new_id()))
            return
        try:
            self.replay()
        except OSError:  # the entry is written; the waiting ones stay for the next replay
            log.exception("audit spool %s could not be rewritten", self._path)
        if self._shared is not None:
            try:
                self._shared.replay(self._inner.record)
            except Exception:  # the waiting ones stay for the next accepted write
                log.warning("shared audit spool not replayed", exc_info=True)

    def _keep(self, entry: AuditEntry) -> None:
        """Called while the store's refusal is being handled: the warnings carry it."""
        if self._shared is not None:
            try:
                self._shared.append(entry)
                log.warning("audit store refused an entry; kept in the shared spool",
                            exc_info=True)
                return
            except Exception:
                log.warning("the shared audit spool refused the entry too", exc_info=True)
        log.warning("audit store refused an entry; kept in %s", self._path, exc_info=True)
        self._append(entry)

    def entries(
        self,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        return self._inner.entries(actor, action, since, until, limit)

    def pending(self) -> int:
        """The entries waiting: the file's complete lines and the shared spool's objects."""
        try:
            waiting = self._path.read_bytes().count(b"\n")
        except FileNotFoundError:
            waiting = 0
        if self._shared is not None:
            try:
                waiting += self._shared.pending()
            except Exception:  # the audit page still shows the log and the file's count
                log.warning("shared audit spool not listed", exc_info=True)
        return waiting

    def replay(self, batch: int = REPLAY_BATCH) -> int:
        """Write up to ``batch`` waiting entries, oldest first, into the store; how many were.
        Stops at the first the store refuses (it stays, with those after it). Returns at once
        when another thread or process is replaying."""
        if not self._path.exists() or not self._lock.acquire(blocking=False):
            return 0
        try:
            with self._file_lock(blocking=False) as held:
                return self._replay(batch) if held else 0
        finally:
            self._lock.release()

    def _replay(self, batch: int) -> int:
        try:
            lines = self._path.read_bytes().splitlines(keepends=True)
        except FileNotFoundError:
            return 0  # another process emptied it
        done = written = 0
        try:
            for line in lines[:batch]:
                try:
                    entry = from_line(line)
                except (ValueError, KeyError, TypeError):
                    # A line torn by a crash while it was appended: no entry can be made of
                    # it, and kept it would stop every replay. The log keeps its text.
                    log.error("unreadable audit spool line dropped: %r", line)
                    done += 1
                    continue
                self._inner.record(entry)
                done += 1
                written += 1
        except Exception:
            log.warning("audit store still refuses; %d entries wait", len(lines) - done,
                        exc_info=True)
        finally:
            if done:
                self._rewrite(lines[done:])
        return written

    def _append(self, entry: AuditEntry) -> None:
        line = to_line(entry)
        with self._lock, self._file_lock(blocking=True), self._path.open("ab") as fh:
            fh.write(line)
            _sync(fh)

    def _rewrite(self, lines: list[bytes]) -> None:
        if not lines:
            self._path.unlink(missing_ok=True)
        else:
            draft = self._path.with_name(f".{SPOOL_FILE}.tmp")
            with draft.open("wb") as fh:
                fh.writelines(lines)
                _sync(fh)
            os.replace(draft, self._path)
        _sync_dir(self._path.parent)

    @contextmanager
    def _file_lock(self, *, blocking: bool) -> Iterator[bool]:
        """Held across processes that share the data dir (in-process threads are kept apart
        by ``_lock``); yields False when not blocking and another holds it."""
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("a") as fh:
            if sys.platform == "win32":  # no flock: the threads' lock alone
                yield True
                return
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _sync(fh: IO[bytes]) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _sync_dir(path: Path) -> None:
    """The rename or removal itself survives a power cut."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
