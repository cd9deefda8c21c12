"""What every aws-mode adapter shares: client construction, error translation, item encoding.

Clients are built here from settings and handed to adapters (constructor argument), never created
at import time, so tests can inject moto-backed or Stubber-wrapped clients. botocore follows the
standard credential chain and, since 1.31, honours ``AWS_ENDPOINT_URL`` (and the per-service
``AWS_ENDPOINT_URL_<SERVICE>``) by itself: that is how tests and emulators redirect the clients.
"""

from __future__ import annotations

import functools
import logging
import random
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from services.errors import (
    ConfigError,
    ConflictError,
    DemoFactoryError,
    MailRefused,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from services.settings import Settings

if TYPE_CHECKING:
    # Typed clients (types-boto3, a development dependency): for the type checker only.
    from botocore.client import BaseClient
    from types_boto3_cognito_idp.client import CognitoIdentityProviderClient
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_s3.client import S3Client
    from types_boto3_ses.client import SESClient

log = logging.getLogger(__name__)

# Retries are botocore's, in its "standard" mode (the one AWS recommends for multi-tenant apps;
# "adaptive" would rate-limit the shared client, so every user of the process, after a throttle).
# It retries throttling codes (ThrottlingException, ProvisionedThroughputExceededException,
# SlowDown, ...), 5xx answers, connection errors and timeouts, with a full-jitter exponential
# backoff (1 s base when throttled, 25-50 ms otherwise, at most 20 s), and stops retrying early
# when its retry quota is spent, so an endpoint that keeps failing is not hammered.
# ``total_max_attempts`` counts the first call (botocore's ``max_attempts`` counts only retries).
# Short timeouts and few attempts: a page waiting on a dead endpoint should fail in seconds.
TOTAL_ATTEMPTS = 4
_BASE_CONFIG = Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS},
)
# SigV4 is needed for presigned URLs that carry X-Amz-Expires (botocore still defaults to SigV2
# for presigning on us-east-1) and is the only signature newer regions accept.
_S3_CONFIG = _BASE_CONFIG.merge(Config(signature_version="s3v4"))

_CONFLICT = {
    "ConditionalCheckFailedException",
    "TransactionCanceledException",
    "TransactionConflictException",
}
_NOT_FOUND = {"NoSuchKey", "NotFound", "404"}
_MISSING_RESOURCE = {"ResourceNotFoundException", "NoSuchBucket"}
_DENIED = {"AccessDenied", "AccessDeniedException", "AllAccessDisabled", "403"}
_BAD_CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "ExpiredToken",
    "ExpiredTokenException",
}
# SES refusing the message itself: the sender (or, in the sandbox, the recipient) is not a
# verified identity, or the MAIL FROM domain is not. Sending again cannot help.
_MAIL_REFUSED = {"MessageRejected", "MailFromDomainNotVerifiedException",
                 "MailFromDomainNotVerified"}
_THROTTLED = {
    "ThrottlingException",
    "Throttling",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "LimitExceededException",
}


@overload
def make_client(service: Literal["dynamodb"], settings: Settings) -> DynamoDBClient: ...
@overload
def make_client(service: Literal["s3"], settings: Settings) -> S3Client: ...
@overload
def make_client(
    service: Literal["cognito-idp"], settings: Settings
) -> CognitoIdentityProviderClient: ...
@overload
def make_client(service: Literal["ses"], settings: Settings) -> SESClient: ...
@overload
def make_client(service: str, settings: Settings) -> BaseClient: ...
def make_client(service: str, settings: Settings) -> BaseClient:
    """A client for ``service`` in ``settings.aws_region`` (else the standard region chain)."""
    config = _S3_CONFIG if service == "s3" else _BASE_CONFIG
    try:
        with _SESSION_LOCK:  # sessions are not thread-safe; the clients they make are
            session = _session(settings.aws_region)
            # The stubs type client() per literal service name; ``service`` is any of them.
            return cast("BaseClient", session.client(cast(Any, service), config=config))
    except NoRegionError as exc:
        raise ConfigError("aws.no_region") from exc


_SESSION_LOCK = threading.Lock()


@functools.cache
def _session(region: str | None) -> boto3.session.Session:
    """One session per region: a new one re-reads botocore's endpoint data (~0.1 s a client).

    The session resolves credentials once (role credentials refresh themselves); the endpoint,
    including ``AWS_ENDPOINT_URL``, is still resolved for each new client.
    """
    return boto3.session.Session(region_name=region)


def error_code(exc: Exception) -> str:
    """The AWS error code of a ClientError ("" for anything else)."""
    if not isinstance(exc, ClientError):
        return ""
    return str(exc.response.get("Error", {}).get("Code", ""))


