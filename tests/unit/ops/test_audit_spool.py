"""An audit entry the store refuses is never lost: it waits in the spool and is written, in
order and once, when the store answers again (``services/ops/audit_spool.py``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.adapters.sqlite.audit import SqliteAuditLog
from services.adapters.sqlite.db import SqliteDatabase
from services.domain.models import AuditEntry
from services.ops.audit import record_audit
from services.ops.audit_spool import SPOOL_FILE, SpooledAuditLog

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "app.sqlite3")
    database.migrate()
    yield database
    database.close()


def _stored(db: SqliteDatabase) -> list[str]:
    """The targets in the order the store took them."""
    rows = db.connection().execute("SELECT target FROM audit ORDER BY id").fetchall()
    return [row[0] for row in rows]


def _take_table_away(db: SqliteDatabase) -> None:
    db.connection().execute("ALTER TABLE audit RENAME TO audit_away")


def _give_table_back(db: SqliteDatabase) -> None:
    db.connection().execute("ALTER TABLE audit_away RENAME TO audit")


def _record(audit: SpooledAuditLog, target: str, minute: int = 0) -> None:
    record_audit(audit, T0 + timedelta(minutes=minute), "kim", "auth.login", target,
                 detail={"reason": "권한"})


def test_a_refused_entry_waits_in_the_spool_and_is_written_in_order_when_the_store_answers(
    db: SqliteDatabase, tmp_path: Path
) -> None:
    audit = SpooledAuditLog(SqliteAuditLog(db), tmp_path)
    _take_table_away(db)  # a real failure of the real store: "no such table"
    for minute, target in enumerate(("a", "b", "c")):
        _record(audit, target, minute)  # the action does not fail

    waiting = (tmp_path / SPOOL_FILE).read_text("utf-8").splitlines()
    assert [json.loads(line)["target"] for line in waiting] == ["a", "b", "c"]
    assert audit.pending() == 3

    _give_table_back(db)
    _record(audit, "d", 3)

    assert sorted(_stored(db)) == ["a", "b", "c", "d"]  # each once
    assert [t for t in _stored(db) if t != "d"] == ["a", "b", "c"]  # in the order they came
    assert not (tmp_path / SPOOL_FILE).exists()
    assert audit.pending() == 0
    # The replayed entry is the one recorded: its own time and detail.
    [first] = [e for e in audit.entries() if e.target == "a"]
    assert first == AuditEntry(T0, "kim", "auth.login", "a", "ok", {"reason": "권한"})


class _Flaky:
    """The SQLite store, refusing the writes whose numbers (from 1) are in ``refuse``."""

    def __init__(self, inner: SqliteAuditLog, refuse: set[int]) -> None:
        self._inner = inner
        self._refuse = refuse
        self.calls = 0

    def record(self, entry: AuditEntry) -> None:
        self.calls += 1
        if self.calls in self._refuse:
            raise OSError("store down")
        self._inner.record(entry)

    def entries(self, *args: object, **kwargs: object) -> list[AuditEntry]:
        return self._inner.entries()


def test_a_replay_the_store_stops_midway_keeps_exactly_the_unwritten_entries(
    db: SqliteDatabase, tmp_path: Path
) -> None:
    # Calls 1-3 refused (spooled); 4 writes "d", 5 replays "a", 6 refuses "b"; 7 writes "e".
    store = _Flaky(SqliteAuditLog(db), refuse={1, 2, 3, 6})
    audit = SpooledAuditLog(store, tmp_path)
    for target in ("a", "b", "c", "d"):
        _record(audit, target)

    assert _stored(db) == ["d", "a"]
    assert audit.pending() == 2  # "b" and "c": the failed replay did not spool "b" again

    _record(audit, "e")

    assert _stored(db) == ["d", "a", "e", "b", "c"]  # nothing twice, nothing lost
    assert audit.pending() == 0


def test_a_replay_whose_spool_was_not_rewritten_writes_nothing_twice(
    db: SqliteDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store took the replayed entries, then the spool file could not be rewritten (a
    # crash, a full disk): the next replay writes the same lines again.
    store = _Flaky(SqliteAuditLog(db), refuse={1, 2})
    audit = SpooledAuditLog(store, tmp_path)
    for target in ("a", "b"):
        _record(audit, target)
    rewrite = SpooledAuditLog._rewrite

    def disk_full(self: SpooledAuditLog, lines: list[bytes]) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SpooledAuditLog, "_rewrite", disk_full)
    _record(audit, "c")  # written; the replay writes "a" and "b" but keeps their lines
    monkeypatch.setattr(SpooledAuditLog, "_rewrite", rewrite)
    assert audit.pending() == 2

    _record(audit, "d")

    assert sorted(_stored(db)) == ["a", "b", "c", "d"]
    assert audit.pending() == 0


def test_a_replay_writes_a_bounded_batch_per_accepted_write(
    db: SqliteDatabase, tmp_path: Path
) -> None:
    store = _Flaky(SqliteAuditLog(db), refuse={1, 2, 3})
    audit = SpooledAuditLog(store, tmp_path)
    for target in ("a", "b", "c"):
        _record(audit, target)

    assert audit.replay(batch=2) == 2
    assert audit.pending() == 1
    assert audit.replay(batch=2) == 1
    assert _stored(db) == ["a", "b", "c"]


def test_a_torn_line_does_not_stop_the_replay(db: SqliteDatabase, tmp_path: Path) -> None:
    store = _Flaky(SqliteAuditLog(db), refuse={1})
    audit = SpooledAuditLog(store, tmp_path)
    _record(audit, "a")
    with (tmp_path / SPOOL_FILE).open("ab") as fh:
        fh.write(b'{"ts": "2025-03-01T09:0\n')  # a crash while a line was appended

    _record(audit, "b")

    assert _stored(db) == ["b", "a"]
    assert audit.pending() == 0


class _DownForSome:
    """The SQLite store, refusing the writes of threads named ``down-…``."""

    def __init__(self, inner: SqliteAuditLog) -> None:
        self._inner = inner

    def record(self, entry: AuditEntry) -> None:
        if threading.current_thread().name.startswith("down"):
            raise OSError("store down")
        self._inner.record(entry)

    def entries(self, *args: object, **kwargs: object) -> list[AuditEntry]:
        return self._inner.entries(limit=100_000)


def test_threads_appending_while_others_replay_lose_and_repeat_nothing(
    db: SqliteDatabase, tmp_path: Path
) -> None:
    audit = SpooledAuditLog(_DownForSome(SqliteAuditLog(db)), tmp_path)
    per_thread = 40

    def work(name: str) -> None:
        for n in range(per_thread):
            _record(audit, f"{name}-{n}")

    threads = [threading.Thread(target=work, args=(f"{kind}-{i}",), name=f"{kind}-{i}")
               for i in range(4) for kind in ("down", "up")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whatever is still waiting goes in now (the "up" threads may have finished first).
    while audit.replay():
        pass

    expected = {f"{kind}-{i}-{n}" for i in range(4) for kind in ("down", "up")
                for n in range(per_thread)}
    stored = _stored(db)
    assert len(stored) == len(expected)  # none twice
    assert set(stored) == expected  # none lost, no torn line
    assert audit.pending() == 0
    for i in range(4):  # each writer's spooled entries went in in its order
        mine = [t for t in stored if t.startswith(f"down-{i}-")]
        assert mine == [f"down-{i}-{n}" for n in range(per_thread)]


def test_the_wired_services_keep_an_entry_the_store_refused(tmp_path: Path) -> None:
    from services.bootstrap import build_services
    from services.domain.permissions import Actor, Role
    from services.errors import PermissionDenied
    from services.ops.audit_view import AuditQuery
    from services.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", sample_content=False)
    services = build_services(settings)
    admin = Actor("root", roles=frozenset({Role.ADMIN}))
    stranger = Actor("mallory", roles=frozenset({Role.VIEWER}))
    today = T0.date()
    beside = SqliteDatabase(settings.sqlite_path)  # the app's file, another connection
    _take_table_away(beside)
    with pytest.raises(PermissionDenied):  # audited as "audit.view" denied: refused here
        services.ops.audit_entries(stranger, AuditQuery(today, today))

    assert services.ops.audit_waiting(admin) == 1
    with pytest.raises(PermissionDenied):  # only administrators see the count
        services.ops.audit_waiting(stranger)

    _give_table_back(beside)
    with pytest.raises(PermissionDenied):
        services.ops.audit_entries(stranger, AuditQuery(today, today))

    assert [e.outcome for e in services.ports.audit.entries(action="audit.view")] == [
        "denied", "denied"]
    assert services.ops.audit_waiting(admin) == 0
    beside.close()
