"""Importing the previous platform: its tables and bucket on moto (or an exported folder) into
this app's local backend and, on moto too, its aws backend. Checked item by item."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from services.adapters.aws.legacy_source import DynamoDBSource
from services.adapters.legacy_folder import FolderSource
from services.bootstrap import Services, build_local_ports, build_services
from services.content.orphans import scan
from services.domain.analytics import Dim, EventType
from services.domain.models import AssetKind, Category, SearchQuery, Status, utcnow
from services.domain.permissions import Actor, Role
from services.domain.users import User
from services.errors import PermissionDenied
from services.imports.legacy.importer import IN_THE_FUTURE, OLDER_THAN_RETENTION, LegacyImporter
from services.imports.legacy.mapping import content_id_for
from services.imports.legacy.source import LegacySource
from services.imports.legacy.summary import LegacySummary
from services.settings import Settings
from tests.contract.aws_backends import REGION, mocked_aws
from tests.doubles.legacy_fixture import (
    ANALYTICS,
    BUCKET,
    CONTENTS,
    NOW,
    Legacy,
    export_to_folder,
    legacy_data,
    put_in_aws,
)

ADMIN = Actor("root", "Root", frozenset({Role.ADMIN}))


def _with_alice(services: Services) -> Services:
    services.ports.users.create(User("alice", "앨리스", "alice@example.com",
                                     frozenset({Role.AUTHOR}), NOW))
    return services


@pytest.fixture
def legacy() -> Legacy:
    return legacy_data()


@pytest.fixture
def local(tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path / "data", sample_content=False, max_upload_mb=5)
    return _with_alice(build_services(settings, build_local_ports(settings)))


@pytest.fixture
def aws_source(legacy: Legacy) -> Iterator[tuple[DynamoDBSource, Any]]:
    """The legacy tables and bucket on moto, next to this app's (bootstrapped) resources."""
    with mocked_aws() as aws:
        put_in_aws(legacy, aws.dynamodb, aws.s3)
        yield DynamoDBSource(aws.dynamodb, aws.s3, bucket=BUCKET), aws


def _by_title(services: Services) -> dict[str, Any]:
    found = services.ports.content.search(SearchQuery(status=None, page_size=50))
    return {item.title: item for item in found.items}


def _check_items(services: Services, legacy: Legacy) -> None:
    items = _by_title(services)
    assert set(items) == {"생성형 AI 데모", "Q Developer 코드 리뷰", "Gen AI guide", "Ledger"}

    demo = items["생성형 AI 데모"]
    assert demo.id == content_id_for(legacy.contents[0]["id"])
    assert demo.category == Category.GENERATIVE_AI and demo.status == Status.PUBLISHED
    assert (demo.author_id, demo.author_name) == ("alice", "앨리스")  # linked by email
    assert demo.tags == ("bedrock", "genai")
    assert demo.views == 42
    assert demo.likes == 2  # alice (twice, by email) and one Cognito sub
    assert services.ports.content.has_liked(demo.id, "alice")
    assert demo.created_at == NOW - timedelta(days=20)
    assert demo.updated_at == NOW - timedelta(days=19)
    assert demo.published_at == demo.created_at  # the previous platform had no drafts
    (image,) = demo.assets  # the video is missing from the bucket
    assert image.kind == AssetKind.IMAGE and image.filename == "diagram.png"
    assert services.ports.blobs.get(image.storage_key) == legacy.files[
        legacy.contents[0]["files"][0]["s3Key"]]
    # Both references to the image (one loose: no extension, other case) point at the asset;
    # the missing video's reference is left as it was.
    assert demo.body.count(f"(asset:{image.id})") == 2
    assert "[video:demo.mp4]" in demo.body

    q_item = items["Q Developer 코드 리뷰"]
    assert q_item.category == Category.AMAZON_Q
    assert (q_item.author_id, q_item.author_name) == ("legacy:bob kim", "Bob Kim")

    guide = items["Gen AI guide"]
    assert guide.category == Category.GENERATIVE_AI
    assert (guide.author_id, guide.author_name) == ("legacy:carol@old.example", "carol")
    assert [a.filename for a in guide.assets] == ["guide.pdf"]  # notes.pdf is HTML inside
    assert guide.likes == 1
    assert items["Ledger"].category == Category.ETC


