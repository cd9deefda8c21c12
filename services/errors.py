"""The project's own exceptions.

Adapters translate cloud and database errors into these so that pages can show one clear,
translated message per failure. Each error carries an i18n key (looked up with ``t``) and the
parameters the message needs; ``str(error)`` stays readable in logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DemoFactoryError(Exception):
    """Base class: ``key`` is an i18n message key, ``params`` fill its placeholders."""

    default_key = "errors.unexpected"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.default_key
        self.params = params
        detail = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"{self.key}({detail})" if detail else self.key)


class ValidationError(DemoFactoryError):
    """The user's input is not acceptable; nothing was stored."""

    default_key = "errors.invalid_input"


class Refusals(ValidationError):
    """Several inputs of one field refused at once (each bad file of one save), so a user fixes
    them all in one go: ``key`` introduces them, ``refusals`` keeps each one's own error, and
    the message is shown with a line per refusal."""

    def __init__(self, key: str, refusals: Sequence[DemoFactoryError], /, **params: Any) -> None:
        super().__init__(key, count=len(refusals), **params)
        self.refusals = tuple(refusals)

    def __str__(self) -> str:
        return "; ".join([super().__str__(), *map(str, self.refusals)])


def refused(found: Sequence[DemoFactoryError], key: str, /, **params: Any) -> None:
    """Raise what ``found`` holds: one refusal as itself, several as one ``Refusals``."""
    if len(found) == 1:
        raise found[0]
    if found:
        raise Refusals(key, found, **params)


class ConflictError(DemoFactoryError):
    """Someone else changed the thing first (optimistic locking) or it already exists."""

    default_key = "errors.conflict"


class NotFound(DemoFactoryError):
    default_key = "errors.not_found"


class PermissionDenied(DemoFactoryError):
    default_key = "errors.permission_denied"


class QuotaExceeded(DemoFactoryError):
    """A limit was hit: rate limit, token budget, upload size."""

    default_key = "errors.quota_exceeded"


class ServiceUnavailable(DemoFactoryError):
    """A backing service (database, bucket, model) did not answer."""

    default_key = "errors.service_unavailable"


class ConfigError(DemoFactoryError):
    """Settings are missing or wrong; raised at start-up with the variable's name."""

    default_key = "errors.config"


class MailRefused(DemoFactoryError):
    """The mail service refused the message itself (SES: the sender is not a verified identity,
    or in the SES sandbox the recipient is not). Sending again will not help until an
    administrator fixes the identity, so callers say so instead of "unexpected error"."""

    default_key = "errors.mail_refused"
