"""An admin removes the sample content: its seeded usage goes with it, what people really did
stays, and the dashboard reads as if the samples had never been there."""

from __future__ import annotations

from datetime import timedelta

from scripts import seed_demo
from services.analytics.dashboards import Preset
from services.analytics.tables import DELETED_ITEMS, Filters
from services.bootstrap import Services
from services.content.samples import load_samples
from services.domain.analytics import Event, EventType
from services.domain.models import ContentDraft, ContentItem, SearchQuery, Status, utcnow
from services.domain.permissions import Actor


def own_item(services: Services, author: Actor) -> ContentItem:
    draft = ContentDraft(title="직접 만든 데모", summary="요약", body="본문", category="Finance",
                         tags=(), status=Status.PUBLISHED)
    return services.content.create(draft, [], author)


def real_view(n: int, item: ContentItem) -> Event:
    """A visitor's content view an hour ago (not sample traffic)."""
    return Event(id=f"real-{n}", ts=utcnow() - timedelta(hours=1), type=EventType.CONTENT_VIEW,
                 session_id=f"visitor-{n}", content_id=item.id, category=str(item.category),
                 author_id=item.author_id)


def test_removing_the_samples_removes_their_seeded_usage(
    services: Services, author: Actor, admin: Actor
) -> None:
    load_samples(services.content, limit=3)
    own = own_item(services, author)
    seed_demo.seed_events(services, total=900, days=5, seed=7)
    sample = next(i for i in services.content.browse(SearchQuery(), admin).items if i.is_sample)
    services.ports.events.append([real_view(1, own), real_view(2, own), real_view(3, sample)])
    period = services.analytics.period(Preset.DAYS_7)
    seeded = {k.key: k for k in services.analytics.dashboard(admin, period, Filters()).kpis}
    assert seeded["content_views"].value > 100 and seeded["page_views"].value > 100

    services.content.remove_samples(admin)

    board = services.analytics.dashboard(admin, period, Filters())
    kpis = {k.key: k for k in board.kpis}
    assert kpis["content_views"].value == 3  # the real views, one of them on a removed item
    assert kpis["page_views"].value == 0 and kpis["searches"].value == 0
    assert kpis["visitors"].value == 3
    assert kpis["top_category"].value == "Finance"
    top = board.top_content
    assert top["content_id"].tolist() == [own.id, DELETED_ITEMS]
    assert top["views"].tolist() == [2, 1]
    # Seeded traffic went to sample items only: the own item's counter never moved.
    assert services.content.get(own.id, author).views == 0
