"""Audit log reading: local-day windows, actor/action filters, pickers and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.bootstrap import Services
from services.domain.models import AuditEntry
from services.domain.permissions import Actor, Role
from services.errors import ValidationError
from services.ops.audit_view import AuditQuery, audit_choices, audit_entries, to_csv

SEOUL = ZoneInfo("Asia/Seoul")
ADMIN = Actor("root", roles=frozenset({Role.ADMIN}))


def _at(day: int, hour: int) -> datetime:
    """A UTC instant in November 2026."""
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def seeded(services: Services) -> Services:
    audit = services.ports.audit
    for entry in (
        AuditEntry(_at(24, 16), "root", "bedrock.check", "global.x", "ok"),  # 25th 01:00 KST
        AuditEntry(_at(25, 3), "alice", "content.create", "01J", "ok"),  # 25th 12:00 KST
        AuditEntry(_at(25, 14), "root", "user.set_roles", "bob", "ok"),  # 25th 23:00 KST
        AuditEntry(_at(25, 15), "root", "bedrock.check", "global.x", "failed",
                   {"converse": "llm.err_throttled"}),  # 26th 00:00 KST
    ):
        audit.record(entry)
    return services


def test_a_day_is_a_local_day(seeded: Services) -> None:
    day = date(2026, 11, 25)

    entries = audit_entries(ADMIN, seeded.ports.audit, AuditQuery(day, day), SEOUL)

    assert [e.action for e in entries] == ["user.set_roles", "content.create", "bedrock.check"]


def test_actor_and_action_filters_narrow_the_rows(seeded: Services) -> None:
    start, end = date(2026, 11, 24), date(2026, 11, 26)
    audit = seeded.ports.audit

    every = audit_entries(ADMIN, audit, AuditQuery(start, end), SEOUL)
    checks = audit_entries(ADMIN, audit, AuditQuery(start, end, action="bedrock.check"), SEOUL)
    alice = audit_entries(ADMIN, audit, AuditQuery(start, end, actor="alice"), SEOUL)

    assert (len(every), len(checks), len(alice)) == (4, 2, 1)
    assert {e.outcome for e in checks} == {"ok", "failed"}


def test_the_pickers_list_what_the_range_holds(seeded: Services) -> None:
    choices = audit_choices(ADMIN, seeded.ports.audit, date(2026, 11, 26), date(2026, 11, 26),
                            SEOUL)

    assert (choices.actors, choices.actions) == (["root"], ["bedrock.check"])


def test_an_end_before_the_start_is_refused(seeded: Services) -> None:
    with pytest.raises(ValidationError):
        audit_entries(ADMIN, seeded.ports.audit,
                      AuditQuery(date(2026, 11, 26), date(2026, 11, 25)), SEOUL)


def test_csv_is_utf8_with_a_bom_in_local_time_and_defuses_formulas() -> None:
    entries = [
        AuditEntry(_at(25, 3), "관리자", "content.create", "=HYPERLINK(\"x\")", "ok",
                   {"title": "생성형AI 데모"}),
    ]

    data = to_csv(entries, SEOUL)

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["ts", "actor", "action", "target", "outcome", "detail"]
    assert rows[1][:3] == ["2026-11-25T12:00:00+09:00", "관리자", "content.create"]
    assert rows[1][3] == "'=HYPERLINK(\"x\")"
    assert rows[1][5] == '{"title": "생성형AI 데모"}'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_defused_in_every_column(start: str) -> None:
    value = f"{start}cmd|' /C calc'!A0"
    entries = [AuditEntry(_at(25, 3), value, value, value, value, {})]

    rows = list(csv.reader(io.StringIO(to_csv(entries, SEOUL).decode("utf-8-sig"))))

    assert rows[1][1:5] == ["'" + value] * 4


def test_a_funnel_entry_is_named_by_its_funnel_while_it_exists(services: Services) -> None:
    """The log showed a funnel's raw id; an item's entries already had the item's title."""
    from services.domain.funnels import Step, StepKind

    assert services.funnels is not None
    steps = [Step(StepKind.PAGE, "home"), Step(StepKind.PAGE, "content")]
    kept = services.funnels.create(ADMIN, "홈 → 콘텐츠", steps, 30)
    gone = services.funnels.create(ADMIN, "지운 퍼널", steps, 30)
    services.funnels.delete(ADMIN, gone.id)
    today = datetime.now(SEOUL).date()
    entries = services.ops.audit_entries(ADMIN, AuditQuery(today, today))

    titles = services.ops.audit_titles(ADMIN, entries)

    assert titles[kept.id] == "홈 → 콘텐츠"
    assert gone.id not in titles  # a deleted funnel keeps its id
