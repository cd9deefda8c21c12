"""FollowStore contract, on SQLite and on DynamoDB (moto): follows, digest frequencies and the
due lists, and a digest window claimed exactly once however many runs (or threads) try."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.adapters.aws.dynamodb.follows import DynamoFollowStore
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.follows import SqliteFollowStore
from services.domain.follows import Digest, Follow, FollowScope, Frequency
from tests.contract.aws_backends import mocked_aws, one_backup_per_transaction


@contextmanager
def sqlite_follows(tmp_path: Path) -> Iterator[SqliteFollowStore]:
    db = SqliteDatabase(tmp_path / "data" / "follows.sqlite3")
    db.migrate()
    try:
        yield SqliteFollowStore(db)
    finally:
        db.close()


@contextmanager
def dynamodb_follows(tmp_path: Path) -> Iterator[DynamoFollowStore]:
    with one_backup_per_transaction(), mocked_aws() as aws:
        yield DynamoFollowStore(aws.dynamodb, str(aws.settings.events_table))


FOLLOW_STORES: dict[str, Callable[[Path], AbstractContextManager[Any]]] = {
    "sqlite": sqlite_follows, "dynamodb": dynamodb_follows}


@pytest.fixture(params=sorted(FOLLOW_STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with FOLLOW_STORES[request.param](tmp_path) as adapter:
        yield adapter


def test_follows_are_per_user_idempotent_and_removable(store: Any) -> None:
    views = Follow("ana", "content_views")
    item = Follow("ana", "likes", FollowScope.ITEM, "item-1")
    added = [store.follow(follow) for follow in (views, item, views, Follow("bob", "searches"))]
    assert added == [True, True, False, True]  # the second of the same follow adds nothing
    assert sorted(store.follows("ana"), key=lambda f: f.key) == [views, item]
    store.unfollow("ana", item.key)
    store.unfollow("ana", "nothing|all|")
    assert store.follows("ana") == [views] and store.follows("carl") == []


def test_a_frequency_change_moves_the_user_between_due_lists(store: Any) -> None:
    assert store.frequency("ana") is Frequency.NONE
    store.set_frequency("ana", Frequency.DAILY)
    store.set_frequency("bob", Frequency.DAILY)
    assert store.due_users(Frequency.DAILY) == ["ana", "bob"]
    store.set_frequency("ana", Frequency.WEEKLY)
    store.set_frequency("bob", Frequency.NONE)
    assert store.frequency("ana") is Frequency.WEEKLY
    assert store.due_users(Frequency.DAILY) == [] and store.due_users(Frequency.WEEKLY) == ["ana"]


def test_a_window_is_claimed_once_and_kept(store: Any) -> None:
    assert store.claim("ana", "2026-W49") is True
    assert store.claim("ana", "2026-W49") is False
    assert store.claim("ana", "2026-12-03") is True  # another window
    assert store.digests("ana") == []  # claimed, nothing kept yet
    first = Digest("ana", "2026-W49", datetime(2026, 12, 3, 8, tzinfo=UTC), "S1", "B1", True)
    later = Digest("ana", "2026-12-03", datetime(2026, 12, 3, 9, tzinfo=UTC), "S2", "B2", False)
    store.keep(first)
    store.keep(later)
    assert [(d.window, d.subject, d.body, d.sent) for d in store.digests("ana")] == [
        ("2026-12-03", "S2", "B2", False), ("2026-W49", "S1", "B1", True)]
    assert [d.window for d in store.digests("ana", limit=1)] == ["2026-12-03"]


def test_concurrent_claims_of_one_window_have_one_winner(store: Any) -> None:
    won: list[bool] = []
    threads = [threading.Thread(target=lambda: won.append(store.claim("ana", "2026-12-03")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, False, False, True]


def test_concurrent_follows_of_one_metric_leave_one_follow(store: Any) -> None:
    """Two tabs (or a double click) following the same metric at once: the store's key is the
    guard (no read-then-write), so one follow stays, and one unfollow removes it."""
    views = Follow("ana", "content_views")
    added: list[bool] = []
    threads = [threading.Thread(target=lambda: added.append(store.follow(views)))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.follows("ana") == [views]
    assert sorted(added) == [False] * 5 + [True]  # one of them added it, and only one says so
    store.unfollow("ana", views.key)
    assert store.follows("ana") == []


def test_forgetting_a_user_removes_everything_of_theirs(store: Any) -> None:
    store.follow(Follow("ana", "content_views"))
    store.follow(Follow("bob", "content_views"))
    store.set_frequency("ana", Frequency.DAILY)
    store.set_frequency("bob", Frequency.DAILY)
    store.claim("ana", "2026-12-03")
    store.keep(Digest("ana", "2026-12-03", datetime(2026, 12, 3, tzinfo=UTC), "S", "B"))
    store.forget_user("ana")
    assert store.follows("ana") == [] and store.digests("ana") == []
    assert store.frequency("ana") is Frequency.NONE
    assert store.due_users(Frequency.DAILY) == ["bob"] and store.follows("bob")


def test_tabs_changing_the_frequency_at_once_leave_one_due_list(
        store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The setting names one list, and the user is on that list and no other. Two tabs read
    the old setting (daily) before either writes (where the store reads it at all); the one
    choosing weekly writes first, then the one choosing none."""
    store.set_frequency("ana", Frequency.DAILY)
    read = store.frequency
    both_read = threading.Barrier(2, timeout=10)
    weekly_written = threading.Event()
    first_read = {"weekly": True, "none": True}

    def read_together(user_id: str) -> Frequency:
        found = read(user_id)
        tab = threading.current_thread().name
        if first_read.get(tab):
            first_read[tab] = False
            both_read.wait()
            if tab == "none":
                weekly_written.wait(timeout=10)
        return found  # type: ignore[no-any-return]

    def weekly() -> None:
        store.set_frequency("ana", Frequency.WEEKLY)
        weekly_written.set()

    monkeypatch.setattr(store, "frequency", read_together)
    threads = [threading.Thread(target=weekly, name="weekly"),
               threading.Thread(target=store.set_frequency, args=("ana", Frequency.NONE),
                                name="none")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    setting = read("ana")  # none on DynamoDB, where the order is forced; either on SQLite
    on = [f for f in (Frequency.DAILY, Frequency.WEEKLY) if "ana" in store.due_users(f)]
    assert on == ([] if setting is Frequency.NONE else [setting])
