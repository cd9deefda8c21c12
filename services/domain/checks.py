"""What the Bedrock check and the config doctor report: i18n messages, steps and lines.

Pure data, shared by the checks' use cases (``services/ops``) and the probes that look at the
resources themselves (``services/adapters``). Messages are rendered by the page or the script in
their language; parameter values are data and are shown literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DOCTOR_PREFIX = "admin_tools."


@dataclass(frozen=True)
class Message:
    """An i18n key and its parameters."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckStep:
    """One step of the Bedrock check."""

    name: str
    ok: bool
    seconds: float
    detail: Message
    fix: Message | None = None
    skipped: bool = False


@dataclass(frozen=True)
class DoctorLine:
    """One finding of the config doctor, with its fix when it failed."""

    check: str
    ok: bool
    detail: Message
    fix: Message | None = None
    # Passed only because it did not run (not configured, not used, left out): shown neutral.
    skipped: bool = False


def doctor_line(check: str, ok: bool, detail: str, fix: str | None = None,
                **params: Any) -> DoctorLine:
    """A line whose messages are ``admin_tools.<detail>`` and ``admin_tools.<fix>``."""
    return DoctorLine(check, ok, Message(DOCTOR_PREFIX + detail, params),
                      Message(DOCTOR_PREFIX + fix, params) if fix else None)


def skipped_line(check: str, detail: str, **params: Any) -> DoctorLine:
    """A line for a check that did not run: it fails nothing and is shown as skipped."""
    return DoctorLine(check, True, Message(DOCTOR_PREFIX + detail, params), skipped=True)