def _check_summary(summary: LegacySummary) -> None:
    assert (summary.items_seen, summary.items_imported, summary.items_already) == (4, 4, 0)
    assert summary.files_imported == 2
    assert [key.rsplit("-", 1)[-1] for _, key in summary.files_missing] == ["demo.mp4"]
    assert [(name, why) for _, name, why in summary.files_rejected] == [
        ("notes.pdf", "content.err_file_type")]
    assert [name for _, name in summary.refs_missing] == ["demo.mp4", "notes.pdf"]
    assert summary.categories == Counter({"Amazon Q Dev → Amazon Q": 1,
                                          "genai → Generative AI": 1, "Blockchain → ETC": 1})
    assert summary.authors_unlinked == Counter({"Bob Kim": 1, "carol@old.example": 1})
    assert summary.likes_added == 3 and summary.likes_duplicate == 1
    assert (summary.events_seen, summary.events_imported) == (8, 7)
    assert summary.events_skipped == Counter({"unknown_type:click": 1})
    assert summary.purposes_unknown == Counter({"curiosity": 1})


def _check_events(services: Services, legacy: Legacy) -> None:
    day = (NOW - timedelta(days=2)).astimezone(services.settings.tz).date()
    rows = services.ports.events.rollups(day - timedelta(days=1), day + timedelta(days=1))
    totals = Counter()
    by_dim: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        if row.key.dim == Dim.ALL and row.key.hour == -1:
            totals[row.key.type] += row.count
        elif row.key.dim != Dim.ALL:
            by_dim[(row.key.type, row.key.dim, row.key.value)] += row.count
    assert totals == {EventType.VISITOR_PURPOSE: 3, EventType.PAGE_VIEW: 2,
                      EventType.CONTENT_VIEW: 2}
    assert by_dim[(EventType.VISITOR_PURPOSE, Dim.PURPOSE, "customer-demo")] == 2  # code, label
    assert by_dim[(EventType.VISITOR_PURPOSE, Dim.PURPOSE, "other")] == 1
    assert by_dim[(EventType.PAGE_VIEW, Dim.PAGE, "content")] == 1  # "content-detail"
    demo_id = content_id_for(legacy.contents[0]["id"])
    # The view counts for the item as imported: its category and linked author.
    assert by_dim[(EventType.CONTENT_VIEW, Dim.CONTENT, demo_id)] == 1
    assert by_dim[(EventType.CONTENT_VIEW, Dim.AUTHOR, "alice")] == 1
    assert by_dim[(EventType.CONTENT_VIEW, Dim.CATEGORY, "Generative AI")] == 1
    assert by_dim[(EventType.CONTENT_VIEW, Dim.CATEGORY, "Finance")] == 1  # a deleted item


def _import(services: Services, source: LegacySource, **options: Any) -> LegacySummary:
    return services.legacy_import.run(source, ADMIN, **options)


def test_tables_and_bucket_into_the_local_backend(
    aws_source: tuple[DynamoDBSource, Any], local: Services, legacy: Legacy
) -> None:
    source, _ = aws_source
    summary = _import(local, source)

    _check_summary(summary)
    _check_items(local, legacy)
    _check_events(local, legacy)
    (entry,) = local.ports.audit.entries(action="legacy.import")
    assert entry.actor == "root" and entry.detail["items_imported"] == "4"
    assert entry.detail["events_imported"] == "7"


def test_a_second_run_imports_nothing_twice(
    aws_source: tuple[DynamoDBSource, Any], local: Services, legacy: Legacy
) -> None:
    source, _ = aws_source
    _import(local, source)
    again = _import(local, source)

    assert (again.items_imported, again.items_already) == (0, 4)
    assert (again.events_imported, again.events_already) == (0, 7)
    assert again.likes_added == 0
    _check_items(local, legacy)  # same counters, same single asset, same likes
    _check_events(local, legacy)


def test_a_dry_run_writes_nothing(
    aws_source: tuple[DynamoDBSource, Any], local: Services
) -> None:
    source, _ = aws_source
    summary = _import(local, source, dry_run=True)

    assert (summary.items_imported, summary.files_imported, summary.events_imported) == (4, 2, 7)
    assert "dry run" in summary.lines()[0]
    assert local.ports.content.count() == 0
    day = NOW.astimezone(local.settings.tz).date()
    assert local.ports.events.rollups(day - timedelta(days=30), day) == []
    assert not any((local.settings.data_dir / "files").rglob("*.*"))


class _Interrupted(Exception):
    pass


class _StopsAfter:
    """The same source, cut off after ``n`` content items, as a killed run would be."""

    def __init__(self, source: LegacySource, n: int) -> None:
        self._source, self._n = source, n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def contents(self) -> Iterator[dict[str, Any]]:
        for index, item in enumerate(self._source.contents()):
            if index == self._n:
                raise _Interrupted
            yield item


def test_an_interrupted_run_resumes(
    aws_source: tuple[DynamoDBSource, Any], local: Services, legacy: Legacy
) -> None:
    source, _ = aws_source
    with pytest.raises(_Interrupted):
        _import(local, _StopsAfter(source, 2))  # type: ignore[arg-type]
    assert local.ports.content.count() == 2

    resumed = _import(local, source)
    assert (resumed.items_imported, resumed.items_already) == (2, 2)
    _check_items(local, legacy)
    _check_events(local, legacy)


