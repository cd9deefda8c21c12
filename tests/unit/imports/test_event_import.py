"""Importing usage events from JSON Lines: the line checks, and the import on every event store
(SQLite and DynamoDB on moto) down to the numbers the dashboards show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.adapters.sqlite.audit import SqliteAuditLog
from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.analytics.dashboards import Filters, Period
from services.analytics.service import AnalyticsService
from services.analytics.tracker import Tracker
from services.domain.analytics import EventType
from services.domain.models import stable_id
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied
from services.i18n import catalog, translate
from services.imports.events import REASONS, EventImporter, LineError, parse_line, parse_lines
from services.ports import EventStore
from tests.contract import aws_backends, local_backends

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
ADMIN = Actor("root", roles=frozenset({Role.ADMIN}))
ANALYST = Actor("ann", roles=frozenset({Role.ANALYST}))
EVENT_STORES = {**local_backends.EVENT_STORES, **aws_backends.EVENT_STORES}


def line(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False)


def view(ts: str = "2026-03-01T14:05:00+09:00", **fields: Any) -> str:
    """A content view of c1; ``fields`` add to or replace its fields."""
    base = {"ts": ts, "type": "content_view", "session_id": "s1", "content_id": "c1",
            "category": "Finance", "author_id": "alice"}
    return line(**{**base, **fields})


def parse_one(text: str | bytes, tz: ZoneInfo = SEOUL) -> Any:
    return parse_line(1, text, tz, not_before=NOW - timedelta(days=180),
                      not_after=NOW + timedelta(minutes=10))


# ---- one line ----------------------------------------------------------------------------------


def test_a_full_line_becomes_the_event_the_tracker_would_have_recorded() -> None:
    good = parse_one(view(id="e-1", user_id="vera", page="content", properties={"x": 1}))
    event = good.event
    assert not good.assumed_tz
    assert event.ts == datetime(2026, 3, 1, 5, 5, tzinfo=UTC)
    assert event.id == stable_id(event.ts, "jsonl:e-1")
    assert (event.type, event.session_id, event.user_id, event.page) == (
        EventType.CONTENT_VIEW, "s1", "vera", "content")
    assert (event.content_id, event.category, event.author_id) == ("c1", "Finance", "alice")
    assert event.properties == {"x": 1}


def test_the_same_instant_in_another_zone_is_the_same_event() -> None:
    seoul = parse_one(view("2026-03-01T14:05:00+09:00")).event
    utc = parse_one(view("2026-03-01T05:05:00Z")).event
    assert seoul.ts == utc.ts == datetime(2026, 3, 1, 5, 5, tzinfo=UTC)
    assert seoul.id == utc.id  # no id: the identity is the checked event, ts in UTC
    assert seoul.ts.utcoffset() == timedelta(0)


def test_a_time_without_zone_is_read_in_the_app_zone_and_flagged() -> None:
    good = parse_one(view("2026-03-01T14:05:00"))
    assert good.assumed_tz
    assert good.event.ts == datetime(2026, 3, 1, 5, 5, tzinfo=UTC)
    assert parse_one(view("2026-03-01T14:05:00"), ZoneInfo("UTC")).event.ts == datetime(
        2026, 3, 1, 14, 5, tzinfo=UTC)


def test_ids_are_stable_and_sort_by_time() -> None:
    first, again = parse_one(view(id=7)).event, parse_one(view(id="7")).event
    assert first.id == again.id == stable_id(first.ts, "jsonl:7")
    later = parse_one(view("2026-03-01T14:06:00+09:00", id=7)).event
    assert later.id > first.id
    # Without an id: key order and spacing do not matter, the fields do.
    assert parse_one(view()).event.id == parse_one(
        '{"category":"Finance","author_id":"alice","content_id":"c1","session_id":"s1",'
        '"type":"content_view","ts":"2026-03-01T14:05:00+09:00"}').event.id
    assert parse_one(view()).event.id != parse_one(view(user_id="vera")).event.id


def test_a_missing_session_is_derived_from_the_event() -> None:
    bare = line(ts="2026-03-01T14:05:00+09:00", type="page_view", page="home")
    session = parse_one(bare).event.session_id
    assert session.startswith("import:") and session == parse_one(bare).event.session_id
    other = line(ts="2026-03-01T14:05:00+09:00", type="page_view", page="browse")
    assert parse_one(other).event.session_id != session


def test_tracker_shapes_are_kept() -> None:
    search = parse_one(line(ts="2026-03-01T10:00:00Z", type="search", session_id="s",
                            properties={"query": "  Bedrock ", "results": 0})).event
    assert search.properties == {"query": "Bedrock", "results": 0}  # stripped, as tracked
    purpose = parse_one(line(ts="2026-03-01T10:00:00Z", type="visitor_purpose",
                             session_id="s", properties={"purpose": "skipped"})).event
    assert purpose.properties == {"purpose": "skipped"}
    download = parse_one(view(type="download", properties={"asset_id": "a1", "kind": "document"}))
    assert download.event.properties == {"asset_id": "a1", "kind": "document"}
    assert parse_one(view(category="generative ai")).event.category == "Generative AI"
    assert parse_one(view(user_id="", page=None)).event.user_id is None
    assert parse_one(b"\xef\xbb\xbf" + view().encode()).event.content_id == "c1"  # BOM


def test_blank_lines_are_nothing() -> None:
    assert parse_one("   \n") is None
    assert parse_one(b"\n") is None


@pytest.mark.parametrize(("text", "key", "params"), [
    (b"\xff\xfe{}", "imports.events_bad_encoding", {}),
    ("{" + " " * 70_000 + "}", "imports.events_line_too_long", {"max": "65536"}),
    ("not json", "imports.events_bad_json", {}),
    ('{"ts": NaN}', "imports.events_bad_json", {}),
    ("[1, 2]", "imports.events_not_object", {}),
    ('"text"', "imports.events_not_object", {}),
    (line(type="page_view", page="home"), "imports.events_missing_field", {"field": "ts"}),
    (line(ts="2026-03-01T10:00:00Z"), "imports.events_missing_field", {"field": "type"}),
    (line(ts="2026-03-01T10:00:00Z", type="click"), "imports.events_unknown_type",
     {"value": "click"}),
    (line(ts="yesterday", type="page_view"), "imports.events_bad_ts", {"value": "yesterday"}),
    (line(ts=1772000000, type="page_view"), "imports.events_bad_ts", {"value": "1772000000"}),
    (line(ts="2025-09-01T00:00:00Z", type="page_view", page="home"),
     "imports.events_too_old", {"date": "2025-09-11"}),
    (line(ts="2062-03-01T00:00:00Z", type="page_view", page="home"),
     "imports.events_in_future", {"value": "2062-03-01T00:00:00Z", "minutes": "10"}),
    (view(category="Sports"), "imports.events_bad_category", {"value": "Sports"}),
    (view(session_id=5), "imports.events_bad_field", {"field": "session_id"}),
    (view(id=True), "imports.events_bad_field", {"field": "id"}),
    (view(properties=[1]), "imports.events_bad_field", {"field": "properties"}),
    (line(ts="2026-03-01T10:00:00Z", type="content_view"), "imports.events_missing_field",
     {"field": "content_id"}),
    (line(ts="2026-03-01T10:00:00Z", type="page_view"), "imports.events_missing_field",
     {"field": "page"}),
    (line(ts="2026-03-01T10:00:00Z", type="search", properties={"results": 1}),
     "imports.events_missing_property", {"name": "query"}),
    (line(ts="2026-03-01T10:00:00Z", type="search", properties={"query": "x"}),
     "imports.events_missing_property", {"name": "results"}),
    (line(ts="2026-03-01T10:00:00Z", type="search", properties={"query": "x", "results": -1}),
     "imports.events_bad_property", {"name": "results"}),
    (line(ts="2026-03-01T10:00:00Z", type="search", properties={"query": "x", "results": "3"}),
     "imports.events_bad_property", {"name": "results"}),
    (line(ts="2026-03-01T10:00:00Z", type="search", properties={"query": " ", "results": 3}),
     "imports.events_bad_property", {"name": "query"}),
    (line(ts="2026-03-01T10:00:00Z", type="visitor_purpose", properties={"purpose": "fun"}),
     "imports.events_bad_purpose", {"value": "fun"}),
    (line(ts="2026-03-01T10:00:00Z", type="visitor_purpose"),
     "imports.events_missing_property", {"name": "purpose"}),
    (view(type="download"), "imports.events_missing_property", {"name": "asset_id"}),
    (view(type="download", properties={"asset_id": 3}), "imports.events_bad_property",
     {"name": "asset_id"}),
])
def test_each_reason(text: str | bytes, key: str, params: dict[str, str]) -> None:
    assert parse_one(text) == LineError(1, key, params)
    assert key in REASONS


def test_a_line_ahead_of_the_clock_is_refused_beyond_the_skew_allowed() -> None:
    """A few minutes ahead is a clock that runs fast; further is no event that happened."""
    assert parse_one(view("2026-03-10T00:10:00Z")).event.ts == NOW + timedelta(minutes=10)
    assert parse_one(view("2026-03-10T09:10:01+09:00")) == LineError(
        1, "imports.events_in_future", {"value": "2026-03-10T09:10:01+09:00", "minutes": "10"})
    # Without a bound (a caller that does not know the time) nothing is refused for it.
    assert parse_line(1, view("2062-01-01T00:00:00Z"), SEOUL).event.ts.year == 2062


def test_every_reason_reads_well_in_both_languages() -> None:
    for lang in ("ko", "en"):
        assert [key for key in REASONS if key not in catalog(lang)] == []
    message = translate("en", "imports.events_bad_ts", value="x")
    assert "{" not in message and "'x'" in message


def test_mixed_lines_keep_their_numbers() -> None:
    result = parse_lines([view(), "", "oops", view(id="b"), "   ", "[]",
                          view("2026-03-01T09:00:00")], SEOUL)
    assert result.lines == 7
    assert len(result.events) == 3
    assert [(e.line, e.key) for e in result.errors] == [
        (3, "imports.events_bad_json"), (6, "imports.events_not_object")]
    assert result.assumed_tz == 1


# ---- the import on every event store -------------------------------------------------------------

SAMPLE = [
    line(id="p1", ts="2026-03-01T10:00:00+09:00", type="page_view", session_id="s1", page="home"),
    line(id="p2", ts="2026-03-01T01:30:00Z", type="page_view", session_id="s1", page="content"),
    line(ts="2026-03-01T12:00:00", type="page_view", session_id="s2", page="home"),
    line(ts="2026-03-01T23:30:00Z", type="page_view", session_id="s3", page="home"),  # 3/2 local
    view(id="v1"),
    view(id="v2", session_id="s2"),
    view(id="v3", content_id="c2", category="generative ai", author_id="bob"),
    "",
    line(ts="2026-03-01T11:00:00+09:00", type="search", session_id="s1",
         properties={"query": "Bedrock", "results": 3}),
    line(ts="2026-03-01T11:01:00+09:00", type="search", session_id="s1",
         properties={"query": "  없는 데모 ", "results": 0}),
    line(ts="2026-03-01T11:02:00+09:00", type="search", session_id="s2",
         properties={"query": "없는 데모", "results": 0}),
    line(ts="2026-03-01T09:00:00+09:00", type="visitor_purpose", session_id="s1",
         properties={"purpose": "customer-demo"}),
    line(ts="2026-03-01T09:00:00+09:00", type="visitor_purpose", session_id="s2",
         properties={"purpose": "skipped"}),
    view(id="d1", type="download", properties={"asset_id": "a1"}),
    view(id="l1", type="like", session_id="s4", user_id="vera"),
]
BAD = ["{broken", line(ts="2026-03-01T10:00:00Z", type="click")]
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 2))


class Setup:
    def __init__(self, store: EventStore, db: SqliteDatabase) -> None:
        self.store = store
        self.audit = SqliteAuditLog(db)
        self.repo = SqliteContentRepository(db)
        self.analytics = AnalyticsService(store, self.repo, Tracker(store), SEOUL,
                                          clock=lambda: NOW)

    def importer(self, batch_size: int = 5000) -> EventImporter:
        return EventImporter(self.store, self.audit, SEOUL, 180, content=self.repo,
                             clock=lambda: NOW, batch_size=batch_size)

    def run(self, lines: list[str], **options: Any) -> Any:
        batch_size = options.pop("batch_size", 5000)
        return self.importer(batch_size).import_events(
            options.pop("actor", ADMIN), lambda: iter(lines), "events.jsonl", **options)

    def raw_count(self) -> int:
        return sum(1 for _ in self.store.raw_events(datetime(2026, 1, 1, tzinfo=UTC), NOW))

    def tiles(self) -> dict[str, Any]:
        return {k.key: k.value for k in self.analytics.kpis(ADMIN, PERIOD, Filters())}


@pytest.fixture(params=sorted(EVENT_STORES))
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    with ExitStack() as stack:
        store = stack.enter_context(EVENT_STORES[request.param](tmp_path))
        db = SqliteDatabase(tmp_path / "aux" / "aux.sqlite3")
        db.migrate()
        stack.callback(db.close)
        yield Setup(store, db)


def test_the_dashboards_show_exactly_what_the_file_held(setup: Setup) -> None:
    summary = setup.run(SAMPLE, batch_size=4)  # several batches
    assert (summary.lines, summary.valid, summary.new, summary.present, summary.bad) == (
        15, 14, 14, 0, 0)
    assert summary.assumed_tz == 1
    tiles = setup.tiles()
    assert (tiles["page_views"], tiles["content_views"], tiles["searches"]) == (4, 3, 3)
    assert (tiles["downloads"], tiles["likes"]) == (1, 1)
    assert tiles["visitors"] == 4  # visits s1, s2, s3 and s4 (vera signed in)
    assert tiles["top_category"] == "Finance"
    board = setup.analytics.dashboard(ADMIN, PERIOD, Filters())
    purposes = dict(zip(board.purposes.table["purpose"], board.purposes.table["count"],
                        strict=True))
    assert (purposes["customer-demo"], purposes["skipped"]) == (1, 1)
    assert list(board.search.zero_results.itertuples(index=False, name=None)) == [
        ("없는 데모", 2)]
    assert dict(zip(board.search.top["term"], board.search.top["searches"], strict=True)) == {
        "bedrock": 1, "없는 데모": 2}
    # Local days: 23:30 UTC on 1 March is 08:30 on 2 March in Seoul.
    assert board.trend["page_view"].tolist() == [3, 1]
    assert setup.raw_count() == 14


def test_a_reimport_adds_nothing_with_or_without_ids(setup: Setup) -> None:
    setup.run(SAMPLE)
    before = setup.tiles()
    again = setup.run(SAMPLE, batch_size=3)
    assert (again.new, again.present) == (0, 14)
    assert setup.tiles() == before
    assert setup.raw_count() == 14
    # The same lines in other zones and key orders: still the same events.
    moved = [line(id="p1", ts="2026-03-01T01:00:00Z", type="page_view", session_id="s1",
                  page="home"),
             line(session_id="s2", page="home", type="page_view", ts="2026-03-01T03:00:00Z")]
    assert setup.run(moved).new == 0


def test_lines_repeated_in_one_file_count_once(setup: Setup) -> None:
    summary = setup.run([SAMPLE[2], SAMPLE[2], SAMPLE[4], SAMPLE[4]], batch_size=1)
    assert (summary.valid, summary.new, summary.present) == (4, 2, 2)
    assert setup.tiles()["page_views"] == 1


def test_non_strict_imports_the_good_lines(setup: Setup) -> None:
    summary = setup.run([*SAMPLE[:5], *BAD])
    assert (summary.new, summary.bad, summary.outcome) == (5, 2, "partial")
    assert [(e.line, e.key) for e in summary.errors] == [
        (6, "imports.events_bad_json"), (7, "imports.events_unknown_type")]
    assert setup.raw_count() == 5
    (entry,) = setup.audit.entries(action="events.import")
    assert (entry.actor, entry.target, entry.outcome) == ("root", "events.jsonl", "partial")
    assert entry.detail == {"lines": "7", "valid": "5", "new": "5", "present": "0", "bad": "2",
                            "assumed_tz": "1", "strict": "false",
                            "first_bad_line": "6: imports.events_bad_json"}


def test_strict_imports_nothing_when_a_line_is_bad(setup: Setup) -> None:
    summary = setup.run([*SAMPLE, BAD[0]], strict=True, batch_size=2)
    assert summary.refused and (summary.valid, summary.new, summary.bad) == (14, 0, 1)
    assert setup.raw_count() == 0
    assert setup.tiles()["page_views"] == 0
    assert setup.audit.entries(action="events.import")[0].outcome == "refused"
    good = setup.run(SAMPLE, strict=True)
    assert (good.refused, good.new, good.outcome) == (False, 14, "ok")


def test_a_dry_run_writes_nothing(setup: Setup) -> None:
    summary = setup.run([*SAMPLE, *BAD], dry_run=True)
    assert (summary.valid, summary.bad, summary.new, summary.outcome) == (14, 2, 0, "checked")
    assert setup.raw_count() == 0
    assert setup.audit.entries(action="events.import") == []


def test_only_admins_may_import_and_a_refusal_is_audited(setup: Setup) -> None:
    with pytest.raises(PermissionDenied):
        setup.run(SAMPLE, actor=ANALYST)
    with pytest.raises(PermissionDenied):
        setup.run(SAMPLE, actor=Actor.anonymous(), dry_run=True)
    assert setup.raw_count() == 0
    outcomes = [(e.actor, e.outcome) for e in setup.audit.entries(action="events.import")]
    assert sorted(outcomes) == [("ann", "denied"), ("anonymous", "denied")]


def test_progress_is_reported_per_batch(setup: Setup) -> None:
    seen: list[tuple[int, int]] = []
    setup.importer(batch_size=5).import_events(ADMIN, lambda: iter(SAMPLE), "e.jsonl",
                                               on_progress=lambda *a: seen.append(a))
    assert seen[-1] == (15, 14)  # the end, always reported
    assert [lines for lines, _ in seen[:3]] == [5, 10, 15]


def test_a_failure_midway_is_audited_and_raised(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "aux.sqlite3")
    db.migrate()
    with local_backends.sqlite_event_store(tmp_path) as store:
        setup = Setup(store, db)
        importer = setup.importer(batch_size=2)
        lines = iter(SAMPLE)

        def failing_source() -> Iterator[str]:
            yield from (next(lines) for _ in range(5))
            raise OSError("disk gone")

        with pytest.raises(OSError):
            importer.import_events(ADMIN, failing_source, "e.jsonl")
        (entry,) = setup.audit.entries(action="events.import")
        assert entry.outcome == "failed" and entry.detail["new"] == "4"
        assert setup.raw_count() == 4  # written batches stay; a re-run adds the rest
    db.close()


class Stopped(BaseException):
    """What Streamlit raises at an element update when a click or a closed tab stops the run."""


def test_an_interrupted_import_is_audited_with_the_lines_it_wrote(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "aux.sqlite3")
    db.migrate()
    with local_backends.sqlite_event_store(tmp_path) as store:
        setup = Setup(store, db)
        calls: list[tuple[int, int]] = []

        def progress(lines: int, new: int) -> None:  # the second bar update stops the run
            calls.append((lines, new))
            if len(calls) == 2:
                raise Stopped

        with pytest.raises(Stopped):
            setup.importer(batch_size=4).import_events(ADMIN, lambda: iter(SAMPLE), "e.jsonl",
                                                       on_progress=progress)
        # Each report comes after everything up to its line is stored: the 7 events of the
        # first 8 lines (one is blank).
        assert calls == [(4, 4), (8, 7)]
        assert setup.raw_count() == 7
        (entry,) = setup.audit.entries(action="events.import")
        assert entry.outcome == "interrupted"
        assert (entry.detail["lines_done"], entry.detail["new"]) == ("8", "7")
        # Running it again is safe: it adds only what the stopped run had not written.
        again = setup.run(SAMPLE)
        assert (again.new, again.present) == (7, 7)
        assert setup.raw_count() == 14
    db.close()
