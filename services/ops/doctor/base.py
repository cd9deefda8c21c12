"""The config doctor: checks every setting and resource of the current mode, each with a fix.

A check is a function ``(DoctorContext) -> list[DoctorLine]`` registered with the modes it
applies to. Checks of settings and files live beside this module (``local.py``, ``oidc.py``);
checks that look at a backend's resources live with its adapters (``adapters/aws/doctor_checks.py``,
``adapters/aws/cognito/doctor_checks.py``, ``adapters/sqlite/doctor_checks.py``). The composition
root lists them all (``bootstrap.doctor_checks``) and fills the context with its clients.
A check that crashes is reported as a failed line, never a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from services.domain.checks import DoctorLine, Message
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, require
from services.domain.users import ANONYMOUS_ACTOR
from services.errors import DemoFactoryError, PermissionDenied
from services.i18n import for_administrator, translate
from services.ops.audit import record_audit
from services.ports import AuditLog
from services.reports.pdf.fonts import korean_font_path
from services.settings import Settings

log = logging.getLogger(__name__)

AUDIT_ACTION = "doctor.run"
ROOT = Path(__file__).resolve().parents[3]
STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"
OK_MARK, FAIL_MARK, SKIPPED_MARK = "✔", "✘", "–"

# A client factory: (settings) -> a boto3 client (or, for Bedrock, the probe's clients).
ClientFactory = Callable[[Settings], Any]


@dataclass(frozen=True)
class DoctorContext:
    """What the checks read. Every outside dependency is a field, so tests replace it; the
    client factories come from the composition root (None: the adapter's own default)."""

    settings: Settings
    streamlit_config: Path = STREAMLIT_CONFIG
    env: Mapping[str, str] = field(default_factory=dict)
    home: Path = field(default_factory=Path.home)  # where the AWS config folder is looked for
    include_bedrock: bool = True
    font_path: Callable[[], Path] = korean_font_path
    dynamodb: ClientFactory | None = None
    s3: ClientFactory | None = None
    cognito: ClientFactory | None = None
    ses: ClientFactory | None = None
    # Where Streamlit finds st.login's provider (DEMO_FACTORY_AUTH=oidc); see doctor_oidc.py
    secrets_files: tuple[Path, ...] = (ROOT / ".streamlit" / "secrets.toml",
                                       Path.home() / ".streamlit" / "secrets.toml")
    bedrock_clients: ClientFactory | None = None


CheckFn = Callable[[DoctorContext], list[DoctorLine]]


@dataclass(frozen=True)
class Check:
    name: str
    run: CheckFn
    modes: frozenset[str] = frozenset({"local", "aws"})


@dataclass(frozen=True)
class DoctorReport:
    mode: str
    lines: tuple[DoctorLine, ...]

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    @property
    def failures(self) -> list[DoctorLine]:
        return [line for line in self.lines if not line.ok]

    def summary(self) -> Message:
        """The closing line, page and script alike: checks that did not run are counted apart,
        never as passed, and named (each one's line says why it did not run: the summary gives
        no reason of its own)."""
        skipped = [line.check for line in self.lines if line.skipped]
        ran, failed = len(self.lines) - len(skipped), len(self.failures)
        key = "doc_summary_ok" if self.ok else "doc_summary_failed"
        return Message(f"admin_tools.{key}{'_skipped' if skipped else ''}", {
            "total": ran, "passed": ran - failed, "failed": failed, "skipped": len(skipped),
            "skipped_checks": ", ".join(skipped), "mode": self.mode})


def run_doctor(context: DoctorContext, checks: Sequence[Check]) -> DoctorReport:
    """Run the checks of the current mode (for operators: no actor, not audited)."""
    mode = context.settings.backend
    lines: list[DoctorLine] = []
    for check in checks:
        if mode in check.modes:
            lines.extend(_run_one(check, context))
    return DoctorReport(mode, tuple(lines))


def run_doctor_for(
    actor: Actor,
    context: DoctorContext,
    audit: AuditLog,
    checks: Sequence[Check],
    *,
    clock: Callable[[], datetime] = utcnow,
) -> DoctorReport:
    """The admin page's doctor run: authorised (``Action.CHECK_SETTINGS``) and audited."""
    try:
        require(actor, Action.CHECK_SETTINGS)
    except PermissionDenied:
        _record(audit, clock(), actor, "denied", {})
        raise
    report = run_doctor(context, checks)
    failed = ", ".join(line.check for line in report.failures)
    _record(audit, clock(), actor, "ok" if report.ok else "failed",
            {"failed": failed} if failed else {})
    return report


def _run_one(check: Check, context: DoctorContext) -> list[DoctorLine]:
    try:
        return check.run(context)
    except DemoFactoryError as exc:  # e.g. no AWS Region: the message names the setting
        return [DoctorLine(check.name, False, Message(exc.key, dict(exc.params)))]
    except Exception as exc:
        log.exception("doctor check %s crashed", check.name)
        detail = Message("admin_tools.doc_crashed", {"error": type(exc).__name__})
        return [DoctorLine(check.name, False, detail, Message("admin_tools.fix_crashed"))]


def _record(audit: AuditLog, ts: datetime, actor: Actor, outcome: str,
            detail: dict[str, str]) -> None:
    record_audit(audit, ts, actor.user_id or ANONYMOUS_ACTOR, AUDIT_ACTION, "config", outcome,
                 detail)


# ---- rendering (script and page) ------------------------------------------------------------


def render_message(message: Message, lang: str) -> str:
    """In the words for the administrator who runs the doctor (``for_administrator``)."""
    return translate(lang, for_administrator(message.key), **dict(message.params))


def text_lines(report: DoctorReport, lang: str) -> list[str]:
    """Human-readable lines: ✔/✘ (– when skipped), the check, what was found, and the fix
    under a failure."""
    out: list[str] = []
    for line in report.lines:
        mark = SKIPPED_MARK if line.skipped else OK_MARK if line.ok else FAIL_MARK
        out.append(f"{mark} {line.check}: {render_message(line.detail, lang)}")
        if not line.ok and line.fix is not None:
            out.append(f"    → {render_message(line.fix, lang)}")
    out.append(render_message(report.summary(), lang))
    return out


def json_report(report: DoctorReport, lang: str) -> str:
    data = {
        "mode": report.mode,
        "ok": report.ok,
        "checks": [
            {
                "check": line.check,
                "ok": line.ok,
                "skipped": line.skipped,
                "detail": render_message(line.detail, lang),
                "fix": render_message(line.fix, lang) if line.fix and not line.ok else None,
                "key": line.detail.key,
            }
            for line in report.lines
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
