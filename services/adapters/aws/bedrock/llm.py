"""The LLM port on Amazon Bedrock's Converse API (``converse`` and ``converse_stream``).

The runtime client is injected (built by ``make_bedrock_client``, never at import time). Retries
are botocore's (``BEDROCK_CONFIG``): throttling, a model not ready, 5xx answers and connection
errors are tried again after a jittered exponential backoff, for ``Converse`` and for the
request of ``ConverseStream`` (an error event in the middle of a stream is not retried: text
was already shown). Every botocore error that remains becomes a project exception whose key is
``llm.err_<kind>`` (see ``bedrock_errors``), with the botocore error kept as ``__cause__``.

Stream events (``response["stream"]``, parsed by botocore) are dicts with one key each:
``messageStart`` {role}, ``contentBlockStart``, ``contentBlockDelta`` {delta: {text}},
``contentBlockStop``, ``messageStop`` {stopReason}, ``metadata`` {usage: {inputTokens,
outputTokens}, metrics: {latencyMs}}. An error event is raised by botocore while iterating, as
an ``EventStreamError`` (a ClientError) whose code is the event name ("throttlingException").
The network failing mid-stream raises urllib3's errors instead (the events are read from the
raw HTTP response); they become ``llm.err_unreachable`` or ``llm.err_timeout``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from services.adapters.aws.bedrock.errors import TRANSPORT_ERRORS, diagnose
from services.domain.llm import LLMRequest, LLMResult, LLMStream, StreamBody
from services.settings import Settings

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from types_boto3_bedrock.client import BedrockClient
    from types_boto3_bedrock_runtime.client import BedrockRuntimeClient

log = logging.getLogger(__name__)

# botocore's standard retry mode (see ``services.adapters.aws.common``), with more attempts than
# other services: Bedrock throttles by tokens per minute, which a short wait often frees.
# Reading a long answer takes time: the read timeout is per socket read, not per answer.
TOTAL_ATTEMPTS = 5
BEDROCK_CONFIG = Config(
    connect_timeout=5,
    read_timeout=120,
    retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS},
)
# The admin's connectivity check reports what a single call gets.
CHECK_CONFIG = BEDROCK_CONFIG.merge(
    Config(retries={"mode": "standard", "total_max_attempts": 1})
)
_AWS_ERRORS = (ClientError, BotoCoreError)
# Reading a stream's events reads the raw HTTP response: the network failing there raises
# urllib3's errors, which botocore does not convert (see ``TRANSPORT_ERRORS``).
_STREAM_ERRORS = (*_AWS_ERRORS, *TRANSPORT_ERRORS)


def bedrock_region(settings: Settings) -> str | None:
    """The Region Bedrock is called in: its own setting, else the app's AWS Region."""
    return settings.bedrock_region or settings.aws_region


@overload
def make_bedrock_client(
    service: Literal["bedrock-runtime"], settings: Settings, region: str | None = None
) -> BedrockRuntimeClient: ...
@overload
def make_bedrock_client(
    service: Literal["bedrock"], settings: Settings, region: str | None = None
) -> BedrockClient: ...
def make_bedrock_client(
    service: Literal["bedrock-runtime", "bedrock"], settings: Settings, region: str | None = None
) -> BaseClient:
    """A ``bedrock-runtime`` (or ``bedrock``) client that retries as ``BEDROCK_CONFIG`` says;
    raises NoRegionError without a Region."""
    session = boto3.session.Session(region_name=region or bedrock_region(settings))
    return session.client(service, config=BEDROCK_CONFIG)


def converse_kwargs(request: LLMRequest) -> dict[str, Any]:
    """The Converse (and ConverseStream) request for ``request``."""
    kwargs: dict[str, Any] = {
        "modelId": request.model_id,
        "messages": [{"role": "user", "content": [{"text": request.prompt}]}],
        "inferenceConfig": {
            "maxTokens": request.max_tokens,
            "temperature": request.temperature,
        },
    }
    if request.system.strip():
        kwargs["system"] = [{"text": request.system}]
    return kwargs


