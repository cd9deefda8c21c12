"""BedrockLLM: Converse request shapes (botocore Stubber), retries with backoff, error mapping,
and ConverseStream parsing (``StreamingRuntime``, documented in tests/doubles/bedrock.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from services.adapters.aws.bedrock.llm import BedrockLLM, converse_kwargs, make_bedrock_client
from services.domain.llm import LLMRequest
from services.errors import (
    ConfigError,
    DemoFactoryError,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from services.settings import Settings
from tests.doubles.bedrock import (
    APAC_PROFILE,
    MODEL,
    Sleeps,
    StreamingRuntime,
    client_error,
    converse_response,
    fake_client,
    stream_error,
    stream_events,
    stubbed,
)

REQUEST = LLMRequest(MODEL, system="당신은 분석가입니다.", prompt="요약해 주세요.", max_tokens=300,
                     temperature=0.3)
EXPECTED = {
    "modelId": MODEL,
    "messages": [{"role": "user", "content": [{"text": "요약해 주세요."}]}],
    "system": [{"text": "당신은 분석가입니다."}],
    "inferenceConfig": {"maxTokens": 300, "temperature": 0.3},
}
IAM_DENIAL = (
    "User: arn:aws:sts::123456789012:assumed-role/demo-factory/i-0abc is not authorized to "
    "perform: bedrock:InvokeModel on resource: arn:aws:bedrock:ap-northeast-2::foundation-model/"
    f"{MODEL} because no identity-based policy allows the bedrock:InvokeModel action"
)
ON_DEMAND = (
    f"Invocation of model ID {MODEL} with on-demand throughput isn’t supported. Retry your "
    "request with the ID or ARN of an inference profile that contains this model."
)


def test_converse_sends_the_documented_request_and_reads_the_answer() -> None:
    client, stub = stubbed("bedrock-runtime")
    stub.add_response("converse", converse_response("안녕하세요", 21, 4, 512, "max_tokens"),
                      EXPECTED)

    result = BedrockLLM(client).complete(REQUEST)

    stub.assert_no_pending_responses()
    assert (result.text, result.input_tokens, result.output_tokens) == ("안녕하세요", 21, 4)
    assert (result.latency_ms, result.stop_reason, result.model_id) == (512, "max_tokens", MODEL)
    assert result.total_tokens == 25


def test_an_empty_system_prompt_is_left_out() -> None:
    client, stub = stubbed("bedrock-runtime")
    expected = {k: v for k, v in EXPECTED.items() if k != "system"}
    stub.add_response("converse", converse_response(), expected)

    BedrockLLM(client).complete(LLMRequest(MODEL, "  ", "요약해 주세요.", 300, 0.3))

    stub.assert_no_pending_responses()
    assert "system" not in converse_kwargs(LLMRequest(MODEL, "", "p"))


def test_throttling_is_retried_with_growing_jittered_waits_then_succeeds() -> None:
    client, stub = stubbed("bedrock-runtime")
    for _ in range(2):
        stub.add_client_error("converse", "ThrottlingException", "Too many requests", 429)
    stub.add_response("converse", converse_response("OK"), EXPECTED)
    sleeps = Sleeps()

    result = BedrockLLM(client, max_retries=4, sleep=sleeps, jitter=lambda: 0.5).complete(REQUEST)

    assert result.text == "OK"
    # base 0.5 s doubled per attempt; equal jitter: half fixed + jitter * half.
    assert sleeps.calls == [pytest.approx(0.375), pytest.approx(0.75)]


def test_throttling_that_never_ends_becomes_quota_exceeded_after_max_retries() -> None:
    client, stub = stubbed("bedrock-runtime")
    for _ in range(3):
        stub.add_client_error("converse", "ThrottlingException", "Rate exceeded", 429)
    sleeps = Sleeps()

    with pytest.raises(QuotaExceeded) as caught:
        BedrockLLM(client, max_retries=2, sleep=sleeps).complete(REQUEST)

    stub.assert_no_pending_responses()
    assert len(sleeps.calls) == 2
    assert caught.value.key == "llm.err_throttled"
    assert isinstance(caught.value.__cause__, ClientError)


def test_backoff_is_exponential_capped_and_jittered_within_bounds() -> None:
    low = BedrockLLM(None, base_delay=1.0, max_delay=5.0, jitter=lambda: 0.0)
    high = BedrockLLM(None, base_delay=1.0, max_delay=5.0, jitter=lambda: 1.0)

    assert [low.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 2.5, 2.5]
    assert [high.delay(n) for n in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.parametrize(
    ("code", "message", "error", "key"),
    [
        ("AccessDeniedException", IAM_DENIAL, PermissionDenied, "llm.err_access_denied_iam"),
        ("AccessDeniedException", "You don't have access to the model with the specified "
         "model ID.", PermissionDenied, "llm.err_model_access"),
        ("AccessDeniedException", "Model access is denied due to IAM user or service role is "
         "not authorized to perform the required AWS Marketplace actions "
         "(aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access to "
         "this model.", PermissionDenied, "llm.err_marketplace"),
        ("ValidationException", ON_DEMAND, ConfigError, "llm.err_on_demand_unsupported"),
        ("ValidationException", "The provided model identifier is invalid.", ConfigError,
         "llm.err_invalid_model"),
        ("ValidationException", "max_tokens: 100000 > 64000, which is the maximum allowed",
         ValidationError, "llm.err_invalid_request"),
        ("ResourceNotFoundException", "This model version has reached the end of its life. "
         "Please refer to the AWS documentation for more details.", ConfigError,
         "llm.err_model_retired"),
        ("ResourceNotFoundException", "Model not found.", ConfigError,
         "llm.err_model_not_in_region"),
        ("ModelTimeoutException", "Model timed out", ServiceUnavailable, "llm.err_timeout"),
        ("ExpiredTokenException", "The security token included in the request is expired",
         ServiceUnavailable, "llm.err_expired_token"),
        ("UnrecognizedClientException", "The security token included in the request is "
         "invalid.", ServiceUnavailable, "llm.err_bad_credentials"),
    ],
)
def test_errors_that_a_retry_cannot_fix_are_raised_at_once_with_their_key(
    code: str, message: str, error: type[DemoFactoryError], key: str
) -> None:
    client, stub = stubbed("bedrock-runtime")
    stub.add_client_error("converse", code, message, 400)
    sleeps = Sleeps()

    with pytest.raises(error) as caught:
        BedrockLLM(client, sleep=sleeps).complete(REQUEST)

    assert caught.value.key == key
    assert sleeps.calls == []
    assert isinstance(caught.value.__cause__, ClientError)


def test_the_iam_denial_names_the_denied_action_and_on_demand_names_the_profile() -> None:
    client, stub = stubbed("bedrock-runtime")
    stub.add_client_error("converse", "AccessDeniedException", IAM_DENIAL.replace(
        "bedrock:InvokeModel on", "bedrock:InvokeModelWithResponseStream on"), 403)
    stub.add_client_error("converse", "ValidationException", ON_DEMAND, 400)
    llm = BedrockLLM(client)

    with pytest.raises(PermissionDenied) as denied:
        llm.complete(REQUEST)
    with pytest.raises(ConfigError) as on_demand:
        llm.complete(REQUEST)

    assert denied.value.params["action"] == "bedrock:InvokeModelWithResponseStream"
    assert on_demand.value.params["profile"] == APAC_PROFILE  # ap-northeast-2 -> apac.


@pytest.mark.parametrize(
    ("code", "error", "key"),
    [
        ("ModelNotReadyException", ServiceUnavailable, "llm.err_not_ready"),
        ("ServiceUnavailableException", ServiceUnavailable, "llm.err_unavailable"),
        ("InternalServerException", ServiceUnavailable, "llm.err_unavailable"),
    ],
)
def test_transient_errors_are_retried_like_throttling(
    code: str, error: type[DemoFactoryError], key: str
) -> None:
    client, stub = stubbed("bedrock-runtime")
    stub.add_client_error("converse", code, "try later", 503)
    stub.add_response("converse", converse_response("OK"), EXPECTED)
    stub.add_client_error("converse", code, "try later", 503)
    stub.add_client_error("converse", code, "try later", 503)
    sleeps = Sleeps()
    llm = BedrockLLM(client, max_retries=1, sleep=sleeps)

    assert llm.complete(REQUEST).text == "OK"
    with pytest.raises(error) as caught:
        llm.complete(REQUEST)

    assert caught.value.key == key
    assert len(sleeps.calls) == 2


def test_latency_is_measured_when_bedrock_sends_none() -> None:
    ticks = iter([10.0, 10.25])
    no_metrics = {"metadata": {"usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}}}
    runtime = StreamingRuntime([*stream_events(["a"])[:-1], no_metrics])
    stream = BedrockLLM(runtime, clock=lambda: next(ticks)).stream(REQUEST)

    assert stream.read_all().latency_ms == 250


def test_an_unreachable_endpoint_is_service_unavailable() -> None:
    # Port 9 on loopback refuses at once; one attempt, so no backoff to wait for.
    client = fake_client("bedrock-runtime", endpoint_url="http://127.0.0.1:9",
                         config=Config(retries={"max_attempts": 1}, connect_timeout=1))

    with pytest.raises(ServiceUnavailable) as caught:
        BedrockLLM(client, max_retries=0).complete(REQUEST)

    assert caught.value.key == "llm.err_unreachable"
    assert caught.value.params["endpoint"].startswith("http://127.0.0.1:9")


def test_missing_credentials_are_diagnosed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    client = make_bedrock_client("bedrock-runtime", Settings(bedrock_region="ap-northeast-2"))

    with pytest.raises(ServiceUnavailable) as caught:
        BedrockLLM(client).complete(REQUEST)

    assert caught.value.key == "llm.err_no_credentials"


def test_clients_use_the_bedrock_region_then_the_aws_region() -> None:
    both = Settings(bedrock_region="us-west-2", aws_region="ap-northeast-2")
    only_aws = Settings(aws_region="ap-northeast-2")

    assert make_bedrock_client("bedrock-runtime", both).meta.region_name == "us-west-2"
    assert make_bedrock_client("bedrock-runtime", only_aws).meta.region_name == "ap-northeast-2"


# ---- streaming ---------------------------------------------------------------------------------


def test_stream_yields_text_as_written_and_the_usage_after_the_end() -> None:
    runtime = StreamingRuntime(stream_events(["첫 ", "번째 ", "요약"], 30, 6, 777))
    stream = BedrockLLM(runtime).stream(REQUEST)

    with pytest.raises(RuntimeError):
        stream.result()  # not read yet
    chunks = list(stream)

    assert chunks == ["첫 ", "번째 ", "요약"]
    result = stream.result()
    assert (result.text, result.input_tokens, result.output_tokens) == ("첫 번째 요약", 30, 6)
    assert (result.latency_ms, result.stop_reason) == (777, "end_turn")
    assert runtime.calls == [EXPECTED]  # ConverseStream takes the same request as Converse


def test_stream_request_errors_are_raised_by_the_call_after_retries() -> None:
    sleeps = Sleeps()
    runtime = StreamingRuntime(
        client_error("ThrottlingException", "slow down", 429, "ConverseStream"),
        stream_events(["OK"]),
        client_error("AccessDeniedException", IAM_DENIAL, 403, "ConverseStream"),
    )
    llm = BedrockLLM(runtime, sleep=sleeps)

    assert llm.stream(REQUEST).read_all().text == "OK"
    with pytest.raises(PermissionDenied) as caught:
        llm.stream(REQUEST)

    assert len(sleeps.calls) == 1
    assert caught.value.key == "llm.err_access_denied_iam"


@pytest.mark.parametrize(
    ("event_code", "error", "key"),
    [
        ("throttlingException", QuotaExceeded, "llm.err_throttled"),
        ("modelStreamErrorException", ServiceUnavailable, "llm.err_unavailable"),
        ("validationException", ValidationError, "llm.err_invalid_request"),
    ],
)
def test_an_error_event_mid_stream_is_raised_by_the_iteration(
    event_code: str, error: type[DemoFactoryError], key: str
) -> None:
    events: list[Any] = stream_events(["하나 ", "둘 ", "셋"])
    events.insert(3, stream_error(event_code, "broken"))  # after two text chunks
    stream = BedrockLLM(StreamingRuntime(events)).stream(REQUEST)
    seen: list[str] = []

    with pytest.raises(error) as caught:
        for chunk in stream:
            seen.append(chunk)

    assert seen == ["하나 ", "둘 "]
    assert caught.value.key == key
    assert not stream.done
