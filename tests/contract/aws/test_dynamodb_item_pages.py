"""The item and author pages on DynamoDB (moto): Queries per day read, whatever the number of
events, and never a Scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest

from services.analytics.dashboards import Period
from services.analytics.item_pages import author_page, item_page
from services.analytics.synthetic import ContentRef
from tests.contract.aws.test_dynamodb_events import CallLog, make_store, views
from tests.contract.aws_backends import MockedAws, mocked_aws, one_backup_per_transaction
from tests.contract.test_event_store_item_pages import as_item

PERIOD = Period(date(2026, 1, 5), date(2026, 4, 4))  # 90 days; the events fall on 1-3 Feb


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with one_backup_per_transaction(), mocked_aws() as mocked:
        yield mocked


def test_item_and_author_pages_cost_queries_per_day(aws: MockedAws) -> None:
    store = make_store(aws)
    store.append(views(60, days=3, prefix="a"))
    calls = CallLog(aws.dynamodb)

    few = item_page(store, PERIOD, "c1", None)
    item_calls = Counter(calls.operations)
    calls.operations.clear()
    author_page(store, PERIOD, "a1", [as_item(ContentRef("c1", "Finance", "a1"))])
    author_calls = Counter(calls.operations)
    store.append(views(600, days=3, prefix="b"))
    calls.operations.clear()
    many = item_page(store, PERIOD, "c1", None)

    # The item page: one Query per day of the period and the previous one (the per-item rows),
    # then per day of the period one Query per breakdown (search terms, purposes, sources)
    # narrowed to the item's own rows; the author page: the per-day rows, and the period's
    # days again for its per-item sums (two reads, which SQLite keeps summed per closed day).
    item_queries, author_queries = 2 * PERIOD.days + 3 * PERIOD.days, 3 * PERIOD.days
    assert item_calls == {"Query": item_queries}
    assert author_calls == {"Query": author_queries}
    assert Counter(calls.operations) == {"Query": item_queries}
    assert (few.totals.views, many.totals.views) == (12, 132)
