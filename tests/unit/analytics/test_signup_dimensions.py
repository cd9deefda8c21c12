"""What sign-up learned, in the usage events: a signed-in user's company (capped per day) and
their signed-up purpose, looked up once per browser session."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics.companies import companies
from services.analytics.dashboards import Period
from services.analytics.profiles import CompanyCap
from services.analytics.service import AnalyticsService
from services.domain.analytics import OTHER_COMPANY, Dim, Event, EventType
from services.domain.permissions import Actor, Role
from services.domain.rollups import rollup_keys
from services.domain.users import User
from services.errors import NotFound
from services.ui.data_table import csv_bytes

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def user(name: str, company: str = "", purpose: str = "") -> User:
    return User(username=name, name=name, email=f"{name}@example.com",
                roles=frozenset({Role.VIEWER}), created_at=NOW, company=company,
                purpose=purpose, signed_up_at=NOW if purpose else None)


class Users:
    def __init__(self, *users: User) -> None:
        self.users = {u.username: u for u in users}
        self.lookups: list[str] = []

    def get(self, username: str) -> User:
        self.lookups.append(username)
        if username not in self.users:
            raise NotFound("user")
        return self.users[username]


class ListTracker:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def track(self, event: Event) -> None:
        self.events.append(event)


def database(path: Path) -> SqliteDatabase:
    db = SqliteDatabase(path)
    db.migrate()
    return db


@pytest.fixture
def store(tmp_path: Path) -> SqliteEventStore:
    return SqliteEventStore(database(tmp_path / "a.db"), SEOUL, 36500)


def service(store: SqliteEventStore, users: Users, tracker: ListTracker, tmp_path: Path,
            companies: int = 100) -> AnalyticsService:
    repo = SqliteContentRepository(database(tmp_path / "c.db"))
    return AnalyticsService(store, repo, tracker, SEOUL, clock=lambda: NOW, find_user=users.get,
                            companies_per_day=companies)


def test_a_signed_in_users_events_carry_company_and_the_visit_mark_once(
        store: SqliteEventStore, tmp_path: Path) -> None:
    users, tracker = Users(user("kim", "ACME", "customer-demo")), ListTracker()
    analytics = service(store, users, tracker, tmp_path)
    kim = Actor("kim", roles=frozenset({Role.VIEWER}))

    for page in ("home", "browse", "detail"):
        analytics.page_view("s1", kim, page)
    analytics.page_view("s1", Actor.anonymous(), "home")

    assert users.lookups == ["kim"]  # once per session, not per event
    views = [e for e in tracker.events if e.type is EventType.PAGE_VIEW]
    assert [e.properties.get("company") for e in views] == ["ACME", "ACME", "ACME", None]
    assert [e.properties.get("visit") for e in views] == [True, None, None, None]
    purposes = [e for e in tracker.events if e.type is EventType.VISITOR_PURPOSE]
    assert [(e.properties["purpose"], e.properties["source"]) for e in purposes] == [
        ("customer-demo", "profile")]


def test_a_new_session_is_a_new_visit(store: SqliteEventStore, tmp_path: Path) -> None:
    users, tracker = Users(user("kim", "ACME", "research")), ListTracker()
    analytics = service(store, users, tracker, tmp_path)
    kim = Actor("kim")

    analytics.page_view("s1", kim, "home")
    analytics.page_view("s2", kim, "home")

    keys = [k for e in tracker.events for k in rollup_keys(e, SEOUL)]
    assert sum(k.dim is Dim.COMPANY_VISIT for k in keys) == 2
    assert sum(k.dim is Dim.SIGNUP_PURPOSE for k in keys) == 2


def test_users_without_a_profile_add_nothing(store: SqliteEventStore, tmp_path: Path) -> None:
    users, tracker = Users(user("admin")), ListTracker()
    analytics = service(store, users, tracker, tmp_path)

    analytics.page_view("s1", Actor("admin"), "home")
    analytics.page_view("s1", Actor("ghost"), "home")  # not in the directory

    assert [e.type for e in tracker.events] == [EventType.PAGE_VIEW, EventType.PAGE_VIEW]
    assert all("company" not in e.properties for e in tracker.events)
    assert analytics.signed_up_purpose("s1", Actor("admin")) is None
    assert analytics.signed_up_purpose("s1", Actor.anonymous()) is None


def test_the_signed_up_purpose_is_known_without_starting_the_visit(
        store: SqliteEventStore, tmp_path: Path) -> None:
    users, tracker = Users(user("kim", "ACME", "education-training")), ListTracker()
    analytics = service(store, users, tracker, tmp_path)

    assert analytics.signed_up_purpose("s1", Actor("kim")) == "education-training"
    assert tracker.events == []
    analytics.page_view("s1", Actor("kim"), "home")
    assert tracker.events[-1].properties.get("visit") is True


def test_companies_beyond_the_days_cap_count_as_other() -> None:
    cap = CompanyCap(None, limit=2)

    assert [cap.admit(TODAY, c) for c in ("A", "B", "C", "A", "D")] == [
        "A", "B", OTHER_COMPANY, "A", OTHER_COMPANY]
    # A new day starts a new set.
    assert cap.admit(date(2026, 3, 11), "C") == "C"


def test_the_cap_starts_the_day_from_the_companies_already_counted(
        store: SqliteEventStore, tmp_path: Path) -> None:
    users = Users(user("kim", "Kim Co"), user("lee", "Lee Co"), user("park", "Park Co"))
    first = ListTracker()
    service(store, users, first, tmp_path).page_view("s1", Actor("kim"), "home")
    store.append(first.events)

    # A restarted server (a fresh service) with room for one company: Kim Co is in already.
    again = ListTracker()
    analytics = service(store, users, again, tmp_path, companies=1)
    for name in ("lee", "kim"):
        analytics.page_view("s2", Actor(name), "home")

    assert [e.properties["company"] for e in again.events] == [OTHER_COMPANY, "Kim Co"]


def test_a_failing_directory_never_stops_the_event(store: SqliteEventStore,
                                                   tmp_path: Path) -> None:
    tracker = ListTracker()
    repo = SqliteContentRepository(database(tmp_path / "c.db"))

    def broken(username: str) -> User:
        raise RuntimeError("directory down")

    analytics = AnalyticsService(store, repo, tracker, SEOUL, clock=lambda: NOW,
                                 find_user=broken)
    analytics.page_view("s1", Actor("kim"), "home")

    assert [e.type for e in tracker.events] == [EventType.PAGE_VIEW]


# ---- the companies table ---------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example","x")'


def _company_rows(store: SqliteEventStore, tmp_path: Path) -> None:
    users = Users(user("kim", "ACME"), user("eve", HYPERLINK), user("lee", "Lee Co"))
    tracker = ListTracker()
    analytics = service(store, users, tracker, tmp_path, companies=2)
    for name, pages in (("kim", 3), ("eve", 1), ("lee", 2)):
        for number in range(pages):
            analytics.page_view(f"s-{name}", Actor(name), f"p{number}")
    store.append(tracker.events)


def test_the_companies_table_counts_visits_and_views_from_the_rollups(
        store: SqliteEventStore, tmp_path: Path) -> None:
    _company_rows(store, tmp_path)

    frame = companies(store, Period(TODAY, TODAY))

    assert frame.to_dict("records") == [
        {"company": "ACME", "visitors": 1, "page_views": 3, "content_views": 0},
        {"company": HYPERLINK, "visitors": 1, "page_views": 1, "content_views": 0},
        {"company": OTHER_COMPANY, "visitors": 1, "page_views": 2, "content_views": 0},
    ]


def test_the_companies_csv_keeps_a_formula_like_company_as_text(
        store: SqliteEventStore, tmp_path: Path) -> None:
    _company_rows(store, tmp_path)

    data = csv_bytes(companies(store, Period(TODAY, TODAY)))

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[2] == ["'" + HYPERLINK, "1", "1", "0"]
    assert not any(cell.startswith("=") for row in rows for cell in row)
