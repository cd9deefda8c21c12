"""aws mode: an audit entry DynamoDB refuses waits in the files bucket, not on the container's
disk, so a replacement container writes it; written twice (two containers replaying at once,
a stop between the write and the removal), it is in the log once (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.adapters.aws.dynamodb.audit import DynamoAuditLog
from services.adapters.aws.s3 import S3BlobStore
from services.domain.models import AuditEntry
from services.ops.audit import record_audit
from services.ops.audit_spool import SPOOL_FILE, SharedSpool, SpooledAuditLog
from services.resource_names import AUDIT_SPOOL_PREFIX
from tests.contract.aws_backends import MockedAws, mocked_aws

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with mocked_aws() as mocked:
        yield mocked


class Container:
    """One app container: its own data dir, the deployment's table and bucket."""

    def __init__(self, aws: MockedAws, data_dir: Path, *, table: str | None = None,
                 blobs: S3BlobStore | None = None) -> None:
        self.data_dir = data_dir
        self.blobs = blobs or S3BlobStore(aws.s3, str(aws.settings.bucket))
        store = DynamoAuditLog(aws.dynamodb, table or str(aws.settings.audit_table))
        self.audit = SpooledAuditLog(store, data_dir, SharedSpool(self.blobs))

    def record(self, target: str, minute: int = 0) -> None:
        record_audit(self.audit, T0 + timedelta(minutes=minute), "kim", "auth.login", target,
                     detail={"reason": "권한"})


def _targets(aws: MockedAws) -> list[str]:
    log = DynamoAuditLog(aws.dynamodb, str(aws.settings.audit_table))
    return sorted(entry.target for entry in log.entries(limit=100))


def _waiting(aws: MockedAws) -> list[str]:
    return list(S3BlobStore(aws.s3, str(aws.settings.bucket)).list_keys(AUDIT_SPOOL_PREFIX))


def test_an_entry_the_table_refused_is_written_by_a_replacement_container(
    aws: MockedAws, tmp_path: Path
) -> None:
    # A real refusal of a real (emulated) DynamoDB: the table is not there.
    down = Container(aws, tmp_path / "old", table="no-such-table")
    down.record("a", 0)
    down.record("b", 1)
    assert down.audit.pending() == 2 and len(_waiting(aws)) == 2
    assert not (down.data_dir / SPOOL_FILE).exists()  # not on the container's disk

    replacement = Container(aws, tmp_path / "new")  # the old container and its disk are gone
    assert replacement.audit.pending() == 2  # the audit page's warning counts them
    replacement.record("c", 2)

    assert _targets(aws) == ["a", "b", "c"]
    assert _waiting(aws) == [] and replacement.audit.pending() == 0


class DeleteFailsOnce(S3BlobStore):
    """A stop between an entry's write and its removal from the bucket."""

    failed = False

    def delete(self, key: str) -> None:
        if not self.failed:
            self.failed = True
            raise OSError("stopped")
        super().delete(key)


def test_an_entry_written_again_is_in_the_log_once(aws: MockedAws, tmp_path: Path) -> None:
    Container(aws, tmp_path / "down", table="no-such-table").record("a", 0)
    flaky = Container(aws, tmp_path / "up",
                      blobs=DeleteFailsOnce(aws.s3, str(aws.settings.bucket)))

    flaky.record("b", 1)  # replays "a": written, then the removal fails; "a" waits still
    assert _targets(aws) == ["a", "b"] and len(_waiting(aws)) == 1
    flaky.record("c", 2)  # "a" is written again: the same item, replaced
    other = Container(aws, tmp_path / "other")
    spooled = SharedSpool(other.blobs)
    entry = AuditEntry(T0, "kim", "auth.login", "d", "ok", entry_id="01JAUDIT0000000000000000D0")
    spooled.append(entry)
    spooled.replay(DynamoAuditLog(aws.dynamodb, str(aws.settings.audit_table)).record)
    other.audit.record(entry)  # the second of two containers replaying at once

    assert _targets(aws) == ["a", "b", "c", "d"]
    assert _waiting(aws) == []


def test_when_the_bucket_refuses_too_the_entry_waits_on_the_disk(
    aws: MockedAws, tmp_path: Path
) -> None:
    no_bucket = S3BlobStore(aws.s3, "no-such-bucket")
    down = Container(aws, tmp_path / "c", table="no-such-table", blobs=no_bucket)
    down.record("a")
    assert (tmp_path / "c" / SPOOL_FILE).exists()
    assert down.audit.pending() == 1  # the bucket's count cannot be read; the file's is

    Container(aws, tmp_path / "c", blobs=no_bucket).record("b", 1)  # the table is back

    assert _targets(aws) == ["a", "b"]
    assert not (tmp_path / "c" / SPOOL_FILE).exists()


class CountingLists(S3BlobStore):
    lists = 0

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        self.lists += 1
        return super().list_keys(prefix)


def test_a_container_looks_in_the_bucket_when_entries_may_wait_not_at_every_write(
    aws: MockedAws, tmp_path: Path
) -> None:
    """One S3 listing per audited action would be a request more for every action."""
    blobs = CountingLists(aws.s3, str(aws.settings.bucket))
    now = [1000.0]
    store = DynamoAuditLog(aws.dynamodb, str(aws.settings.audit_table))
    audit = SpooledAuditLog(store, tmp_path, SharedSpool(blobs, clock=lambda: now[0]))
    entry = AuditEntry(T0, "kim", "auth.login", "x", "ok")

    for _ in range(3):
        audit.record(entry)
    assert blobs.lists == 1  # the first write after the start looks; the next two do not

    Container(aws, tmp_path / "gone", table="no-such-table").record("left", 1)
    audit.record(entry)
    assert blobs.lists == 1 and len(_waiting(aws)) == 1  # another container's: not seen yet
    now[0] += SharedSpool.LOOK_EVERY_SECONDS
    audit.record(entry)
    assert blobs.lists == 2 and _waiting(aws) == []  # found at the next look, and written
    assert "left" in _targets(aws)
