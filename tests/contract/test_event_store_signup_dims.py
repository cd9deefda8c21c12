"""EventStore contract, sign-up dimensions: the company and the signed-up purpose a signed-in
user's events carry are rolled up at ingest and read back by day, on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.domain.analytics import (
    OTHER_COMPANY,
    WHOLE_DAY,
    Dim,
    Event,
    EventType,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 10:00 in Seoul on 2 March
DAY = date(2026, 3, 2)
PV, CV, VP = EventType.PAGE_VIEW, EventType.CONTENT_VIEW, EventType.VISITOR_PURPOSE
HYPERLINK = '=HYPERLINK("http://evil.example","x")#1|2'  # separators some keys use, too


def ev(event_id: str, type_: EventType, **properties: Any) -> Event:
    fields: dict[str, Any] = {"page": "home"} if type_ is PV else {
        "content_id": "c1", "category": "Finance", "author_id": "a1"} if type_ is CV else {}
    return Event(id=event_id, ts=T0 + timedelta(minutes=int(event_id[1:])), type=type_,
                 session_id="s1", user_id="kim", properties=properties, **fields)


STREAM = [
    ev("e01", VP, purpose="customer-demo", source="profile"),
    ev("e02", PV, company="ACME 주식회사", visit=True),
    ev("e03", PV, company="ACME 주식회사"),
    ev("e04", CV, company="ACME 주식회사"),
    ev("e05", PV, company=HYPERLINK, visit=True),
    ev("e06", CV, company=OTHER_COMPANY, visit=True),
    ev("e07", VP, purpose="research"),  # answered when asked: not a signed-up purpose
]


def counts(store: Any, dim: Dim) -> dict[tuple[EventType, str], int]:
    rows = store.rollups(DAY, DAY, dims=[dim])
    assert all(row.key.day == DAY and row.key.hour == WHOLE_DAY for row in rows)
    return {(row.key.type, row.key.value): row.count for row in rows}


def test_company_rows_count_page_views_content_views_and_visits(event_store: Any) -> None:
    assert len(event_store.append(STREAM)) == len(STREAM)

    assert counts(event_store, Dim.COMPANY) == {
        (PV, "ACME 주식회사"): 2, (CV, "ACME 주식회사"): 1, (PV, HYPERLINK): 1,
        (CV, OTHER_COMPANY): 1,
    }
    assert counts(event_store, Dim.COMPANY_VISIT) == {
        (PV, "ACME 주식회사"): 1, (PV, HYPERLINK): 1, (CV, OTHER_COMPANY): 1,
    }


def test_signed_up_purposes_are_apart_from_the_answers(event_store: Any) -> None:
    event_store.append(STREAM)

    assert counts(event_store, Dim.SIGNUP_PURPOSE) == {(VP, "customer-demo"): 1}
    assert counts(event_store, Dim.PURPOSE) == {(VP, "research"): 1}
    # Both are visitor_purpose events all the same.
    assert event_store.rollups(DAY, DAY, types=[VP], dims=[Dim.ALL])[0].count == 2


def test_events_without_a_company_add_no_company_rows(event_store: Any) -> None:
    event_store.append([ev("x01", PV), ev("x02", CV, company=""), ev("x03", EventType.SEARCH,
                                                                      company="ACME")])

    assert counts(event_store, Dim.COMPANY) == {}
    assert counts(event_store, Dim.COMPANY_VISIT) == {}
    # Re-appending the same ids counts nothing twice.
    event_store.append(STREAM)
    event_store.append(STREAM)
    assert counts(event_store, Dim.COMPANY)[(PV, "ACME 주식회사")] == 2
