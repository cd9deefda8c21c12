"""Every admin-tools use case refuses every non-admin (in the service layer, not only in the
menu), records the refusal, and touches nothing else; admins are let through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied
from services.ops import bedrock_check as diagnostics
from services.ops.audit_view import AuditQuery, audit_choices, audit_entries
from services.ops.doctor import base as doctor
from services.ops.doctor.base import Check, DoctorContext, DoctorLine
from services.ports import AuditLog
from services.settings import Settings

SEOUL = ZoneInfo("Asia/Seoul")
TODAY = date(2026, 11, 26)
NON_ADMINS = {
    "anonymous": Actor.anonymous(),
    "viewer": Actor("vera", roles=frozenset({Role.VIEWER})),
    "author": Actor("alice", roles=frozenset({Role.AUTHOR})),
    "analyst": Actor("ana", roles=frozenset({Role.ANALYST})),
    "author+analyst": Actor("both", roles=frozenset({Role.AUTHOR, Role.ANALYST})),
}
ADMIN = Actor("root", roles=frozenset({Role.ADMIN}))
_PASSING = [Check("noop", lambda context: [DoctorLine("noop", True, diagnostics.Message("x"))])]


def _no_clients(settings: Settings) -> diagnostics.BedrockClients:
    raise AssertionError("a refused check must not build AWS clients")


Action = Callable[[Actor, AuditLog, Settings], object]
ACTIONS: dict[str, tuple[Action, str]] = {
    "bedrock.check": (lambda actor, audit, settings: diagnostics.run_bedrock_check(
        actor, settings, audit), "bedrock.check"),
    "doctor.run": (lambda actor, audit, settings: doctor.run_doctor_for(
        actor, DoctorContext(settings, include_bedrock=False), audit, checks=_PASSING),
        "doctor.run"),
    "audit.entries": (lambda actor, audit, settings: audit_entries(
        actor, audit, AuditQuery(TODAY, TODAY), SEOUL), "audit.view"),
    "audit.choices": (lambda actor, audit, settings: audit_choices(
        actor, audit, TODAY, TODAY, SEOUL), "audit.view"),
}


@pytest.mark.parametrize("who", list(NON_ADMINS))
@pytest.mark.parametrize("name", list(ACTIONS))
def test_non_admins_are_refused_and_the_refusal_is_recorded(
    who: str, name: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagnostics, "make_clients", _no_clients)
    call, audited_as = ACTIONS[name]
    actor = NON_ADMINS[who]

    with pytest.raises(PermissionDenied):
        call(actor, services.ports.audit, services.settings)

    [entry] = services.ports.audit.entries()
    assert (entry.action, entry.outcome) == (audited_as, "denied")
    assert entry.actor == (actor.user_id or "anonymous")


@pytest.mark.parametrize("name", ["doctor.run", "audit.entries", "audit.choices"])
def test_admins_may(name: str, services: Services) -> None:
    call, _ = ACTIONS[name]

    call(ADMIN, services.ports.audit, services.settings)  # no PermissionDenied
