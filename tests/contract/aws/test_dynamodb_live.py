"""The DynamoDB live window reads a bounded number of minute partitions, never Scans, and keeps
its items apart from the raw events in the shared events table, each with a TTL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.adapters.aws.dynamodb.live import PK_PREFIX, DynamoLiveWindow
from services.domain.analytics import Event, EventType
from services.domain.live import KEEP_MINUTES, WINDOW_MINUTES
from tests.contract.aws_backends import mocked_aws

NOW = datetime(2026, 3, 4, 12, 0, 30, tzinfo=UTC)


def test_a_snapshot_is_one_query_per_minute_and_no_scan() -> None:
    with mocked_aws() as aws:
        calls: list[str] = []

        def record(event_name: str, **_: Any) -> None:
            calls.append(event_name.rsplit(".", 1)[-1])

        aws.dynamodb.meta.events.register("before-parameter-build.dynamodb.Query", record)
        aws.dynamodb.meta.events.register("before-parameter-build.dynamodb.Scan", record)
        table = str(aws.settings.events_table)
        live = DynamoLiveWindow(aws.dynamodb, table, clock=lambda: NOW)
        live.ingest([Event(id=f"e{i}", ts=NOW - timedelta(minutes=i), type=EventType.PAGE_VIEW,
                           session_id=f"s{i}", page="home") for i in range(40)])
        snapshot = live.snapshot(NOW)
        assert snapshot.active_30 == 30  # e0..e29; e30 is exactly 30 minutes old
        assert calls == ["Query"] * (WINDOW_MINUTES + 1)

        item = aws.dynamodb.get_item(
            TableName=table, Key={"pk": {"S": PK_PREFIX + "2026-03-04T12:00"}, "sk": {"S": "e0"}},
        )["Item"]
        assert int(item["expires_at"]["N"]) == int(NOW.timestamp()) + KEEP_MINUTES * 60
