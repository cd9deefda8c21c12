"""scripts/seed_demo.py: sample content, then exactly the asked number of synthetic events,
whose views and likes also move the items' counters (SQLite and DynamoDB on moto), so cards
and dashboards agree; none of them before an item existed or after now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts import seed_demo
from services.analytics.companies import companies
from services.analytics.counters import Stored
from services.analytics.dashboards import Period, content_stats, kpis, purposes
from services.analytics.item_pages import item_page
from services.analytics.synthetic import ContentRef
from services.analytics.tables import Filters, load_catalog
from services.bootstrap import Services, build_services
from services.domain.analytics import (
    COMPANY_PROP,
    FROM_PROFILE,
    SOURCE_PROP,
    VISIT_PROP,
    VISIT_PURPOSE_PROP,
    EventType,
    Purpose,
    Segment,
    SegmentKind,
)
from services.domain.models import ContentItem, SearchQuery
from services.ports import ContentRepository, EventStore
from services.settings import load_settings
from tests.contract import aws_backends, local_backends
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_content_repository import make_item

NOW = datetime(2026, 3, 15, 3, 30, tzinfo=UTC)  # 12:30 in the stores' zone (Seoul)
TOTAL = 600  # moto takes about 60 ms an event
@pytest.fixture(params=["dynamodb", "sqlite"])
def stores(request: pytest.FixtureRequest,
           tmp_path: Path) -> Iterator[tuple[ContentRepository, EventStore]]:
    with ExitStack() as stack:
        if request.param == "dynamodb":
            # Both tables in one moto (the contract factories each start their own).
            aws = stack.enter_context(aws_backends.mocked_aws())
            stack.enter_context(aws_backends.one_backup_per_transaction())
            yield _dynamo(aws)
        else:
            yield (stack.enter_context(local_backends.sqlite_content_repo(tmp_path / "c")),
                   stack.enter_context(local_backends.sqlite_event_store(tmp_path / "e")))


def _dynamo(aws: Any) -> tuple[ContentRepository, EventStore]:
    from services.adapters.aws.dynamodb.content import DynamoContentRepository
    from services.adapters.aws.dynamodb.events import DynamoEventStore

    settings = aws.settings
    return (DynamoContentRepository(aws.dynamodb, str(settings.content_table),
                                    str(settings.likes_table)),
            DynamoEventStore(aws.dynamodb, str(settings.events_table),
                             str(settings.rollups_table), EVENT_TZ,
                             local_backends.EVENT_RETENTION_DAYS, shards=4,
                             sleep=lambda seconds: None))


def _items(repo: ContentRepository) -> list[ContentItem]:
    items = [make_item(f"item-{i}", author_id=f"author-{i % 2}",
                       created_at=NOW - timedelta(days=60), updated_at=NOW)
             for i in range(6)]
    # One written two days ago in the afternoon: no views of it before that.
    items.append(make_item("fresh", created_at=NOW - timedelta(days=1, hours=20),
                           updated_at=NOW))
    for item in items:
        repo.add(item)
    return items


def _seed(repo: ContentRepository, events: EventStore, items: list[ContentItem],
          total: int) -> Stored:
    refs = [ContentRef(i.id, str(i.category), i.author_id, i.created_at) for i in items]
    return seed_demo.seed_stores(repo, events, refs, total=total, days=10, tz=EVENT_TZ,
                                 seed=2026, now=NOW)


def test_counters_agree_with_the_dashboard_per_item(
        stores: tuple[ContentRepository, EventStore]) -> None:
    repo, events = stores
    items = _items(repo)

    seeded = _seed(repo, events, items, TOTAL)

    assert seeded.added == TOTAL and seeded.already == 0
    stored = list(events.raw_events(NOW - timedelta(days=400), NOW + timedelta(days=1)))
    assert len(stored) == TOTAL
    today = NOW.astimezone(EVENT_TZ).date()
    dashboard = content_stats(events, Period(today - timedelta(days=9), today), items).items
    shown = {row.content_id: (row.views, row.likes) for row in dashboard.itertuples()}
    cards = {item.id: (repo.get(item.id).views, repo.get(item.id).likes) for item in items}
    assert cards == shown
    assert sum(likes for _, likes in cards.values()) > 5  # likes reach the cards too
    assert seeded.views == sum(views for views, _ in cards.values())
    created = {item.id: item.created_at for item in items}
    assert all(e.ts >= created[e.content_id] for e in stored if e.content_id)
    assert max(e.ts for e in stored) <= NOW

    again = _seed(repo, events, items, TOTAL)  # the same events: nothing new, nothing moves

    assert (again.added, again.already) == (0, TOTAL)
    assert {item.id: (repo.get(item.id).views, repo.get(item.id).likes)
            for item in items} == cards


def test_the_seeded_visits_fill_every_split_the_app_records(
        stores: tuple[ContentRepository, EventStore]) -> None:
    """Every event of a seeded visit carries what the app stamps on a real visit's: the
    dashboard's purpose filter counts each purpose's content views, an item's page lists the
    purposes of its views, and the companies and sign-up purposes of signed-in users are
    counted (all of these showed nothing on the demo data)."""
    repo, events = stores
    items = _items(repo)
    _seed(repo, events, items, TOTAL // 2)
    stored = list(events.raw_events(NOW - timedelta(days=400), NOW + timedelta(days=1)))
    views = [e for e in stored if e.type is EventType.CONTENT_VIEW]
    by_purpose = Counter(e.properties.get(VISIT_PURPOSE_PROP) for e in views)
    today = NOW.astimezone(EVENT_TZ).date()
    period = Period(today - timedelta(days=9), today)
    catalog = load_catalog(repo)
    shown = {}
    for purpose in Purpose:
        tiles = kpis(events, period, Filters(segment=Segment(SegmentKind.PURPOSE, purpose.value)),
                     catalog)
        shown[purpose.value] = next(k.value for k in tiles if k.key == "content_views")
    assert shown == {p.value: by_purpose[p.value] for p in Purpose}
    assert sum(shown.values()) > len(views) / 2  # most visits answer; a skip stays unknown
    top = Counter(e.content_id for e in views).most_common(1)[0][0]
    page = item_page(events, period, str(top), repo.get(str(top)))
    listed = dict(zip(page.purposes["value"], page.purposes["views"], strict=True))
    assert listed == {p: n for p, n in Counter(
        e.properties.get(VISIT_PURPOSE_PROP) for e in views if e.content_id == top).items()
        if p is not None}
    assert listed

    by_company = companies(events, period)
    visits = Counter(e.properties[COMPANY_PROP] for e in stored
                     if COMPANY_PROP in e.properties and e.properties.get(VISIT_PROP))
    assert dict(zip(by_company["company"], by_company["visitors"], strict=True)) == visits
    assert len(visits) > 1
    looked_up = Counter(e.properties["purpose"] for e in stored
                        if e.properties.get(SOURCE_PROP) == FROM_PROFILE)
    signed_up = purposes(events, period).signed_up
    assert dict(zip(signed_up["purpose"], signed_up["count"], strict=True)) == looked_up
    assert looked_up


def _cards(services: Services) -> dict[str, tuple[int, int]]:
    found = services.ports.content.search(SearchQuery(status=None, page_size=50))
    return {item.id: (item.views, item.likes) for item in found.items}


def test_the_script_adds_exactly_the_asked_number_and_cards_agree(
        script_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert seed_demo.main(["--contents", "4", "--events", "3000", "--days", "5"]) == 0
    out = capsys.readouterr().out
    assert "3,000 added" in out

    services = build_services(load_settings())
    items = services.ports.content.search(SearchQuery(status=None, page_size=50)).items
    today = services.analytics.today()
    stats = content_stats(services.ports.events, Period(today - timedelta(days=4), today),
                          items).items
    assert stats["views"].sum() > 100  # the samples existed before the period: views all along
    assert _cards(services) == {row.content_id: (row.views, row.likes)
                                for row in stats.itertuples()}

    assert seed_demo.main(["--contents", "4", "--events", "3000", "--days", "5"]) == 0
    out = capsys.readouterr().out
    assert "already there" in out
    assert _cards(services) == {row.content_id: (row.views, row.likes) for row in content_stats(
        services.ports.events, Period(today - timedelta(days=4), today), items
    ).items.itertuples()}
