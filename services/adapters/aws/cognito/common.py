"""What the Cognito adapters share: SECRET_HASH and the translation of Cognito's errors.

Sign-in errors never tell an unknown user from a wrong password (both are
``auth.err_bad_credentials``); administrative calls keep NotFound and ConflictError.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError

from services.adapters.aws.common import AWS_ERRORS, error_code, translate_client_error
from services.errors import (
    ConflictError,
    DemoFactoryError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)

log = logging.getLogger(__name__)

_TOO_MANY = {
    "LimitExceededException",
    "TooManyRequestsException",
    "TooManyFailedAttemptsException",
}


def secret_hash(client_id: str, client_secret: str, username: str) -> str:
    """Cognito's SECRET_HASH: Base64(HMAC-SHA256(secret, username + client id))."""
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", ""))


def translate(exc: Exception, *, sign_in: bool = False) -> DemoFactoryError:
    """The project's error for a Cognito failure; ``sign_in`` hides whether a user exists."""
    code = error_code(exc)
    if code == "NotAuthorizedException" and isinstance(exc, ClientError):
        message = _message(exc).lower()
        if "attempts exceeded" in message:
            return QuotaExceeded("cognito.err_too_many")
        if "refresh token has expired" in message:  # its lifetime at the pool: not revoked
            return PermissionDenied("cognito.err_session_expired")
        return PermissionDenied("auth.err_bad_credentials")
    if code == "UserNotFoundException":
        return PermissionDenied("auth.err_bad_credentials") if sign_in else NotFound(
            "errors.not_found"
        )
    if code in ("UsernameExistsException", "AliasExistsException"):
        return ConflictError("errors.conflict")
    if code == "InvalidPasswordException":
        return ValidationError("cognito.err_password_policy")
    if code in ("CodeMismatchException", "ExpiredCodeException"):
        return ValidationError("cognito.err_code")
    if code in _TOO_MANY:
        return QuotaExceeded("cognito.err_too_many")
    if code == "PasswordResetRequiredException":
        return PermissionDenied("cognito.err_reset_required")
    if code == "UserNotConfirmedException":
        return PermissionDenied("cognito.err_not_confirmed")
    if code == "InvalidParameterException":
        return ValidationError("cognito.err_invalid")
    if code == "ResourceNotFoundException":
        # The pool or app client id (or the Region) is wrong: bootstrap_aws, which the generic
        # "missing table or bucket" message points to, makes no Cognito resources.
        return ServiceUnavailable("cognito.err_not_found", code=code)
    return translate_client_error(exc)


@contextmanager
def cognito_errors(*, sign_in: bool = False) -> Iterator[None]:
    """Re-raise botocore errors as project errors; details go to the log."""
    try:
        yield
    except AWS_ERRORS as exc:
        translated = translate(exc, sign_in=sign_in)
        if not isinstance(translated, PermissionDenied | NotFound | ConflictError):
            log.warning("Cognito call failed: %s (%s)", exc, translated)
        raise translated from exc
