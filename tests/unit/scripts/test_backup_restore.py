"""scripts/backup.py and scripts/restore.py: a backup of a used data dir restores into an empty
one with every item, file, user, event and audit entry; a changed backup or a non-empty data
folder is refused with nothing written; the backup is consistent while the app writes."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bcrypt
import pytest

from scripts import backup, restore
from services.bootstrap import Services, build_services
from services.content.orphans import all_items
from services.content.samples import banner_png, guide_pdf, load_catalog
from services.domain.analytics import Event, EventType
from services.domain.models import AuditEntry, ContentDraft, Status, Upload
from services.domain.permissions import Role
from services.domain.users import User
from services.ops.audit_spool import SPOOL_FILE, to_line
from services.settings import AWS_REQUIRED, load_settings

SPEC = load_catalog()[0]
PNG = banner_png("데모", SPEC.category, 200, 100)
PDF = guide_pdf(SPEC)
NOW = datetime.now(UTC)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
HASH = bcrypt.hashpw(b"a long password", bcrypt.gensalt(rounds=4)).decode()


def use(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Services:
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(data_dir))
    return build_services(load_settings())


def seed(services: Services) -> None:
    for name, roles in (("writer", {Role.AUTHOR}), ("boss", {Role.ADMIN}), ("reader", set())):
        services.ports.users.create(User(name, name.title(), f"{name}@example.com",
                                         frozenset(roles), NOW, disabled=name == "reader"))
        services.ports.passwords.set_password_hash(name, HASH)
    writer = services.ports.users.get("writer").as_actor()
    for n in range(3):
        draft = ContentDraft(title=f"글 {n}", summary="요약", body=f"# 본문 {n}",
                             category="Generative AI", tags=("RAG",),
                             status=Status.PUBLISHED if n else Status.DRAFT)
        item = services.content.create(draft, [Upload(f"그림{n}.png", PNG),
                                               Upload("guide.pdf", PDF)], writer)
        services.content.set_like(item.id, writer, True)
    services.ports.events.append([
        Event(id=f"ev{n:04}", ts=NOW - timedelta(hours=n), type=EventType.PAGE_VIEW,
              session_id=f"s{n % 4}", page="home") for n in range(25)])


def snapshot_of(services: Services) -> dict[str, object]:
    """Everything a user would miss after a restore, in comparable form."""
    items = sorted(all_items(services.ports.content), key=lambda i: i.id)
    return {
        "items": items,
        "files": {a.storage_key: services.ports.blobs.get(a.storage_key)
                  for item in items for a in item.assets},
        "users": sorted(services.ports.users.list(), key=lambda u: u.username),
        "hashes": {u.username: services.ports.passwords.password_hash(u.username)
                   for u in services.ports.users.list()},
        "events": sorted(e.id for e in services.ports.events.raw_events(EPOCH, NOW + timedelta(1))),
        "audit": len(services.ports.audit.entries(limit=100_000)),
        "likes": services.ports.content.has_liked(items[0].id, "writer"),
    }


def run(module: object, args: list[str], capsys: pytest.CaptureFixture[str]
        ) -> tuple[int, str, str]:
    code = module.main(args)  # type: ignore[attr-defined]
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def seeded(script_env: Path, monkeypatch: pytest.MonkeyPatch) -> Services:
    services = use(monkeypatch, script_env)
    seed(services)
    return services


def test_a_backup_restores_every_item_file_user_and_event(
    seeded: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = snapshot_of(seeded)
    dest = tmp_path / "backup"

    code, out, err = run(backup, [str(dest)], capsys)

    assert (code, err) == (0, "")
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["counts"]["items"] == 3 and manifest["counts"]["assets"] == 6
    assert manifest["counts"]["users"] == 3 and manifest["counts"]["events"] == 25
    assert manifest["counts"]["audit_entries"] == before["audit"]
    assert len(manifest["files"]) == 6 and len(manifest["database"]["sha256"]) == 64
    assert "items: 3" in out and "files: 6" in out
    assert dest.stat().st_mode & 0o077 == 0  # password hashes inside: the owner's only

    target = tmp_path / "restored"
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(target))
    code, out, err = run(restore, [str(dest)], capsys)

    assert (code, err) == (0, ""), err
    assert "every checksum matched" in out
    after = use(monkeypatch, target)
    restored = snapshot_of(after)
    assert restored["audit"] == before["audit"] + 1  # the restore's own entry
    assert {**restored, "audit": 0} == {**before, "audit": 0}
    assert after.accounts.get("writer").roles == frozenset({Role.AUTHOR})
    # The backup itself is in the source's audit log, after the copy was taken.
    [entry] = seeded.ports.audit.entries(action="ops.backup")
    assert entry.actor == "script:backup"


@pytest.mark.parametrize("damage", ["changed", "deleted", "added", "database"])
def test_a_changed_backup_is_refused_and_nothing_is_written(
    seeded: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], damage: str,
) -> None:
    dest = tmp_path / "backup"
    assert run(backup, [str(dest)], capsys)[0] == 0
    a_file = next(p for p in (dest / "files").rglob("*.png"))
    if damage == "changed":
        a_file.write_bytes(a_file.read_bytes()[:-1] + b"!")
    elif damage == "deleted":
        a_file.unlink()
    elif damage == "added":
        (a_file.parent / "planted.png").write_bytes(PNG)
    else:
        with (dest / "database.sqlite3").open("r+b") as fh:
            fh.seek(200)
            fh.write(b"\xff")

    target = tmp_path / "restored"
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(target))
    code, out, err = run(restore, [str(dest)], capsys)

    assert code == 2 and out == ""
    assert "nothing is restored" in err
    assert not target.exists() or not any(target.iterdir())


def test_a_restore_never_writes_into_a_used_data_folder(
    seeded: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dest = tmp_path / "backup"
    assert run(backup, [str(dest)], capsys)[0] == 0
    before = snapshot_of(seeded)

    code, _, err = run(restore, [str(dest)], capsys)  # into the data dir in use

    assert code == 2 and "is not empty" in err
    assert snapshot_of(seeded) == before


def test_a_backup_never_writes_into_a_used_folder(
    seeded: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    dest = tmp_path / "backup"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me")

    code, _, err = run(backup, [str(dest)], capsys)

    assert code == 2 and "is not empty" in err
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_a_forged_manifest_cannot_read_outside_the_backup(
    seeded: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dest = tmp_path / "backup"
    assert run(backup, [str(dest)], capsys)[0] == 0
    manifest = json.loads((dest / "manifest.json").read_text())
    manifest["files"]["../../secret"] = "0" * 64
    (dest / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(tmp_path / "restored"))

    code, _, err = run(restore, [str(dest)], capsys)

    assert code == 2 and "manifest.json cannot be read" in err


def test_the_backup_is_one_consistent_snapshot_while_the_app_writes(
    seeded: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stop = threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            seeded.ports.audit.record(AuditEntry(ts=datetime.now(UTC), actor="busy",
                                                 action="test.write", target=str(n),
                                                 outcome="ok"))
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        code, _, err = run(backup, [str(tmp_path / "backup")], capsys)
    finally:
        stop.set()
        writer.join()

    assert (code, err) == (0, "")
    counted = json.loads((tmp_path / "backup" / "manifest.json").read_text())["counts"]
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(tmp_path / "restored"))
    assert run(restore, [str(tmp_path / "backup")], capsys)[0] == 0
    restored = use(monkeypatch, tmp_path / "restored")
    # Exactly what the manifest counted (plus the restore's own entry): no torn copy.
    assert len(restored.ports.audit.entries(limit=100_000)) == counted["audit_entries"] + 1


def test_aws_mode_is_pointed_at_its_own_backups(
    script_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_BACKEND", "aws")
    monkeypatch.setenv("DEMO_FACTORY_AWS_REGION", "us-east-1")
    for name in AWS_REQUIRED:
        monkeypatch.setenv(f"DEMO_FACTORY_{name.upper()}", f"df-{name}")

    for module, target in ((backup, tmp_path / "b"), (restore, tmp_path)):
        code, _, err = run(module, [str(target)], capsys)
        assert code == 2 and "point-in-time recovery" in err


def test_audit_entries_waiting_for_the_store_are_backed_up_and_written_after_a_restore(
    seeded: Services, script_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An entry the audit store refused waits in the data folder's spool: the backup keeps it
    (checked like every file), and the restored app writes it with its next entry."""
    waiting = AuditEntry(ts=NOW, actor="boss", action="users.delete", target="reader",
                         outcome="ok", detail={})
    (script_env / SPOOL_FILE).write_bytes(to_line(waiting))
    dest = tmp_path / "backup"

    code, out, _ = run(backup, [str(dest)], capsys)

    assert code == 0 and "waiting for the store: kept" in out
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["audit_spool"]["path"] == SPOOL_FILE
    target = tmp_path / "restored"
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(target))
    assert run(restore, [str(dest)], capsys)[0] == 0
    restored = use(monkeypatch, target).ports.audit
    assert [e.target for e in restored.entries(action="users.delete")] == ["reader"]
    assert not (target / SPOOL_FILE).exists()  # written by the restore's own entry


def test_a_changed_copy_of_the_waiting_audit_entries_is_refused(
    seeded: Services, script_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    entry = AuditEntry(ts=NOW, actor="boss", action="users.delete", target="reader",
                       outcome="ok", detail={})
    (script_env / SPOOL_FILE).write_bytes(to_line(entry))
    dest = tmp_path / "backup"
    assert run(backup, [str(dest)], capsys)[0] == 0
    (dest / SPOOL_FILE).write_bytes(to_line(replace(entry, target="writer")))
    target = tmp_path / "restored"
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(target))

    code, _, err = run(restore, [str(dest)], capsys)

    assert code == 2 and SPOOL_FILE in err
    assert not target.exists()
