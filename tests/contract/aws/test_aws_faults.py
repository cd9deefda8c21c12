"""aws mode under faults, on moto: S3 failing mid-upload, DynamoDB throttling writes and reads,
the event store down then back. Each ends in the project's clear error (or in botocore's retry
absorbing it first), leaves no item or file behind, loses no event, and the next call on the same
objects (no restart) succeeds. Failures are injected into the real clients
(``tests/doubles/aws_faults.py``) as they arrive once botocore's retries are spent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from services.adapters.aws.dynamodb.audit import DynamoAuditLog
from services.adapters.aws.dynamodb.content import DynamoContentRepository
from services.adapters.aws.dynamodb.events import DynamoEventStore
from services.adapters.aws.s3 import S3BlobStore
from services.analytics.tracker import Tracker
from services.content.samples import banner_png, guide_pdf, load_catalog
from services.content.service import ContentService
from services.domain.analytics import Event, EventType
from services.domain.models import ContentDraft, Status, Upload, utcnow
from services.domain.permissions import Role
from services.errors import DemoFactoryError, QuotaExceeded, ServiceUnavailable
from services.i18n import translate
from tests.conftest import make_actor
from tests.contract.aws_backends import MockedAws, mocked_aws, one_backup_per_transaction
from tests.contract.local_backends import EVENT_RETENTION_DAYS, EVENT_TZ
from tests.doubles.aws_faults import Fault, inject

SPEC = load_catalog()[0]
PNG = banner_png("데모", SPEC.category, 200, 100)
PDF = guide_pdf(SPEC)
DRAFT = ContentDraft(title="장애 중에 올린 글", summary="", body="본문", category="Generative AI",
                     tags=(), status=Status.PUBLISHED)
AUTHOR = make_actor("alice", Role.AUTHOR)
ADMIN = make_actor("root", Role.ADMIN)
T0 = datetime(2026, 5, 4, 1, 2, 3, tzinfo=UTC)


@dataclass
class Aws:
    mocked: MockedAws
    repo: DynamoContentRepository
    blobs: S3BlobStore
    content: ContentService

    def later(self) -> ContentService:
        """The same stores, the clock past the orphan cleanup's grace period."""
        settings = self.mocked.settings
        return ContentService(self.repo, self.blobs,
                              DynamoAuditLog(self.mocked.dynamodb, str(settings.audit_table)),
                              max_upload_bytes=2**20,
                              clock=lambda: utcnow() + timedelta(hours=2))


@pytest.fixture
def aws() -> Iterator[Aws]:
    with mocked_aws() as mocked:
        settings = mocked.settings
        repo = DynamoContentRepository(mocked.dynamodb, str(settings.content_table),
                                       str(settings.likes_table))
        blobs = S3BlobStore(mocked.s3, str(settings.bucket))
        audit = DynamoAuditLog(mocked.dynamodb, str(settings.audit_table))
        yield Aws(mocked, repo, blobs, ContentService(repo, blobs, audit, max_upload_bytes=2**20))


def clear(error: DemoFactoryError) -> None:
    """One translated message in each language, not botocore's text."""
    for lang in ("ko", "en"):
        message = translate(lang, error.key, **error.params)
        assert message != error.key and "An error occurred" not in message


def test_s3_failing_on_the_second_file_leaves_no_item_and_no_file(aws: Aws) -> None:
    put = Fault("PutObject", "InternalError", 500, skip=1)  # the second file, every attempt
    inject(aws.mocked.s3, put)

    with pytest.raises(ServiceUnavailable) as raised:
        aws.content.create(DRAFT, [Upload("first.png", PNG), Upload("second.pdf", PDF)], AUTHOR)

    clear(raised.value)
    assert (put.seen, put.failed) == (2, 1)
    assert aws.repo.count() == 0
    assert list(aws.blobs.list_keys()) == []  # the first file was removed again

    put.heal()
    item = aws.content.create(DRAFT, [Upload("first.png", PNG), Upload("second.pdf", PDF)],
                              AUTHOR)
    assert sorted(aws.blobs.list_keys()) == sorted(a.storage_key for a in item.assets)


