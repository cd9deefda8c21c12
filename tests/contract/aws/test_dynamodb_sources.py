"""The sources and devices tables in aws mode: one Query per day each, never a Scan, however
many visits the days hold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from services.analytics.source_stats import devices, sources
from services.analytics.tables import Catalog
from tests.contract.aws.test_dynamodb_events import CallLog, make_store
from tests.contract.aws_backends import MockedAws, mocked_aws, one_backup_per_transaction
from tests.contract.test_event_store_sources import PERIOD, visit_events


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with one_backup_per_transaction(), mocked_aws() as mocked:
        yield mocked


def test_source_and_device_tables_cost_one_query_per_day_each(aws: MockedAws) -> None:
    store = make_store(aws)
    store.append(visit_events(10, seed=1))
    calls = CallLog(aws.dynamodb)
    sources(store, PERIOD, Catalog)
    devices(store, PERIOD)
    few = Counter(calls.operations)

    store.append(visit_events(80, seed=2))
    calls.operations.clear()
    sources(store, PERIOD, Catalog)
    devices(store, PERIOD)

    assert Counter(calls.operations) == few == {"Query": 2 * PERIOD.days}