class BedrockLLM:
    """Implements ``services.ports.LLM``."""

    def __init__(
        self, runtime_client: BedrockRuntimeClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = runtime_client
        self._clock = clock

    @property
    def region(self) -> str | None:
        meta = getattr(self._client, "meta", None)
        return getattr(meta, "region_name", None)

    @property
    def endpoint(self) -> str | None:
        meta = getattr(self._client, "meta", None)
        return getattr(meta, "endpoint_url", None)

    def complete(self, request: LLMRequest) -> LLMResult:
        started = self._clock()
        response = self._call("converse", request)
        blocks = response.get("output", {}).get("message", {}).get("content", [])
        text = "".join(str(block.get("text", "")) for block in blocks)
        usage = response.get("usage", {})
        return LLMResult(
            text=text,
            input_tokens=int(usage.get("inputTokens", 0)),
            output_tokens=int(usage.get("outputTokens", 0)),
            latency_ms=_latency(response.get("metrics"), started, self._clock()),
            model_id=request.model_id,
            stop_reason=str(response.get("stopReason", "")),
        )

    def stream(self, request: LLMRequest) -> LLMStream:
        started = self._clock()
        response = self._call("converse_stream", request)
        return LLMStream(self._read_events(response["stream"], request, started))

    # ---- helpers -----------------------------------------------------------------------

    def _call(self, operation: str, request: LLMRequest) -> Mapping[str, Any]:
        """One call (botocore retries inside it); a remaining error becomes the project's."""
        try:
            response: Mapping[str, Any] = getattr(self._client, operation)(
                **converse_kwargs(request)
            )
        except _AWS_ERRORS as exc:
            diagnosis = diagnose(exc, region=self.region, model_id=request.model_id)
            # botocore's message says "(reached max retries: N)" when it retried in vain.
            log.warning("Bedrock %s failed: %s (%s)", operation, exc, diagnosis.kind)
            raise diagnosis.to_error() from exc
        return response

    def _read_events(
        self, events: Iterable[Mapping[str, Any]], request: LLMRequest, started: float
    ) -> StreamBody:
        parts: list[str] = []
        stop_reason = ""
        usage: Mapping[str, Any] = {}
        metrics: Mapping[str, Any] | None = None
        try:
            for event in events:
                if "contentBlockDelta" in event:
                    text = str(event["contentBlockDelta"].get("delta", {}).get("text", ""))
                    if text:
                        parts.append(text)
                        yield text
                elif "messageStop" in event:
                    stop_reason = str(event["messageStop"].get("stopReason", ""))
                elif "metadata" in event:
                    usage = event["metadata"].get("usage", {})
                    metrics = event["metadata"].get("metrics")
        except _STREAM_ERRORS as exc:
            diagnosis = diagnose(exc, region=self.region, model_id=request.model_id,
                                 endpoint=self.endpoint)
            log.warning("Bedrock stream broke off: %s (%s)", exc, diagnosis.kind)
            raise diagnosis.to_error() from exc
        finally:  # read to its end, broken off, or closed by a reader that stopped
            _release(events)
        return LLMResult(
            text="".join(parts),
            input_tokens=int(usage.get("inputTokens", 0)),
            output_tokens=int(usage.get("outputTokens", 0)),
            latency_ms=_latency(metrics, started, self._clock()),
            model_id=request.model_id,
            stop_reason=stop_reason,
        )


def _release(events: Iterable[Mapping[str, Any]]) -> None:
    """Close botocore's ``EventStream`` (its HTTP response): a stream left unread would hold
    the connection until it was collected."""
    close = getattr(events, "close", None)
    if close is not None:
        close()


def _latency(metrics: Mapping[str, Any] | None, started: float, ended: float) -> int:
    """Bedrock's own figure when it sends one, else the time measured here."""
    if metrics and "latencyMs" in metrics:
        return int(metrics["latencyMs"])
    return round((ended - started) * 1000)
