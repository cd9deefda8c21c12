"""Bedrock failures, diagnosed: what happened (``llm.err_<kind>``) and the fix (``llm.fix_<kind>``).

One table serves the model adapter (which raises the project's exception for the diagnosis) and
the admin connectivity check (which shows the message and the fix). Diagnoses are made from the
exception type, the AWS error code and, where one code means several things (AccessDenied,
ValidationException, ResourceNotFoundException), the message text that Bedrock sends.

Inference profiles: models that cannot be invoked on demand are called through a cross-Region
profile whose id is the model id with a geography prefix: ``us.``, ``eu.``, ``apac.`` (plus
``jp.``/``au.`` for some models), or ``global.`` for every commercial Region.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    ResponseStreamingError,
    TokenRetrievalError,
)
from urllib3.exceptions import HTTPError as URLLib3Error
from urllib3.exceptions import TimeoutError as URLLib3Timeout

from services.errors import (
    ConfigError,
    DemoFactoryError,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)

# Geography prefixes of system-defined inference profiles; "global." spans every Region.
PROFILE_PREFIXES = ("us-gov", "us", "eu", "apac", "jp", "au", "ca", "global")
GLOBAL_PREFIX = "global"

_NO_CREDENTIALS = {"NoCredentialsError", "PartialCredentialsError"}
_BAD_CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_DENIED = {"AccessDenied", "AccessDeniedException"}
_THROTTLED = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "ServiceQuotaExceededException",
}
_UNAVAILABLE = {
    "ServiceUnavailableException",
    "InternalServerException",
    "InternalFailure",
    "ModelErrorException",
    "ModelStreamErrorException",
}
_MODEL_ACCESS_HINTS = ("don't have access to the model", "do not have access to the model",
                       "use case details", "model access")
_ACTION_RE = re.compile(r"perform:\s*([\w-]+:[\w*]+)")


@dataclass(frozen=True)
class Diagnosis:
    """``kind`` names the row of the table; ``params`` fill both messages' placeholders."""

    kind: str
    error: type[DemoFactoryError]
    params: dict[str, str] = field(default_factory=dict)

    @property
    def message_key(self) -> str:
        return f"llm.err_{self.kind}"

    @property
    def fix_key(self) -> str:
        return f"llm.fix_{self.kind}"

    def to_error(self) -> DemoFactoryError:
        return self.error(self.message_key, kind=self.kind, **self.params)


# Every kind the table can produce, for the i18n completeness test.
KINDS = (
    "no_credentials", "bad_credentials", "expired_token", "no_region", "unknown_region",
    "unreachable", "endpoint_override", "timeout", "access_denied_iam", "model_access",
    "marketplace",
    "on_demand_unsupported", "invalid_model", "model_not_in_region", "model_retired",
    "throttled", "not_ready", "unavailable", "invalid_request", "unexpected",
)


def error_code(exc: BaseException) -> str:
    """The AWS error code, with event-stream codes ("throttlingException") capitalised."""
    if not isinstance(exc, ClientError):
        return type(exc).__name__
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code[:1].upper() + code[1:]


def error_message(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Message", ""))
    return str(exc)


def diagnose(
    exc: BaseException,
    *,
    region: str | None = None,
    model_id: str = "",
    profiles: Collection[str] | None = None,
    endpoint: str | None = None,
    service: str = "bedrock-runtime",
    environ: Mapping[str, str] | None = None,
) -> Diagnosis:
    """The row of the table for ``exc``. ``profiles`` (inference profile ids listed in the
    Region, if known) sharpen the suggested profile for an on-demand refusal; ``endpoint``
    (the client's) is named when the error does not say which one it could not reach;
    ``service`` is the client's (``bedrock`` for the listings, ``bedrock-runtime`` for
    Converse, ``sts``): its VPC endpoint, or the variable that set its address (read from
    ``environ``, the process environment by default), is what an unreachable one names."""
    base = {"model": model_id or "-", "region": region or "-", "code": error_code(exc)}
    found = (_diagnose_local(exc, base, endpoint, service, environ)
             or _diagnose_response(exc, base, profiles))
    return found or Diagnosis("unexpected", DemoFactoryError, base)


def endpoint_variable(service: str, endpoint: str,
                      environ: Mapping[str, str] | None = None) -> str | None:
    """The environment variable that set ``endpoint`` for ``service``, if one did. botocore
    reads the service's own (AWS_ENDPOINT_URL_BEDROCK_RUNTIME) before AWS_ENDPOINT_URL, and
    neither under AWS_IGNORE_CONFIGURED_ENDPOINT_URLS."""
    env = os.environ if environ is None else environ
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true":
        return None
    own = "AWS_ENDPOINT_URL_" + service.upper().replace("-", "_")
    for name in (own, "AWS_ENDPOINT_URL"):
        value = env.get(name, "").strip().rstrip("/")
        if value:
            return name if endpoint.startswith(value) else None
    return None


# The network failing while a stream is read. Its events come from the raw HTTP response, so
# these are urllib3's errors (or the socket's), not botocore's: botocore converts them only for
# a streaming body (``ResponseStreamingError``) and for the request itself.
TRANSPORT_ERRORS = (URLLib3Error, ConnectionError, ResponseStreamingError)
_TIMEOUTS = (ReadTimeoutError, URLLib3Timeout, TimeoutError)
_UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError,
                *TRANSPORT_ERRORS)