def test_a_file_copied_for_an_item_not_yet_added_is_no_orphan(
    aws_source: tuple[DynamoDBSource, Any], local: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An administrator runs the orphan cleanup while the import copies files: a file whose
    item is not added yet is new, whatever the legacy item's age, and is left alone."""
    source, _ = aws_source
    blobs = local.ports.blobs
    put = blobs.put
    judged: list[str] = []

    def put_then_scan(key: str, data: bytes, media_type: str) -> None:
        put(key, data, media_type)
        judged.extend(scan(local.ports.content, blobs, utcnow()).orphans)

    monkeypatch.setattr(blobs, "put", put_then_scan)
    summary = _import(local, source)

    assert summary.files_imported > 0 and judged == []


def test_an_exported_folder(tmp_path: Path, local: Services, legacy: Legacy) -> None:
    folder = export_to_folder(legacy, tmp_path / "export")
    summary = _import(local, FolderSource(folder))

    assert summary.items_failed == [("?", "no id")]  # the mangled record, reported
    assert summary.items_imported == 4 and summary.events_imported == 7
    _check_items(local, legacy)
    _check_events(local, legacy)


def test_into_the_aws_backend(aws_source: tuple[DynamoDBSource, Any], legacy: Legacy) -> None:
    source, aws = aws_source
    services = _with_alice(build_services(aws.settings))
    _check_summary(_import(services, source))
    _check_items(services, legacy)
    _check_events(services, legacy)
    # The files are in this app's private bucket, not the old one.
    keys = [o["Key"] for o in aws.s3.list_objects_v2(Bucket=aws.settings.bucket)["Contents"]]
    assert len(keys) == 2 and all(k.startswith("content/") for k in keys)


def test_only_admins_import(aws_source: tuple[DynamoDBSource, Any], local: Services) -> None:
    source, _ = aws_source
    analyst = Actor("ann", "Ann", frozenset({Role.ANALYST, Role.AUTHOR}))
    with pytest.raises(PermissionDenied):
        local.legacy_import.run(source, analyst)
    assert local.ports.content.count() == 0


def test_the_source_reads_through_aws_endpoint_url(legacy: Legacy) -> None:
    """What the script does: plain boto3 clients, found by AWS_ENDPOINT_URL (here moto's HTTP
    server), and a table name given as an option."""
    from tests.contract.aws_backends import aws_environment, moto_server

    with moto_server() as endpoint, aws_environment(AWS_ENDPOINT_URL=endpoint):
        session = boto3.session.Session(region_name=REGION)
        dynamodb, s3 = session.client("dynamodb"), session.client("s3")
        put_in_aws(legacy, dynamodb, s3)
        source = DynamoDBSource(dynamodb, s3, content_table=CONTENTS,
                                analytics_table=ANALYTICS, bucket=BUCKET)
        assert [c["id"] for c in source.contents()] and source.counts()[1] == 8
        assert source.file(legacy.contents[0]["files"][1]["s3Key"]) is None  # missing video


def test_events_dated_after_now_are_skipped_and_said(
    aws_source: tuple[DynamoDBSource, Any], local: Services
) -> None:
    """As in event files: no dashboard shows them, yet they would move the items' counters."""
    source, _ = aws_source
    ports = local.ports
    early = LegacyImporter(content=ports.content, blobs=ports.blobs, users=ports.users,
                           events=ports.events, audit=ports.audit, max_upload_bytes=2**20,
                           tz=local.settings.tz, retention_days=30,
                           clock=lambda: NOW - timedelta(days=3))
    summary = early.run(source, ADMIN)  # the events are 2 days old: a day after this clock

    assert summary.events_imported == 0
    assert summary.events_skipped == Counter({IN_THE_FUTURE: 7, "unknown_type:click": 1})


def test_events_older_than_the_retention_are_skipped_and_said(
    aws_source: tuple[DynamoDBSource, Any], local: Services
) -> None:
    """Their raw copy would be pruned, and a later re-run would count them again."""
    source, _ = aws_source
    ports = local.ports
    short = LegacyImporter(content=ports.content, blobs=ports.blobs, users=ports.users,
                           events=ports.events, audit=ports.audit, max_upload_bytes=2**20,
                           tz=local.settings.tz, retention_days=1)  # the events are 2 days old
    summary = short.run(source, ADMIN)

    assert summary.events_imported == 0 and summary.items_imported == 4
    assert summary.events_skipped == Counter({OLDER_THAN_RETENTION: 7, "unknown_type:click": 1})
    assert any("DEMO_FACTORY_EVENT_RETENTION_DAYS" in line for line in summary.lines())
    day = NOW.astimezone(local.settings.tz).date()
    assert ports.events.rollups(day - timedelta(days=30), day) == []
