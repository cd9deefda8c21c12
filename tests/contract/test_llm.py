"""The LLM port's contract, run against every adapter: Bedrock (Stubber for ``converse``, the
documented ``converse_stream`` double for streaming) and the fake used by tests and offline paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from services.adapters.aws.bedrock.llm import BedrockLLM
from services.domain.llm import LLMRequest, LLMResult
from services.errors import DemoFactoryError, QuotaExceeded
from services.ports import LLM
from tests.doubles.bedrock import (
    MODEL,
    StreamingRuntime,
    client_error,
    converse_response,
    stream_error,
    stream_events,
    stubbed,
)
from tests.doubles.fake_llm import FakeLLM

CHUNKS = ["플랫폼 ", "이용이 ", "12% ", "늘었습니다."]
TEXT = "".join(CHUNKS)
USAGE = (42, 7)
REQUEST = LLMRequest(MODEL, system="보고서 작성자", prompt="지난 30일을 요약하세요.",
                     max_tokens=200, temperature=0.0)


@dataclass
class Scenario:
    """An adapter answering ``TEXT`` (as ``CHUNKS`` when streamed) with ``USAGE``."""

    healthy: Callable[[], LLM]
    throttled: Callable[[], LLM]  # refuses every request (Bedrock: after botocore's retries)
    broken_mid_stream: Callable[[], LLM]  # fails after the first two chunks


def _bedrock_answering(*stream_answers: Any, converse: list[Any]) -> BedrockLLM:
    client, stub = stubbed("bedrock-runtime")
    for answer in converse:
        if isinstance(answer, str):
            stub.add_client_error("converse", answer, "slow down", 429)
        else:
            stub.add_response("converse", answer)
    runtime = StreamingRuntime(*stream_answers, converse_client=client)
    return BedrockLLM(runtime)


def _bedrock() -> Scenario:
    events = stream_events(CHUNKS, *USAGE)
    broken: list[Any] = [*events[:3], stream_error("throttlingException", "slow down")]
    throttle = client_error("ThrottlingException", "slow down", 429, "ConverseStream")
    return Scenario(
        healthy=lambda: _bedrock_answering(
            events, converse=[converse_response(TEXT, *USAGE)]),
        throttled=lambda: _bedrock_answering(throttle, converse=["ThrottlingException"]),
        broken_mid_stream=lambda: _bedrock_answering(broken, converse=[]),
    )


def _fake() -> Scenario:
    throttled = QuotaExceeded("llm.err_throttled", kind="throttled")
    return Scenario(
        healthy=lambda: FakeLLM(CHUNKS, usage=USAGE),
        throttled=lambda: FakeLLM(CHUNKS, usage=USAGE, fail_with=throttled),
        broken_mid_stream=lambda: FakeLLM(CHUNKS, usage=USAGE, fail_with=throttled,
                                          fail_after=2),
    )


@pytest.fixture(params=["bedrock", "fake"])
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return _bedrock() if request.param == "bedrock" else _fake()


def _same_answer(result: LLMResult) -> None:
    assert result.text == TEXT
    assert (result.input_tokens, result.output_tokens) == USAGE
    assert result.model_id == MODEL
    assert result.stop_reason == "end_turn"
    assert result.latency_ms >= 0


def test_complete_returns_the_text_and_usage(scenario: Scenario) -> None:
    _same_answer(scenario.healthy().complete(REQUEST))


def test_stream_yields_the_chunks_then_the_same_result(scenario: Scenario) -> None:
    stream = scenario.healthy().stream(REQUEST)

    assert list(stream) == CHUNKS
    assert stream.done
    _same_answer(stream.result())


def test_a_stream_is_read_once_and_its_result_waits_for_the_end(scenario: Scenario) -> None:
    stream = scenario.healthy().stream(REQUEST)
    first = next(iter(stream))

    with pytest.raises(RuntimeError):
        stream.result()
    assert first == CHUNKS[0]
    assert list(stream) == []  # single use, like the network stream behind it


def test_a_refused_request_raises_a_project_error_from_the_call(scenario: Scenario) -> None:
    for call in (lambda llm: llm.complete(REQUEST), lambda llm: llm.stream(REQUEST)):
        with pytest.raises(QuotaExceeded) as caught:
            call(scenario.throttled())
        assert caught.value.key == "llm.err_throttled"


def test_a_failure_mid_stream_is_raised_by_the_iteration(scenario: Scenario) -> None:
    stream = scenario.broken_mid_stream().stream(REQUEST)
    seen: list[str] = []

    with pytest.raises(DemoFactoryError) as caught:
        for chunk in stream:
            seen.append(chunk)

    assert seen == CHUNKS[:2]
    assert caught.value.key == "llm.err_throttled"
    assert not stream.done
