"""The administrators' operations as one service: the Bedrock connectivity check, the config
doctor and the audit log. Every use case checks the actor's permission and is audited; the
probes and the doctor's checks come from the composition root."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from services.domain.models import AuditEntry, utcnow
from services.domain.permissions import Action, Actor, require
from services.ops.audit_spool import SpooledAuditLog
from services.ops.audit_view import (
    AuditChoices,
    AuditQuery,
    audit_choices,
    audit_entries,
    target_titles,
    to_csv,
)
from services.ops.bedrock_check import (
    BedrockCheckReport,
    BedrockProbe,
    emulated_without_bedrock,
    run_bedrock_check,
)
from services.ops.doctor.base import Check, DoctorContext, DoctorReport, run_doctor_for
from services.ports import AuditLog, ContentRepository, FunnelStore
from services.settings import Settings

# (environment, include the Bedrock steps) -> the doctor's context with the root's clients
DoctorContextFactory = Callable[[Mapping[str, str], bool], DoctorContext]


class OpsService:
    def __init__(self, settings: Settings, audit: AuditLog, *, bedrock_probe: BedrockProbe,
                 doctor_checks: Sequence[Check], doctor_context: DoctorContextFactory,
                 clock: Callable[[], datetime] = utcnow,
                 content: ContentRepository | None = None,
                 funnels: FunnelStore | None = None,
                 audit_spool: SpooledAuditLog | None = None) -> None:
        self._settings = settings
        self._content = content  # for the audit log's item titles and funnel names
        self._funnels = funnels
        self._audit = audit
        self._spool = audit_spool
        self._probe = bedrock_probe
        self._checks = tuple(doctor_checks)
        self._context = doctor_context
        self._clock = clock

    @property
    def bedrock_emulated(self) -> bool:
        """The AWS emulation, which has no Bedrock: the check page offers no run."""
        return emulated_without_bedrock(self._settings)

    def check_bedrock(self, actor: Actor, model_id: str | None = None) -> BedrockCheckReport:
        return run_bedrock_check(actor, self._settings, self._audit, model_id,
                                 probe=self._probe, clock=self._clock)

    def run_doctor(self, actor: Actor, env: Mapping[str, str],
                   include_bedrock: bool) -> DoctorReport:
        return run_doctor_for(actor, self._context(env, include_bedrock), self._audit,
                              self._checks, clock=self._clock)

    def audit_entries(self, actor: Actor, query: AuditQuery) -> list[AuditEntry]:
        return audit_entries(actor, self._audit, query, self._settings.tz, clock=self._clock)

    def audit_waiting(self, actor: Actor) -> int:
        """Entries the audit store refused, kept in the spool until it answers again."""
        require(actor, Action.VIEW_AUDIT)
        return self._spool.pending() if self._spool is not None else 0

    def audit_choices(self, actor: Actor, start: date, end: date) -> AuditChoices:
        return audit_choices(actor, self._audit, start, end, self._settings.tz,
                             clock=self._clock)

    def audit_csv(self, entries: Sequence[AuditEntry],
                  shown: Sequence[Mapping[str, str]] = ()) -> bytes:
        """The entries' codes and ids, and ``shown``: the same entries as the page words them."""
        return to_csv(entries, self._settings.tz, shown)

    def audit_titles(self, actor: Actor, entries: Sequence[AuditEntry]) -> dict[str, str]:
        """Titles of the content items and names of the funnels the entries name (those that
        still exist)."""
        return target_titles(actor, self._audit, entries, self._content, self._funnels,
                             clock=self._clock)
