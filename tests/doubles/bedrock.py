"""Bedrock test doubles: Stubber-wrapped real clients and a ``converse_stream`` stand-in.

moto has no Bedrock, and botocore's Stubber cannot stub ``converse_stream`` (its response body
is an event stream). ``StreamingRuntime`` therefore stands in for that one call. It returns what
the real client returns after botocore has parsed the stream: ``{"ResponseMetadata": ...,
"stream": <iterable of events>}``, where each event is a dict with exactly one key, as botocore
yields them (``botocore.eventstream.EventStream.__iter__``):

    {"messageStart": {"role": "assistant"}}
    {"contentBlockDelta": {"delta": {"text": "..."}, "contentBlockIndex": 0}}
    {"contentBlockStop": {"contentBlockIndex": 0}}
    {"messageStop": {"stopReason": "end_turn"}}
    {"metadata": {"usage": {"inputTokens": .., "outputTokens": .., "totalTokens": ..},
                  "metrics": {"latencyMs": ..}}}

An error event (e.g. ``throttlingException``) is not yielded: botocore raises it while
iterating, as ``EventStreamError`` (a ClientError) whose code is the event name, lower camel
case. Requests are validated against botocore's ConverseStream input shape, so a malformed
request fails here as it would in botocore.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import boto3
import botocore.session
from botocore.exceptions import ClientError, EventStreamError
from botocore.stub import Stubber
from botocore.validate import validate_parameters

REGION = "ap-northeast-2"
MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0"
APAC_PROFILE = f"apac.{MODEL}"
GLOBAL_PROFILE = f"global.{MODEL}"
ACCOUNT = "123456789012"


@functools.cache
def _session(region: str) -> boto3.session.Session:
    # One session per Region: each new session loads botocore's models again (~0.3 s).
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )


def fake_client(service: str, region: str = REGION, **kwargs: Any) -> Any:
    """A real botocore client with fake keys (a Stubber or a closed port answers it)."""
    return _session(region).client(service, **kwargs)


def stubbed(service: str, region: str = REGION) -> tuple[Any, Stubber]:
    client = fake_client(service, region)
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


def converse_response(
    text: str = "OK", input_tokens: int = 9, output_tokens: int = 2, latency_ms: int = 240,
    stop_reason: str = "end_turn",
) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": input_tokens, "outputTokens": output_tokens,
                  "totalTokens": input_tokens + output_tokens},
        "metrics": {"latencyMs": latency_ms},
    }


def stream_events(
    chunks: Sequence[str], input_tokens: int = 9, output_tokens: int = 2, latency_ms: int = 240,
    stop_reason: str = "end_turn",
) -> list[dict[str, Any]]:
    """The events botocore yields for a text answer written in ``chunks``."""
    return [
        {"messageStart": {"role": "assistant"}},
        *({"contentBlockDelta": {"delta": {"text": c}, "contentBlockIndex": 0}} for c in chunks),
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"messageStop": {"stopReason": stop_reason}},
        {"metadata": {
            "usage": {"inputTokens": input_tokens, "outputTokens": output_tokens,
                      "totalTokens": input_tokens + output_tokens},
            "metrics": {"latencyMs": latency_ms},
        }},
    ]


def client_error(code: str, message: str = "", status: int = 400,
                 operation: str = "Converse") -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": message},
                     "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, operation)


def stream_error(event_code: str, message: str = "") -> EventStreamError:
    """What botocore raises for an error event, e.g. ``throttlingException``."""
    return EventStreamError({"Error": {"Code": event_code, "Message": message}}, "ConverseStream")


_INPUT = botocore.session.get_session().get_service_model("bedrock-runtime").operation_model(
    "ConverseStream"
).input_shape


class _Meta:
    def __init__(self, region: str) -> None:
        self.region_name = region


class StreamingRuntime:
    """Stands in for ``bedrock-runtime``: ``converse_stream`` answers from a script.

    ``answers`` are consumed one per call: an exception is raised by the call itself; a list of
    events is returned as the stream (an ``EventStream``, kept in ``streams``), where an
    exception in the list is raised when iteration reaches it. ``converse`` is delegated to
    ``converse_client`` (a Stubber-wrapped client) when given.
    """

    def __init__(self, *answers: Sequence[Any] | BaseException, region: str = REGION,
                 converse_client: Any = None) -> None:
        self._answers = list(answers)
        self.meta = _Meta(region)
        self.calls: list[dict[str, Any]] = []
        self.streams: list[EventStream] = []
        self._converse_client = converse_client

    def converse_stream(self, **kwargs: Any) -> Mapping[str, Any]:
        validate_parameters(kwargs, _INPUT)
        self.calls.append(kwargs)
        answer = self._answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        stream = EventStream(list(answer))
        self.streams.append(stream)
        return {"ResponseMetadata": {"HTTPStatusCode": 200}, "stream": stream}

    def converse(self, **kwargs: Any) -> Mapping[str, Any]:
        assert self._converse_client is not None, "no converse client given"
        response: Mapping[str, Any] = self._converse_client.converse(**kwargs)
        return response


class EventStream:
    """What botocore's ``EventStream`` offers: the events, and ``close`` for the HTTP response
    they are read from (``closed`` says whether it was called)."""

    def __init__(self, events: list[Any]) -> None:
        self._events = events
        self.closed = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self._events:
            if isinstance(event, BaseException):
                raise event
            yield event

    def close(self) -> None:
        self.closed = True