def translate_client_error(exc: Exception) -> DemoFactoryError:
    """The project's exception for a botocore error (ClientError or BotoCoreError)."""
    if isinstance(exc, ClientError):
        return _translate_response_error(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ServiceUnavailable("aws.no_credentials")
    if isinstance(exc, ConnectionError | HTTPClientError):  # unreachable, timeouts, resets
        return ServiceUnavailable("errors.service_unavailable", detail=type(exc).__name__)
    return DemoFactoryError("errors.unexpected", detail=type(exc).__name__)


def _translate_response_error(exc: ClientError) -> DemoFactoryError:
    code = error_code(exc)
    context = {"operation": exc.operation_name, "code": code}
    if code in _CONFLICT:
        return ConflictError("errors.conflict", **context)
    if code in _NOT_FOUND:
        return NotFound("errors.not_found", **context)
    if code in _MISSING_RESOURCE:
        # A missing table or bucket is a deployment problem, not a missing record.
        return ServiceUnavailable("aws.resource_missing", **context)
    if code in _DENIED:
        return PermissionDenied("aws.access_denied", **context)
    if code in _BAD_CREDENTIALS:
        return ServiceUnavailable("aws.no_credentials", **context)
    if code in _THROTTLED:
        return QuotaExceeded("aws.throttled", **context)
    if code in _MAIL_REFUSED:
        return MailRefused("errors.mail_refused", **context)
    message = str(exc.response.get("Error", {}).get("Message", ""))
    if code == "ValidationException" and "size" in message.lower():
        return ValidationError("aws.item_too_large", **context)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if isinstance(status, int) and status >= 500:
        return ServiceUnavailable("errors.service_unavailable", **context)
    return DemoFactoryError("errors.unexpected", **context)


# Everything a botocore call may raise about the service (not programming errors).
AWS_ERRORS = (ClientError, BotoCoreError)


def condition_failed(exc: Exception) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def cancellation_codes(exc: Exception) -> list[str]:
    """Per action, why a TransactWriteItems was cancelled ("None" for actions that were fine,
    "ConditionalCheckFailed", "TransactionConflict", ...); empty for any other error."""
    if not isinstance(exc, ClientError) or error_code(exc) != "TransactionCanceledException":
        return []
    return [str(r.get("Code", "None")) for r in exc.response.get("CancellationReasons", [])]


@contextmanager
def aws_errors(
    on_condition_failed: Callable[[ClientError], DemoFactoryError] | None = None,
) -> Iterator[None]:
    """Re-raise botocore errors as project errors; details go to the log.

    ``on_condition_failed`` chooses the error for a failed ConditionExpression, whose meaning
    (the id exists, the version moved, the item is gone) only the caller knows.
    """
    try:
        yield
    except AWS_ERRORS as exc:
        if on_condition_failed and isinstance(exc, ClientError) and condition_failed(exc):
            raise on_condition_failed(exc) from exc
        translated = translate_client_error(exc)
        if not isinstance(translated, ConflictError | NotFound):
            log.warning("AWS call failed: %s (%s)", exc, translated)
        raise translated from exc


def resend_delay(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt`` (1-based) at what DynamoDB answered but left
    undone: UnprocessedKeys/UnprocessedItems of a batch (a 200 answer), a transaction cancelled
    by a conflict or a per-item throttle, an optimistic lock lost to another writer.

    botocore retries failed HTTP calls only (and not TransactionCanceledException), so those
    loops stay the adapters'; AWS advises backing off between them: 50 ms doubling per attempt,
    at most 2 s, jittered so that competing writers spread out.
    """
    return min(2.0, 0.05 * 2.0**attempt) * random.uniform(0.5, 1.0)  # noqa: S311 (not crypto)


# --- DynamoDB item encoding -------------------------------------------------------------------

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values -> DynamoDB attribute values. ``None`` values are left out."""
    return {k: _SERIALIZER.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values -> plain values, numbers as int (we store no fractions)."""
    return {k: _plain(_DESERIALIZER.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def version_condition(version: int) -> dict[str, Any]:
    """The ConditionExpression of an optimistic write to an item of a table keyed on ``sk``:
    it is still at ``version`` (0: it does not exist yet)."""
    if version == 0:
        return {"ConditionExpression": "attribute_not_exists(sk)"}
    return {
        "ConditionExpression": "#version = :version",
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": {":version": {"N": str(version)}},
    }


def to_iso(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601, so that string order is time order (index sort keys).

    A naive datetime is rejected rather than guessed at (as the SQLite adapters do): the domain
    only makes aware ones.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError("errors.invalid_input", reason="naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
