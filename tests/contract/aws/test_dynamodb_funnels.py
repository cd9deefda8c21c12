"""DynamoDB funnels stay bounded by days: a funnel's numbers are one Query per day of the
period, ingest and sample removal never Scan, and nothing lands in a table of its own; a
back-fill cut off by throttling is finished by running it again, and a funnel stored before
back-fills were marked reads as back-filled."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from services.adapters.aws.dynamodb.funnels import DynamoFunnelStore
from services.analytics.dashboards import Period
from services.analytics.funnels import item_funnel_reports
from services.bootstrap import build_aws_ports
from services.domain.funnels import ITEM_DOWNLOAD, in_order, item_funnel, reference_counts
from services.errors import ConflictError, NotFound, QuotaExceeded
from tests.contract.aws_backends import MockedAws, mocked_aws, one_backup_per_transaction
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_funnel_store import (
    CLAIM_AT,
    DAY,
    HOME_DOWNLOAD,
    known_visits,
    saved_funnel,
)
from tests.doubles.aws_faults import Fault, inject


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with one_backup_per_transaction(), mocked_aws() as mocked:
        yield mocked


@pytest.fixture
def calls(aws: MockedAws) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(event_name: str, params: dict[str, Any], **_: Any) -> None:
        seen.append((event_name.rsplit(".", 1)[1], dict(params)))

    aws.dynamodb.meta.events.register("before-parameter-build.dynamodb.*", record)
    return seen


def test_a_funnel_reads_one_query_per_day_and_never_scans(
        aws: MockedAws, calls: list[tuple[str, dict[str, Any]]]) -> None:
    store = DynamoFunnelStore(aws.dynamodb, str(aws.settings.events_table),
                              str(aws.settings.rollups_table), EVENT_TZ, 30,
                              sleep=lambda s: None)
    visits = known_visits()
    for n in range(2):
        visits.visit(f"demo{n}", ("home", 0), ("content_view", 1), sample=True)
    store.ingest(visits.events)
    store.remove_samples()
    calls.clear()

    counts = store.counts(HOME_DOWNLOAD.id, 3, DAY - timedelta(days=29), DAY)

    assert counts == [8, 7, 5]
    queries = [params for name, params in calls if name == "Query"]
    assert len(queries) == 30 and len(calls) == 30
    assert {q["TableName"] for q in queries} == {aws.settings.rollups_table}


def test_ingest_and_sample_removal_never_scan(
        aws: MockedAws, calls: list[tuple[str, dict[str, Any]]]) -> None:
    store = DynamoFunnelStore(aws.dynamodb, str(aws.settings.events_table),
                              str(aws.settings.rollups_table), EVENT_TZ, 30,
                              sleep=lambda s: None)
    visits = known_visits()
    visits.visit("demo", ("home", 0), ("content_view", 1), sample=True)
    store.ingest(visits.events)
    store.ingest(visits.events)
    store.remove_samples()

    names = {name for name, _ in calls}
    assert "Scan" not in names
    tables = {params.get("TableName") for _, params in calls} - {None}
    assert tables <= {aws.settings.events_table, aws.settings.rollups_table}


def test_a_visit_is_kept_as_long_as_its_events_can_be_delivered_again(aws: MockedAws) -> None:
    """The TTL follows the raw events' retention: an import re-run within it finds the visit's
    cursor and counts nothing twice."""
    store = DynamoFunnelStore(aws.dynamodb, str(aws.settings.events_table),
                              str(aws.settings.rollups_table), EVENT_TZ, 30,
                              sleep=lambda s: None)
    visits = known_visits()
    store.ingest(visits.events)

    item = aws.dynamodb.get_item(TableName=str(aws.settings.events_table), Key={
        "pk": {"S": f"funnel#{HOME_DOWNLOAD.id}#s-ok0"}, "sk": {"S": "v"}})["Item"]
    started = visits.events[0].ts
    expected = started + HOME_DOWNLOAD.window + timedelta(days=30)
    assert int(item["expires_at"]["N"]) == int(expected.timestamp())


def test_the_aws_wiring_counts_funnels_as_events_are_appended(aws: MockedAws) -> None:
    ports = build_aws_ports(aws.settings)
    assert ports.funnels is not None
    events = known_visits().events

    ports.events.append(events)
    ports.events.append(events)  # a retried batch

    assert ports.funnels.counts(HOME_DOWNLOAD.id, 3, DAY, DAY) == [8, 7, 5]


def test_an_items_funnels_read_one_query_per_day_and_leave_no_sample_visit(
        aws: MockedAws, calls: list[tuple[str, dict[str, Any]]]) -> None:
    store = DynamoFunnelStore(aws.dynamodb, str(aws.settings.events_table),
                              str(aws.settings.rollups_table), EVENT_TZ, 30,
                              sleep=lambda s: None)
    visits = known_visits()  # content views and downloads of "item-1"
    visits.visit("demo", ("content_view", 0), ("download", 1), sample=True)
    store.ingest(visits.events)
    store.remove_samples()
    sample_pk = f"funnel-sample#{item_funnel(ITEM_DOWNLOAD, 'item-1').id}"
    left = aws.dynamodb.query(
        TableName=str(aws.settings.events_table), KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": sample_pk}})["Items"]
    assert left == []
    calls.clear()

    reports = item_funnel_reports(store, "item-1", Period(DAY - timedelta(days=6), DAY))

    real = [e for e in visits.events if not e.sample]
    assert [row.visits for row in reports[0].rows] == [8, 7] == reference_counts(
        item_funnel(ITEM_DOWNLOAD, "item-1"), real, EVENT_TZ, DAY - timedelta(days=6), DAY)
    queries = [params for name, params in calls if name == "Query"]
    # Two funnels, each this period and the previous one: one Query per day.
    assert len(queries) == 2 * 2 * 7 and len(calls) == len(queries)
    assert {q["TableName"] for q in queries} == {aws.settings.rollups_table}


def _store(aws: MockedAws) -> DynamoFunnelStore:
    return DynamoFunnelStore(aws.dynamodb, str(aws.settings.events_table),
                             str(aws.settings.rollups_table), EVENT_TZ, 30,
                             sleep=lambda s: None)


def test_a_back_fill_throttled_part_way_is_finished_by_running_it_again(aws: MockedAws) -> None:
    """Each visit is its own write: the throttle stops the back-fill in the middle of a chunk,
    some visits counted and some not."""
    store = _store(aws)
    funnel = replace(saved_funnel(), backfilled=False)
    store.save(funnel)
    events = in_order(known_visits().events)
    throttle = Fault("TransactWriteItems", "ProvisionedThroughputExceededException", 400,
                     skip=3)
    inject(aws.dynamodb, throttle)

    with pytest.raises(QuotaExceeded):
        store.backfill(funnel, events)
    assert 0 < store.counts(funnel.id, 2, DAY, DAY)[0] < 8
    throttle.heal()
    store.backfill(funnel, events)

    assert store.counts(funnel.id, 2, DAY, DAY) == reference_counts(
        funnel, events, EVENT_TZ, DAY, DAY) == [8, 5]


def test_a_funnel_stored_before_back_fills_were_marked_reads_as_back_filled(
        aws: MockedAws) -> None:
    store = _store(aws)
    store.save(saved_funnel())
    aws.dynamodb.update_item(TableName=str(aws.settings.events_table),
                             Key={"pk": {"S": "funnels"}, "sk": {"S": "f1"}},
                             UpdateExpression="REMOVE backfilled")

    assert store.get("f1") == saved_funnel()
    assert not store.claim_backfill("f1", CLAIM_AT, CLAIM_AT + timedelta(minutes=10))


def test_a_funnel_stored_before_names_were_claimed_is_deleted_and_its_name_freed(
        aws: MockedAws) -> None:
    store = _store(aws)
    store.save(saved_funnel())
    aws.dynamodb.delete_item(TableName=str(aws.settings.events_table),
                             Key={"pk": {"S": "funnel-names"}, "sk": {"S": "ana#financedownloads"}})

    store.delete("f1")

    with pytest.raises(NotFound):
        store.get("f1")
    store.save(replace(saved_funnel(), id="f2"))  # the name is free (and now claimed)
    with pytest.raises(ConflictError):
        store.save(replace(saved_funnel(), id="f3"))
