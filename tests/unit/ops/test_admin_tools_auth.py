"""Every admin-tools use case refuses every non-admin (in the service layer, not only in the
menu), records the refusal, and touches nothing else; admins are let through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from services.adapters.aws.bedrock import check as bedrock_probe
from services.adapters.aws.bedrock.check import BedrockClients
from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied
from services.ops.audit_view import AuditQuery
from services.settings import Settings

TODAY = date(2026, 11, 26)
NON_ADMINS = {
    "anonymous": Actor.anonymous(),
    "viewer": Actor("vera", roles=frozenset({Role.VIEWER})),
    "author": Actor("alice", roles=frozenset({Role.AUTHOR})),
    "analyst": Actor("ana", roles=frozenset({Role.ANALYST})),
    "author+analyst": Actor("both", roles=frozenset({Role.AUTHOR, Role.ANALYST})),
}
ADMIN = Actor("root", roles=frozenset({Role.ADMIN}))


def _no_clients(settings: Settings) -> BedrockClients:
    raise AssertionError("a refused check must not build AWS clients")


Action = Callable[[Actor, Services], object]
ACTIONS: dict[str, tuple[Action, str]] = {
    "bedrock.check": (lambda actor, services: services.ops.check_bedrock(actor),
                      "bedrock.check"),
    "doctor.run": (lambda actor, services: services.ops.run_doctor(actor, {}, False),
                   "doctor.run"),
    "audit.entries": (lambda actor, services: services.ops.audit_entries(
        actor, AuditQuery(TODAY, TODAY)), "audit.view"),
    "audit.choices": (lambda actor, services: services.ops.audit_choices(actor, TODAY, TODAY),
                      "audit.view"),
}


@pytest.mark.parametrize("who", list(NON_ADMINS))
@pytest.mark.parametrize("name", list(ACTIONS))
def test_non_admins_are_refused_and_the_refusal_is_recorded(
    who: str, name: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bedrock_probe, "make_clients", _no_clients)
    call, audited_as = ACTIONS[name]
    actor = NON_ADMINS[who]

    with pytest.raises(PermissionDenied):
        call(actor, services)

    [entry] = services.ports.audit.entries()
    assert (entry.action, entry.outcome) == (audited_as, "denied")
    assert entry.actor == (actor.user_id or "anonymous")


@pytest.mark.parametrize("name", ["doctor.run", "audit.entries", "audit.choices"])
def test_admins_may(name: str, services: Services) -> None:
    call, _ = ACTIONS[name]

    call(ADMIN, services)  # no PermissionDenied
