"""The Bedrock connectivity check as a use case: authorised (``Action.CHECK_SETTINGS``), run
on an admin's click through the Bedrock probe the composition root hands in
(``services/adapters/aws/bedrock/check.py``), and audited (action ``bedrock.check``). Never in
the AWS emulation, which has no Bedrock (the doctor's rule too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.domain.checks import CheckStep
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, require
from services.domain.users import ANONYMOUS_ACTOR
from services.errors import PermissionDenied, ServiceUnavailable, ValidationError
from services.ops.audit import record_audit
from services.ports import AuditLog
from services.settings import Settings

AUDIT_ACTION = "bedrock.check"
# Offered by the admin page's model picker after the configured model (current Claude models;
# global./apac. are inference profiles, see bedrock_errors).
MODEL_CHOICES = (
    "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    "global.anthropic.claude-sonnet-4-6",
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "apac.anthropic.claude-haiku-4-5-20251001-v1:0",
    "apac.anthropic.claude-sonnet-4-5-20250929-v1:0",
)
# (model id) -> (the Region used, the steps)
BedrockProbe = Callable[[str], tuple[str | None, list[CheckStep]]]


@dataclass(frozen=True)
class BedrockCheckReport:
    model_id: str
    region: str | None
    steps: tuple[CheckStep, ...]

    @property
    def ok(self) -> bool:
        return all(step.ok or step.skipped for step in self.steps)

    @property
    def first_failure(self) -> CheckStep | None:
        return next((s for s in self.steps if not s.ok and not s.skipped), None)


def emulated_without_bedrock(settings: Settings) -> bool:
    """The one rule for the AWS emulation (scripts/emulate.py), which has no Bedrock and points
    its endpoints at a closed port: the report page offers no Bedrock model, the doctor skips
    Bedrock and says why, and the check page says so instead of offering a run."""
    return settings.emulation


def run_bedrock_check(
    actor: Actor,
    settings: Settings,
    audit: AuditLog,
    model_id: str | None = None,
    *,
    probe: BedrockProbe,
    clock: Callable[[], datetime] = utcnow,
) -> BedrockCheckReport:
    """Run every step for ``model_id`` (default: the configured model) and audit the result."""
    model = (model_id or settings.bedrock_model_id).strip()
    try:
        require(actor, Action.CHECK_SETTINGS)
    except PermissionDenied:
        _record(audit, clock(), actor, model or "-", "denied", {})
        raise
    if not model:
        raise ValidationError("llm.err_no_model")
    if emulated_without_bedrock(settings):  # nothing to reach: no call made, nothing audited
        raise ServiceUnavailable("admin_tools.bedrock_emulated")
    region, steps = probe(model)
    report = BedrockCheckReport(model, region, tuple(steps))
    _record(audit, clock(), actor, model, "ok" if report.ok else "failed", _summary(report))
    return report


def _summary(report: BedrockCheckReport) -> dict[str, str]:
    detail = {"aws_region": report.region or "-"}
    for step in report.steps:
        detail[step.name] = "skipped" if step.skipped else "ok" if step.ok else step.detail.key
    return detail


def _record(
    audit: AuditLog, ts: datetime, actor: Actor, target: str, outcome: str,
    detail: dict[str, str],
) -> None:
    record_audit(audit, ts, actor.user_id or ANONYMOUS_ACTOR, AUDIT_ACTION, target, outcome,
                 detail)
