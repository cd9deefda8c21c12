"""SessionStore contract (SQLite, DynamoDB)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.domain.identity import SessionRecord
from services.errors import NotFound

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def record(username: str = "kim", token: str = "gAAAA-encrypted") -> SessionRecord:
    return SessionRecord(username, token, T0, T0 + timedelta(days=7))


def test_put_then_get_round_trips(session_store: Any) -> None:
    session_store.put("a" * 64, record())

    assert session_store.get("a" * 64) == record()


def test_put_replaces(session_store: Any) -> None:
    session_store.put("k1", record(token="first"))
    session_store.put("k1", record(token="second"))

    assert session_store.get("k1").encrypted_refresh_token == "second"


def test_missing_key_is_not_found(session_store: Any) -> None:
    with pytest.raises(NotFound):
        session_store.get("nope")


def test_delete_is_idempotent_and_per_key(session_store: Any) -> None:
    session_store.put("k1", record("kim"))
    session_store.put("k2", record("lee"))

    session_store.delete("k1")
    session_store.delete("k1")

    with pytest.raises(NotFound):
        session_store.get("k1")
    assert session_store.get("k2").username == "lee"


def test_a_record_keeps_its_epoch(session_store: Any) -> None:
    session_store.put("k1", SessionRecord("kim", "", T0, T0 + timedelta(days=7), epoch=3))

    assert session_store.get("k1").epoch == 3


def test_user_epochs_start_at_zero_and_bump_one_by_one_per_user(session_store: Any) -> None:
    assert session_store.user_epoch("kim") == 0

    assert session_store.bump_user_epoch("kim") == 1
    assert session_store.bump_user_epoch("kim") == 2

    assert session_store.user_epoch("kim") == 2
    assert session_store.user_epoch("lee") == 0


def test_concurrent_bumps_are_all_counted(session_store: Any) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: session_store.bump_user_epoch("kim"), range(16)))

    assert session_store.user_epoch("kim") == 16