def _diagnose_local(
    exc: BaseException, base: dict[str, str], endpoint: str | None, service: str,
    environ: Mapping[str, str] | None,
) -> Diagnosis | None:
    """Failures raised by botocore (or the network under it), before or instead of an AWS
    answer."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError | ProfileNotFound):
        return Diagnosis("no_credentials", ServiceUnavailable, base)
    if isinstance(exc, TokenRetrievalError):  # an SSO session or web identity token expired
        return Diagnosis("expired_token", ServiceUnavailable, base)
    if isinstance(exc, NoRegionError):
        return Diagnosis("no_region", ConfigError, base)
    if isinstance(exc, _TIMEOUTS):
        return Diagnosis("timeout", ServiceUnavailable, base)
    if isinstance(exc, _UNREACHABLE):
        named = str(getattr(exc, "kwargs", {}).get("endpoint_url", "")) or endpoint or "-"
        params = {**base, "endpoint": named, "service": service}
        variable = endpoint_variable(service, named, environ)
        if variable is not None:  # an address this deployment chose: it will not mend itself
            return Diagnosis("endpoint_override", ServiceUnavailable,
                             {**params, "variable": variable})
        return Diagnosis("unreachable", ServiceUnavailable, params)
    return None


def _diagnose_response(
    exc: BaseException, base: dict[str, str], profiles: Collection[str] | None
) -> Diagnosis | None:
    if not isinstance(exc, ClientError):
        return None
    code = base["code"]
    message = error_message(exc)
    if code in _NO_CREDENTIALS:
        return Diagnosis("no_credentials", ServiceUnavailable, base)
    if code in _EXPIRED:
        return Diagnosis("expired_token", ServiceUnavailable, base)
    if code in _BAD_CREDENTIALS:
        return Diagnosis("bad_credentials", ServiceUnavailable, base)
    if code in _DENIED:
        return _access_denied(message, base)
    if code in _THROTTLED:
        return Diagnosis("throttled", QuotaExceeded, base)
    if code == "ModelNotReadyException":
        return Diagnosis("not_ready", ServiceUnavailable, base)
    if code == "ModelTimeoutException":
        return Diagnosis("timeout", ServiceUnavailable, base)
    if code in _UNAVAILABLE:
        return Diagnosis("unavailable", ServiceUnavailable, base)
    if code == "ValidationException":
        return _validation(message, base, profiles)
    if code == "ResourceNotFoundException":
        return _not_found(message, base, profiles)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if isinstance(status, int) and status >= 500:
        return Diagnosis("unavailable", ServiceUnavailable, base)
    return None


def _access_denied(message: str, base: dict[str, str]) -> Diagnosis:
    """IAM (or an SCP) refusing the call, versus the account lacking access to the model."""
    lowered = message.lower()
    if "marketplace" in lowered:
        return Diagnosis("marketplace", PermissionDenied, base)
    if any(hint in lowered for hint in _MODEL_ACCESS_HINTS):
        return Diagnosis("model_access", PermissionDenied, base)
    found = _ACTION_RE.search(message)
    action = found.group(1) if found else "bedrock:InvokeModel"
    return Diagnosis("access_denied_iam", PermissionDenied, {**base, "action": action})


def _validation(
    message: str, base: dict[str, str], profiles: Collection[str] | None
) -> Diagnosis:
    lowered = message.lower()
    if "on-demand throughput" in lowered:
        suggestions = suggest_profiles(base["model"], base["region"], profiles)
        return Diagnosis("on_demand_unsupported", ConfigError, {
            **base, "profile": suggestions[0], "alternatives": ", ".join(suggestions[1:]) or "-",
        })
    if "model identifier is invalid" in lowered:
        return Diagnosis("invalid_model", ConfigError, base)
    if "end of its life" in lowered or "legacy" in lowered:
        return Diagnosis("model_retired", ConfigError, base)
    return Diagnosis("invalid_request", ValidationError, {**base, "detail": message[:300]})


def _not_found(
    message: str, base: dict[str, str], profiles: Collection[str] | None
) -> Diagnosis:
    lowered = message.lower()
    if "end of its life" in lowered or "legacy" in lowered:
        return Diagnosis("model_retired", ConfigError, base)
    return not_in_region(base, profiles)


def not_in_region(base: dict[str, str], profiles: Collection[str] | None = None) -> Diagnosis:
    """The model (or profile) is not offered in the Region; suggests the Region's profile."""
    profile = suggest_profiles(base["model"], base["region"], profiles)[0]
    return Diagnosis("model_not_in_region", ConfigError, {**base, "profile": profile})


# --- inference profiles -------------------------------------------------------------------


def region_prefix(region: str | None) -> str | None:
    """The geography prefix of cross-Region profiles for a source Region, if there is one."""
    if not region:
        return None
    if region.startswith("us-gov-"):
        return "us-gov"
    for start, prefix in (("us-", "us"), ("eu-", "eu"), ("ap-", "apac"), ("ca-", "ca")):
        if region.startswith(start):
            return prefix
    return None


def base_model_id(model_id: str) -> str:
    """``apac.anthropic.claude-...`` -> ``anthropic.claude-...`` (an id without a prefix
    is returned as is)."""
    head, _, rest = model_id.partition(".")
    return rest if head in PROFILE_PREFIXES and rest else model_id


def is_profile_id(model_id: str) -> bool:
    return base_model_id(model_id) != model_id or model_id.startswith("arn:")


def suggest_profiles(
    model_id: str, region: str | None, profiles: Collection[str] | None = None
) -> list[str]:
    """Inference profile ids for ``model_id``, best first: the Region's geography, then global.

    With ``profiles`` (the ids listed in the Region) only listed ones are suggested, when any
    is; without, the ids are derived from the Region's prefix.
    """
    base = base_model_id(model_id)
    prefix = region_prefix(region)
    candidates = [f"{p}.{base}" for p in (prefix, GLOBAL_PREFIX) if p]
    if profiles:
        listed = [c for c in candidates if c in profiles]
        others = sorted(p for p in profiles if base_model_id(p) == base and p not in listed)
        if listed or others:
            return listed + others
    return candidates
