"""The audit log with a spool: an entry the audit store refuses waits on local disk.

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
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from services.domain.models import AuditEntry
from services.ports import AuditLog

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
              "target": entry.target, "outcome": entry.outcome, "detail": entry.detail}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"


def from_line(line: bytes) -> AuditEntry:
    fields = json.loads(line)
    return AuditEntry(ts=datetime.fromisoformat(fields["ts"]), actor=fields["actor"],
                      action=fields["action"], target=fields["target"],
                      outcome=fields["outcome"], detail=dict(fields["detail"]))


class SpooledAuditLog:
    """Implements ``services.ports.AuditLog``: ``inner``, and a spool for what it refused."""

    def __init__(self, inner: AuditLog, data_dir: Path) -> None:
        self._inner = inner
        self._path = data_dir / SPOOL_FILE
        self._lock_path = data_dir / LOCK_FILE
        self._lock = threading.Lock()

    def record(self, entry: AuditEntry) -> None:
        """Written to the store, else kept in the spool; raises only if the disk refuses too
        (the caller logs it: the last resort)."""
        try:
            self._inner.record(entry)
        except Exception:
            log.warning("audit store refused an entry; kept in %s", self._path, exc_info=True)
            self._append(entry)
            return
        try:
            self.replay()
        except OSError:  # the entry is written; the waiting ones stay for the next replay
            log.exception("audit spool %s could not be rewritten", self._path)

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
        """The entries waiting in the spool (complete lines)."""
        try:
            return self._path.read_bytes().count(b"\n")
        except FileNotFoundError:
            return 0

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
