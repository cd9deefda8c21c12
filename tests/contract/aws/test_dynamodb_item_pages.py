"""The item and author pages on DynamoDB (moto): one Query per day of the period and of the
previous period, whatever the number of events, and never a Scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest

from services.analytics.dashboards import Period
from services.analytics.item_pages import author_page, item_page
from tests.contract.aws.test_dynamodb_events import CallLog, make_store, views
from tests.contract.aws_backends import MockedAws, mocked_aws, one_backup_per_transaction

PERIOD = Period(date(2026, 1, 5), date(2026, 4, 4))  # 90 days; the events fall on 1-3 Feb


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with one_backup_per_transaction(), mocked_aws() as mocked:
        yield mocked


def test_item_and_author_pages_cost_one_query_per_day(aws: MockedAws) -> None:
    store = make_store(aws)
    store.append(views(60, days=3, prefix="a"))
    calls = CallLog(aws.dynamodb)

    few = item_page(store, PERIOD, "c1", None)
    author_page(store, PERIOD, "a1", [])
    first = Counter(calls.operations)
    store.append(views(600, days=3, prefix="b"))
    calls.operations.clear()
    many = item_page(store, PERIOD, "c1", None)

    days = 2 * PERIOD.days  # the period and the previous one
    assert first == {"Query": 2 * days} and "Scan" not in first
    assert Counter(calls.operations) == {"Query": days}
    assert (few.totals.views, many.totals.views) == (12, 132)
