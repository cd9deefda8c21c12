"""The synthetic event generator: deterministic, realistic in shape, valid for rollups."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ulid import ULID

from services.analytics.synthetic import ContentRef, synthetic_events
from services.analytics.synthetic_users import synthetic_user
from services.analytics.synthetic_visits import ulid_text
from services.domain.analytics import (
    COMPANY_PROP,
    FROM_PROFILE,
    SOURCE_PROP,
    VISIT_PROP,
    VISIT_PURPOSE_PROP,
    EventType,
    Purpose,
    local_day_hour,
)
from services.i18n.labels import is_app_page

SEOUL = ZoneInfo("Asia/Seoul")
END = date(2026, 3, 15)  # a Sunday
CONTENTS = [ContentRef(f"c{i:02d}", ["Finance", "Retail/CPG", "ETC"][i % 3], f"a{i % 4}")
            for i in range(30)]


def generate(total: int = 6000, days: int = 14, **options: object) -> list:
    return list(synthetic_events(CONTENTS, total=total, days=days, end=END, tz=SEOUL,
                                 **options))  # type: ignore[arg-type]


def test_the_same_arguments_give_the_same_events() -> None:
    first, again = generate(), generate()

    assert [e.id for e in first] == [e.id for e in again]
    assert first == again
    assert {e.id for e in generate(seed=7)}.isdisjoint({e.id for e in first})


def test_exactly_the_asked_number_of_events_within_the_local_days() -> None:
    events = generate()

    days = {local_day_hour(e.ts, SEOUL)[0] for e in events}
    assert len(events) == 6000 and len({e.id for e in events}) == 6000
    assert min(days) >= END - timedelta(days=13) and max(days) <= END + timedelta(days=1)
    assert all(e.ts.tzinfo is not None for e in events)


def test_ids_are_ulids_of_the_event_time() -> None:
    rng = random.Random(3)
    for _ in range(500):
        millis, bits = rng.getrandbits(48), rng.getrandbits(80)
        assert ulid_text(millis, bits) == str(ULID.from_int((millis << 80) | bits))
    for event in generate(total=200, days=2):
        assert ULID.from_str(event.id).timestamp == round(event.ts.timestamp(), 3)


def test_traffic_has_a_daily_and_weekly_rhythm() -> None:
    events = generate(total=20_000, days=28)
    hours = Counter(local_day_hour(e.ts, SEOUL)[1] for e in events)
    weekdays = Counter(local_day_hour(e.ts, SEOUL)[0].weekday() for e in events)

    assert hours[10] > 5 * hours[3] and hours[15] > 5 * hours[4]
    assert weekdays[1] > 1.6 * weekdays[6]  # Tuesdays are busier than Sundays


def test_popularity_is_skewed_and_sessions_look_like_visits() -> None:
    events = generate(total=20_000, days=14)
    views = Counter(e.content_id for e in events if e.type == EventType.CONTENT_VIEW)
    by_session = Counter(e.session_id for e in events)
    purposes = Counter(e.properties["purpose"] for e in events
                       if e.type == EventType.VISITOR_PURPOSE)
    asked = Counter(e.properties["purpose"] for e in events
                    if e.type == EventType.VISITOR_PURPOSE and SOURCE_PROP not in e.properties)
    sessions_with_purpose = sum(purposes.values())

    top, *_, bottom = [n for _, n in views.most_common()]
    assert top > 10 * bottom
    assert 3 < len(events) / len(by_session) < 12
    assert 0.25 < asked[Purpose.SKIPPED.value] / sum(asked.values()) < 0.35
    # Each day ends at its last event: a visit begun just before may lose its later steps.
    assert len(by_session) - 14 <= sessions_with_purpose <= len(by_session)
    assert all(e.user_id for e in events if e.type == EventType.LOGIN)


def test_searches_include_korean_and_zero_result_terms() -> None:
    searches = [e.properties for e in generate(total=20_000) if e.type == EventType.SEARCH]

    assert any(p["results"] == 0 for p in searches)
    assert any(p["results"] > 0 for p in searches)
    assert any("생성형" in p["query"] for p in searches)
    assert any(p["query"].strip().lower() == "bedrock" for p in searches)


def test_exactly_the_asked_number_and_nothing_after_now() -> None:
    """Today counts only up to now (its share of the traffic shrinks to the hours gone by),
    so the whole number asked for is there, none of it in the future."""
    noon = datetime(2026, 3, 15, 3, 0, tzinfo=UTC)  # 12:00 in Seoul, on the last day
    events = list(synthetic_events(CONTENTS, total=3000, days=3, end=END, tz=SEOUL, now=noon))
    again = list(synthetic_events(CONTENTS, total=3000, days=3, end=END, tz=SEOUL, now=noon))

    assert len(events) == 3000 and len({e.id for e in events}) == 3000
    assert max(e.ts for e in events) <= noon
    assert any(local_day_hour(e.ts, SEOUL)[0] == END for e in events)  # today has its morning
    assert events == again


def test_no_event_for_an_item_before_it_was_created() -> None:
    start = datetime(2026, 3, 1, tzinfo=SEOUL)
    old = [ContentRef(f"old{i}", "Finance", "a1", start - timedelta(days=30)) for i in range(5)]
    # Created on the second-to-last day in the afternoon, and today at noon (the run's "now").
    late = ContentRef("late", "ETC", "a2", datetime(2026, 3, 14, 15, 30, tzinfo=SEOUL))
    new = ContentRef("new", "ETC", "a2", datetime(2026, 3, 15, 11, 0, tzinfo=SEOUL))
    now = datetime(2026, 3, 15, 12, 0, tzinfo=SEOUL)
    created = {ref.id: ref.created_at for ref in [*old, late, new]}
    events = list(synthetic_events([late, new, *old], total=20_000, days=14, end=END,
                                   tz=SEOUL, now=now))

    about_items = [e for e in events if e.content_id]
    assert len(events) == 20_000
    assert all(e.ts >= created[e.content_id] for e in about_items)  # type: ignore[index,operator]
    assert {e.content_id for e in about_items} >= {"late", "old0"}  # views once it exists
    assert max(e.ts for e in events) <= now


def test_likes_are_changes_by_signed_in_visitors() -> None:
    """A like is of an item the visitor has not liked yet, an unlike of one they have: what the
    like button allows, so the item counters can follow the events one by one."""
    events = generate(total=40_000, days=28)
    liked: set[tuple[str | None, str | None]] = set()
    likes = unlikes = 0
    for event in events:
        key = (event.user_id, event.content_id)
        if event.type == EventType.LIKE:
            assert event.user_id and key not in liked, event
            liked.add(key)
            likes += 1
        elif event.type == EventType.UNLIKE:
            assert event.user_id and key in liked, event
            liked.discard(key)
            unlikes += 1
    assert likes > 300 and unlikes > 0


def test_no_events_for_nothing() -> None:
    assert generate(total=0) == [] and generate(days=0) == []


def test_sample_page_views_are_of_the_apps_own_pages() -> None:
    """A search on the app is the browse page with a query: no page the app does not have
    (its raw name would show in the insights' drivers and the live panel)."""
    pages = {e.page for e in generate() if e.type is EventType.PAGE_VIEW}
    assert "browse" in pages
    assert {page for page in pages if not is_app_page(page)} == set()


def test_a_visit_s_answer_reaches_its_later_events_as_the_app_stamps_them() -> None:
    """The app stamps every event of a visit with its purpose (``vp``) from the answer on, so
    that every number can be split by it; the seeded visits carried it on no event, and the
    item pages' purposes and the dashboard's purpose filter showed nothing on the demo data."""
    by_session: dict[str, list] = {}
    for event in generate(total=6000):
        by_session.setdefault(event.session_id, []).append(event)
    answered = skipped = 0
    for visit in by_session.values():
        answers = [i for i, e in enumerate(visit) if e.type == EventType.VISITOR_PURPOSE]
        if not answers:  # the day ended before the visit's answer
            assert all(VISIT_PURPOSE_PROP not in e.properties for e in visit)
            continue
        first = answers[0]
        given = visit[first].properties["purpose"]
        assert all(VISIT_PURPOSE_PROP not in e.properties for e in visit[:first])
        later = [e.properties.get(VISIT_PURPOSE_PROP) for e in visit[first:]]
        if given == Purpose.SKIPPED.value:  # a skip is not a purpose: the visit stays unknown
            assert later == [None] * len(later)
            skipped += 1
        else:
            assert later == [given] * len(later)
            answered += 1
    assert answered > 2 * skipped > 0
    views = [e for e in generate(total=6000) if e.type == EventType.CONTENT_VIEW]
    assert {"q", "item_visit"} & set().union(*(e.properties for e in views))  # trail kept


def _visits(events: list) -> dict[str, list]:
    found: dict[str, list] = {}
    for event in events:
        found.setdefault(event.session_id, []).append(event)
    return found


def test_new_users_join_through_the_period() -> None:
    """All signed-in users were active from the first days, so the weekly cohorts (users by
    their first active week) had rows for the first two or three weeks of 13 and none after."""
    events = generate(total=40_000, days=56)
    first_seen: dict[str, date] = {}
    for event in events:
        if event.user_id:
            first_seen.setdefault(event.user_id, local_day_hour(event.ts, SEOUL)[0])
    start = END - timedelta(days=55)
    weeks = Counter((day - start).days // 7 for day in first_seen.values())
    assert sorted(weeks) == list(range(8))  # a cohort starts in every week
    assert weeks[0] > weeks[7] > 0  # the users of the first day, then newcomers


def test_signed_in_visits_carry_what_their_profile_says() -> None:
    """As the analytics service stamps them: a user's company on every event of theirs and the
    visit mark on the first; a purpose given at sign-up looked up at their first event (source
    "profile"), on every later event, and not asked."""
    companies = profiled = 0
    for visit in _visits(generate(total=20_000)).values():
        user_id = next((e.user_id for e in visit if e.user_id), None)
        if user_id is None:
            assert all(COMPANY_PROP not in e.properties for e in visit)
            continue
        user = synthetic_user(int(user_id.removeprefix("user")))
        theirs = [e for e in visit if e.user_id]
        # The looked-up purpose is recorded beside their events, without the company.
        stamped = [e for e in theirs if e.properties.get(SOURCE_PROP) != FROM_PROFILE]
        assert [e.properties.get(COMPANY_PROP) for e in stamped] == [
            user.company or None] * len(stamped)
        marked = [e for e in stamped if e.properties.get(VISIT_PROP) and COMPANY_PROP in
                  e.properties]
        assert len(marked) == (1 if user.company else 0)
        companies += bool(user.company)
        answers = [e for e in visit if e.type == EventType.VISITOR_PURPOSE]
        if user.purpose is None:
            assert all(SOURCE_PROP not in e.properties for e in answers)
            continue
        profiled += 1
        assert [(e.properties["purpose"], e.properties[SOURCE_PROP]) for e in answers] == [
            (user.purpose.value, FROM_PROFILE)]
        assert theirs[0] is answers[0]  # looked up first
        assert all(e.properties[VISIT_PURPOSE_PROP] == user.purpose.value for e in theirs)
    assert companies > 50 and profiled > 30
