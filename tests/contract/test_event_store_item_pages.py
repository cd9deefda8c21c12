"""EventStore contract, the item and author pages: what they read from the day rollups equals
the same numbers computed from the raw events, on every backend, and sample events leave
nothing behind."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.analytics.dashboards import Period
from services.analytics.item_pages import author_page, item_page
from services.analytics.synthetic import ContentRef, synthetic_events
from services.domain.analytics import (
    ITEM_VISIT_PROP,
    SEARCH_TERM_PROP,
    Event,
    EventType,
    local_day_hour,
    normalize_term,
)
from services.domain.models import Category, ContentItem, Status
from tests.contract.local_backends import EVENT_TZ

END = date(2026, 3, 14)
PERIOD = Period(date(2026, 3, 10), END)  # the previous period: 5 to 9 March
CONTENTS = [ContentRef(f"c{i}", str(list(Category)[i % 3]), f"author-{i % 2}") for i in range(4)]
T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 10:00 in Seoul
CV = EventType.CONTENT_VIEW


def as_item(ref: ContentRef) -> ContentItem:
    return ContentItem(id=ref.id, title=ref.id, summary="", body="",
                       category=Category(ref.category), tags=(), author_id=ref.author_id,
                       author_name=ref.author_id, status=Status.PUBLISHED, created_at=T0,
                       updated_at=T0)


def local_day(event: Event) -> date:
    return local_day_hour(event.ts, EVENT_TZ)[0]


def raw_numbers(events: list[Event], ids: set[str], period: Period) -> dict[str, Counter[date]]:
    """Per metric and local day, from raw events alone: visitors are distinct sessions per
    item and day."""
    found: dict[str, Counter[date]] = {m: Counter() for m in ("views", "visitors", "likes",
                                                               "downloads")}
    visits: set[tuple[date, str, str]] = set()
    for event in events:
        day = local_day(event)
        if event.content_id not in ids or not period.start <= day <= period.end:
            continue
        if event.type is CV:
            found["views"][day] += 1
            visits.add((day, event.session_id, event.content_id))
        elif event.type is EventType.LIKE:
            found["likes"][day] += 1
        elif event.type is EventType.UNLIKE:
            found["likes"][day] -= 1
        elif event.type is EventType.DOWNLOAD:
            found["downloads"][day] += 1
    for day, _, _ in visits:
        found["visitors"][day] += 1
    return found


def raw_terms(events: list[Event], content_id: str, period: Period) -> dict[str, int]:
    """The last search of the view's session before the view, per content view."""
    last: dict[str, str] = {}
    terms: Counter[str] = Counter()
    for event in sorted(events, key=lambda e: (e.ts, e.id)):
        if event.type is EventType.SEARCH:
            last[event.session_id] = normalize_term(str(event.properties["query"]))
        elif (event.type is CV and event.content_id == content_id
              and period.start <= local_day(event) <= period.end
              and event.session_id in last):
            terms[last[event.session_id]] += 1
    return dict(terms)


def stream(sample: bool = False) -> list[Event]:
    return list(synthetic_events(CONTENTS, total=500, days=10, end=END, tz=EVENT_TZ,
                                 sample=sample))


def test_item_page_equals_the_raw_events(event_store: Any) -> None:
    events = stream()
    event_store.append(events)

    pages = [item_page(event_store, PERIOD, ref.id, as_item(ref)) for ref in CONTENTS]
    for ref, page in zip(CONTENTS, pages, strict=True):

        for window, prefix in ((PERIOD, ""), (PERIOD.previous(), "prev_")):
            raw = raw_numbers(events, {ref.id}, window)
            days = page.daily[f"{prefix}day"].tolist()
            for metric, counts in raw.items():
                assert page.daily[f"{prefix}{metric}"].tolist() == [counts[d] for d in days]
        assert dict(zip(page.search_terms["value"], page.search_terms["views"],
                        strict=True)) == raw_terms(events, ref.id, PERIOD)
    # Not a vacuous comparison: some visits view an item twice, some views follow a search.
    assert any(p.totals.views > p.totals.visitors > 0 for p in pages)
    assert any(not p.search_terms.empty for p in pages)


def test_author_page_equals_the_raw_events(event_store: Any) -> None:
    events = stream()
    event_store.append(events)
    theirs = [ref for ref in CONTENTS if ref.author_id == "author-0"]

    page = author_page(event_store, PERIOD, "author-0", [as_item(r) for r in theirs])

    raw = raw_numbers(events, {r.id for r in theirs}, PERIOD)
    assert page.daily["views"].tolist() == [raw["views"][d] for d in PERIOD.dates()]
    assert page.totals.visitors == sum(raw["visitors"].values())
    for row in page.items.to_dict("records"):
        one = raw_numbers(events, {row["content_id"]}, PERIOD)
        assert (row["views"], row["visitors"], row["likes"], row["downloads"]) == tuple(
            sum(one[m].values()) for m in ("views", "visitors", "likes", "downloads"))


def test_known_visits_terms_purposes_and_sources(event_store: Any) -> None:
    def view(n: int, session: str, **props: Any) -> Event:
        return Event(f"e{n:02d}", T0 + timedelta(minutes=n), CV, session, content_id="c1",
                     category="Finance", author_id="a1", properties=props)

    event_store.append([
        view(1, "s1", **{ITEM_VISIT_PROP: True, SEARCH_TERM_PROP: "rag", "vp": "research",
                         "src": "google"}),
        view(2, "s1", **{SEARCH_TERM_PROP: "rag", "vp": "research", "src": "google"}),
        view(3, "s2", **{ITEM_VISIT_PROP: True, "src": "=HYPERLINK(\"x\")|1"}),
        view(4, "s3", **{ITEM_VISIT_PROP: True}),
    ])

    page = item_page(event_store, PERIOD, "c1", None)

    assert (page.totals.views, page.totals.visitors) == (4, 3)
    assert page.search_terms.to_dict("records") == [{"value": "rag", "views": 2}]
    assert page.purposes.to_dict("records") == [{"value": "research", "views": 2}]
    assert page.sources.to_dict("records") == [{"value": "google", "views": 2},
                                               {"value": "=HYPERLINK(\"x\")|1", "views": 1}]


def test_sample_events_leave_the_item_page_empty_when_removed(event_store: Any) -> None:
    event_store.append(stream(sample=True))
    assert item_page(event_store, PERIOD, CONTENTS[0].id, None).totals.visitors > 0

    event_store.remove_samples()

    page = item_page(event_store, PERIOD, CONTENTS[0].id, None)
    assert page.totals == page.previous
    assert (page.totals.views, page.totals.visitors) == (0, 0) and page.search_terms.empty