def test_a_file_whose_removal_also_failed_is_found_and_cleaned_up(aws: Aws) -> None:
    inject(aws.mocked.s3, Fault("PutObject", "InternalError", 500, skip=1),
           Fault("DeleteObject", "InternalError", 500))

    with pytest.raises(ServiceUnavailable):
        aws.content.create(DRAFT, [Upload("first.png", PNG), Upload("second.pdf", PDF)], AUTHOR)

    [left] = list(aws.blobs.list_keys())  # the orphan the failed delete left
    assert aws.repo.count() == 0
    assert aws.later().find_orphans(ADMIN).orphans == (left,)
    # The store is still failing: the cleanup reports the file instead of crashing.
    assert aws.later().remove_orphans(ADMIN).failed == (left,)


def test_s3_cleanup_removes_the_orphan_once_s3_is_back(aws: Aws) -> None:
    delete = Fault("DeleteObject", "InternalError", 500)
    inject(aws.mocked.s3, delete)
    item = aws.content.create(DRAFT, [Upload("a.png", PNG)], AUTHOR)
    aws.content.delete(item.id, AUTHOR)  # the item goes; its file's delete fails (logged)
    assert list(aws.blobs.list_keys()) == [item.assets[0].storage_key]

    delete.heal()
    report = aws.later().remove_orphans(ADMIN)

    assert report.removed == (item.assets[0].storage_key,)
    assert list(aws.blobs.list_keys()) == []


def test_throttled_writes_end_in_a_clear_error_and_the_next_write_works(aws: Aws) -> None:
    inject(aws.mocked.dynamodb,
           Fault("PutItem", "ProvisionedThroughputExceededException", 400, times=1))

    with pytest.raises(QuotaExceeded) as raised:
        aws.content.create(DRAFT, [Upload("a.png", PNG)], AUTHOR)

    assert raised.value.key == "aws.throttled"
    clear(raised.value)
    assert aws.repo.count() == 0 and list(aws.blobs.list_keys()) == []  # file removed again
    item = aws.content.create(DRAFT, [Upload("a.png", PNG)], AUTHOR)  # a moment later
    assert aws.content.get(item.id, AUTHOR).title == DRAFT.title


def test_throttled_reads_end_in_a_clear_error_and_the_next_read_works(aws: Aws) -> None:
    item = aws.content.create(DRAFT, [], AUTHOR)
    inject(aws.mocked.dynamodb,
           Fault("GetItem", "ProvisionedThroughputExceededException", 400, times=1))

    with pytest.raises(QuotaExceeded) as raised:
        aws.content.get(item.id, AUTHOR)

    clear(raised.value)
    assert aws.content.get(item.id, AUTHOR).id == item.id


def test_the_event_store_down_then_back_loses_no_event() -> None:
    with one_backup_per_transaction(), mocked_aws() as mocked:
        settings = mocked.settings
        store = DynamoEventStore(mocked.dynamodb, str(settings.events_table),
                                 str(settings.rollups_table), EVENT_TZ, EVENT_RETENTION_DAYS,
                                 shards=2, sleep=lambda seconds: None)
        down = Fault("TransactWriteItems", "InternalServerError", 500)
        inject(mocked.dynamodb, down)
        tracker = Tracker(store, flush_seconds=3600, buffer_max=1000, batch_size=10)
        try:
            sent = [Event(id=f"ev{n:04}", ts=T0 + timedelta(seconds=n),
                          type=EventType.PAGE_VIEW, session_id=f"s{n % 3}", page="home")
                    for n in range(25)]
            for event in sent[:15]:
                tracker.track(event)

            assert not tracker.flush(timeout=5)  # the store is down: kept, not dropped
            for event in sent[15:]:
                tracker.track(event)  # pages go on tracking meanwhile
            stats = tracker.stats()
            assert stats.failures >= 1 and stats.dropped == 0 and stats.queued == 25

            down.heal()
            assert tracker.flush(timeout=10)
        finally:
            tracker.close(timeout=5)

        stored = store.raw_events(T0 - timedelta(days=1), T0 + timedelta(days=1))
        assert sorted(e.id for e in stored) == [e.id for e in sent]
        assert tracker.stats().written == 25 and tracker.stats().dropped == 0
