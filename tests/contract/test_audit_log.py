"""AuditLog contract: every adapter registered in conftest must pass all of these.

``since`` and ``until`` are both inclusive.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.domain.models import AuditEntry

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def entry(minute: int, actor: str = "admin", action: str = "user.create", **kw: Any) -> AuditEntry:
    return AuditEntry(
        ts=T0 + timedelta(minutes=minute),
        actor=actor,
        action=action,
        target=kw.get("target", f"target-{minute}"),
        outcome=kw.get("outcome", "ok"),
        detail=kw.get("detail", {}),
    )


@pytest.fixture
def history(audit_log: Any) -> Any:
    # Recorded out of order: the log orders by time, not by arrival.
    for e in (
        entry(0, "admin", "user.create"),
        entry(20, "kim", "content.update"),
        entry(10, "admin", "user.disable"),
        entry(30, "kim", "content.delete", outcome="denied"),
    ):
        audit_log.record(e)
    return audit_log


def minutes(entries: list[AuditEntry]) -> list[int]:
    return [int((e.ts - T0).total_seconds() // 60) for e in entries]


def test_record_round_trips_every_field(audit_log: Any) -> None:
    recorded = entry(
        5, target="content/01HZX", outcome="failed", detail={"reason": "버전 충돌", "version": "3"}
    )
    audit_log.record(recorded)

    [stored] = audit_log.entries()

    assert stored == recorded
    assert stored.ts.utcoffset() == timedelta(0)


def test_entries_are_newest_first(history: Any) -> None:
    assert minutes(history.entries()) == [30, 20, 10, 0]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"actor": "kim"}, [30, 20]),
        ({"action": "user.disable"}, [10]),
        ({"actor": "admin", "action": "user.create"}, [0]),
        ({"actor": "nobody"}, []),
        ({"since": T0 + timedelta(minutes=10)}, [30, 20, 10]),  # inclusive
        ({"until": T0 + timedelta(minutes=20)}, [20, 10, 0]),  # inclusive
        ({"since": T0 + timedelta(minutes=5), "until": T0 + timedelta(minutes=25)}, [20, 10]),
        ({"actor": "kim", "since": T0 + timedelta(minutes=25)}, [30]),
    ],
)
def test_filters(history: Any, filters: dict[str, Any], expected: list[int]) -> None:
    assert minutes(history.entries(**filters)) == expected


def test_limit_keeps_the_newest(history: Any) -> None:
    assert minutes(history.entries(limit=2)) == [30, 20]
    assert minutes(history.entries(actor="admin", limit=1)) == [10]


def test_default_limit_is_500(audit_log: Any) -> None:
    for n in range(501):
        audit_log.record(entry(n))

    newest = audit_log.entries()

    assert len(newest) == 500
    assert minutes(newest)[0] == 500 and minutes(newest)[-1] == 1


def test_empty_log(audit_log: Any) -> None:
    assert audit_log.entries() == []


def test_an_entry_written_again_under_its_id_is_kept_once(audit_log: Any) -> None:
    # A spooled entry is written a second time when the spool could not be rewritten after
    # its replay (a crash, a full disk) or when two processes replay it at once.
    waited = replace(entry(5, target="content/01HZX"), entry_id="01JAUDITENTRY0000000000001")
    audit_log.record(waited)
    audit_log.record(waited)
    audit_log.record(entry(6))  # entries without an id are all kept
    audit_log.record(entry(6))

    assert minutes(audit_log.entries()) == [6, 6, 5]
