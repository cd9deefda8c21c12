"""Importing usage events moves the items' counters the way real usage does (SQLite and
DynamoDB on moto): after an import the cards' views and likes equal the dashboard's per-item
counts, and a re-import of the same file moves nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from services.adapters.sqlite.audit import SqliteAuditLog
from services.adapters.sqlite.db import SqliteDatabase
from services.analytics.dashboards import Period, content_stats
from services.domain.models import ContentItem
from services.domain.permissions import Actor, Role
from services.imports.events import EventImporter, ImportSummary, LineError, parse_line
from services.ports import ContentRepository, EventStore
from tests.contract.local_backends import EVENT_TZ
from tests.contract.test_content_repository import make_item
from tests.unit.scripts.test_seed_demo import stores  # noqa: F401 (the paired-backend fixture)

NOW = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
ADMIN = Actor("root", roles=frozenset({Role.ADMIN}))
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 9))
CREATED = datetime(2026, 2, 1, tzinfo=UTC)


def event(type_: str, content_id: str, ts: str, user: str | None = None, **extra: Any) -> str:
    fields = {"ts": ts, "type": type_, "session_id": f"s-{user or 'anon'}",
              "user_id": user, "content_id": content_id, "category": "Etc",
              "author_id": "author-1", **extra}
    return json.dumps(fields)


# Not in time order on purpose (an export need not be sorted); vera's like of c1 comes after
# her unlike of it in the file but before it in time.
FILE = [
    event("content_view", "c1", "2026-03-01T10:00:00+09:00", id="v1"),
    event("content_view", "c1", "2026-03-05T10:00:00+09:00", id="v2"),
    event("content_view", "c2", "2026-03-02T10:00:00+09:00", id="v3"),
    event("unlike", "c1", "2026-03-03T11:00:00+09:00", "vera", id="u1"),
    event("like", "c1", "2026-03-03T10:00:00+09:00", "vera", id="l1"),
    event("like", "c1", "2026-03-04T10:00:00+09:00", "walt", id="l2"),
    event("like", "c2", "2026-03-04T10:00:00+09:00", "walt", id="l3"),
    event("like", "c2", "2026-03-06T10:00:00+09:00", "walt", id="l4"),  # already liked: nothing
    event("unlike", "c2", "2026-03-02T09:00:00+09:00", "xena", id="u2"),  # never liked: nothing
    event("content_view", "c1", "2026-03-01T10:00:00+09:00", id="v1"),  # a repeated line
    event("content_view", "gone", "2026-03-02T10:00:00+09:00", id="v4"),  # no such item
]


def cards(repo: ContentRepository, items: list[ContentItem]) -> dict[str, tuple[int, int]]:
    return {item.id: (repo.get(item.id).views, repo.get(item.id).likes) for item in items}


def dashboard(events: EventStore, items: list[ContentItem]) -> dict[str, tuple[int, int]]:
    table = content_stats(events, PERIOD, items).items
    return {row.content_id: (row.views, row.likes) for row in table.itertuples()}


def run(repo: ContentRepository, events: EventStore, audit: SqliteAuditLog,
        batch_size: int) -> ImportSummary:
    importer = EventImporter(events, audit, EVENT_TZ, 180, content=repo, clock=lambda: NOW,
                             batch_size=batch_size)
    return importer.import_events(ADMIN, lambda: iter(FILE), "events.jsonl")


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[SqliteAuditLog]:
    with ExitStack() as stack:
        db = SqliteDatabase(tmp_path / "audit" / "audit.sqlite3")
        db.migrate()
        stack.callback(db.close)
        yield SqliteAuditLog(db)


@pytest.mark.parametrize("batch_size", [100, 3])
def test_an_import_moves_the_cards_as_the_dashboard_counts(
        stores: tuple[ContentRepository, EventStore],  # noqa: F811
        audit: SqliteAuditLog, batch_size: int) -> None:
    repo, events = stores
    items = [make_item("c1", created_at=CREATED), make_item("c2", created_at=CREATED)]
    for item in items:
        repo.add(item)

    summary = run(repo, events, audit, batch_size)

    assert cards(repo, items) == dashboard(events, items) == {"c1": (2, 1), "c2": (1, 1)}
    assert (summary.valid, summary.new, summary.ignored_likes, summary.present) == (11, 8, 2, 1)

    again = run(repo, events, audit, batch_size)

    # The two likes that changed nothing were not stored, so they are read again, and again
    # change nothing.
    assert (again.new, again.ignored_likes, again.present) == (0, 2, 9)
    assert cards(repo, items) == dashboard(events, items) == {"c1": (2, 1), "c2": (1, 1)}


def test_two_imports_of_one_file_at_once_move_the_cards_once(
        stores: tuple[ContentRepository, EventStore],  # noqa: F811
        audit: SqliteAuditLog) -> None:
    """Both imports read the file's events as new before either writes (two administrators,
    or a run started twice): the store writes each event once, and the views follow what was
    written, not what was read."""
    repo, events = stores
    items = [make_item("c1", created_at=CREATED), make_item("c2", created_at=CREATED)]
    for item in items:
        repo.add(item)
    both_read = threading.Barrier(2, timeout=30)

    class ReadTogether:
        def raw_events(self, *args: Any, **kwargs: Any) -> Any:
            found = list(events.raw_events(*args, **kwargs))
            both_read.wait()
            return found

        def __getattr__(self, name: str) -> Any:
            return getattr(events, name)

    shared = ReadTogether()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: run(repo, shared, audit, 100), range(2)))  # type: ignore[arg-type]

    assert cards(repo, items) == dashboard(events, items) == {"c1": (2, 1), "c2": (1, 1)}


def test_a_like_without_a_user_is_refused() -> None:
    text = event("like", "c1", "2026-03-03T10:00:00+09:00")
    assert parse_line(1, text, EVENT_TZ) == LineError(
        1, "imports.events_missing_field", {"field": "user_id"})



def test_a_view_dated_in_the_future_is_a_bad_line_and_moves_no_card(
        stores: tuple[ContentRepository, EventStore],  # noqa: F811
        audit: SqliteAuditLog) -> None:
    """It would show on no dashboard (none reaches that far), so the card must not count it."""
    repo, events = stores
    items = [make_item("c1", created_at=CREATED)]
    repo.add(items[0])
    importer = EventImporter(events, audit, EVENT_TZ, 180, content=repo, clock=lambda: NOW)
    lines = [event("content_view", "c1", "2062-03-01T10:00:00+09:00", id="future"),
             event("content_view", "c1", "2026-03-01T10:00:00+09:00", id="v1")]

    summary = importer.import_events(ADMIN, lambda: iter(lines), "events.jsonl")

    assert (summary.valid, summary.new, summary.bad) == (1, 1, 1)
    assert [(e.line, e.key) for e in summary.errors] == [(1, "imports.events_in_future")]
    assert cards(repo, items) == dashboard(events, items) == {"c1": (1, 0)}
