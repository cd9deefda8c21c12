"""BedrockLLM: Converse request shapes and error mapping (botocore Stubber), botocore's retries
(a scripted HTTP endpoint: Stubber answers before retries are decided), and ConverseStream
parsing (``StreamingRuntime``, documented in tests/doubles/bedrock.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from urllib3.exceptions import ProtocolError
from urllib3.exceptions import ReadTimeoutError as URLLib3ReadTimeoutError

from services.adapters.aws.bedrock.llm import (
    CHECK_CONFIG,
    TOTAL_ATTEMPTS,
    BedrockLLM,
    converse_kwargs,
    make_bedrock_client,
)
from services.domain.llm import LLMRequest
from services.errors import (
    ConfigError,
    DemoFactoryError,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from services.i18n import LANGUAGES, translate
from services.settings import Settings
from tests.doubles.aws_http import (
    Reply,
    ScriptedEndpoint,
    error_reply,
    instant_backoff,
    scripted_endpoint,
)
from tests.doubles.bedrock import (
    APAC_PROFILE,
    MODEL,
    REGION,
    StreamingRuntime,
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


# ---- retries (botocore's, over HTTP) -----------------------------------------------------------


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    return instant_backoff(monkeypatch)


@pytest.fixture
def bedrock_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake keys; ``at`` then points the production client factory at a scripted endpoint."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@contextmanager
def bedrock_at(
    monkeypatch: pytest.MonkeyPatch, *replies: Reply
) -> Iterator[tuple[BedrockLLM, ScriptedEndpoint]]:
    with scripted_endpoint(*replies) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint.url)
        client = make_bedrock_client("bedrock-runtime", Settings(bedrock_region=REGION))
        yield BedrockLLM(client), endpoint


THROTTLED = error_reply("ThrottlingException", 429, "Too many requests, please wait.")


@pytest.mark.usefixtures("bedrock_env")
def test_throttling_is_retried_with_backoff_then_succeeds(
    monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    with bedrock_at(monkeypatch, THROTTLED, THROTTLED, Reply(200, converse_response("OK"))) as (
        llm, endpoint
    ):
        result = llm.complete(REQUEST)

    assert result.text == "OK"
    assert endpoint.requests == [f"/model/{MODEL}/converse"] * 3
    assert len(waits) == 2 and all(w >= 0 for w in waits)


@pytest.mark.usefixtures("bedrock_env")
def test_throttling_that_never_ends_becomes_quota_exceeded_after_the_last_attempt(
    monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    with bedrock_at(monkeypatch, THROTTLED) as (llm, endpoint), pytest.raises(
        QuotaExceeded
    ) as caught:
        llm.complete(REQUEST)

    assert len(endpoint.requests) == TOTAL_ATTEMPTS == 5
    assert caught.value.key == "llm.err_throttled"
    assert isinstance(caught.value.__cause__, ClientError)


@pytest.mark.usefixtures("bedrock_env")
@pytest.mark.parametrize(
    ("code", "status", "key"),
    [
        ("ModelNotReadyException", 429, "llm.err_not_ready"),
        ("ServiceUnavailableException", 503, "llm.err_unavailable"),
        ("InternalServerException", 500, "llm.err_unavailable"),
    ],
)
def test_transient_errors_are_retried_like_throttling(
    monkeypatch: pytest.MonkeyPatch, waits: list[float], code: str, status: int, key: str
) -> None:
    transient = error_reply(code, status, "try later")
    with bedrock_at(monkeypatch, transient, Reply(200, converse_response("OK"))) as (
        llm, endpoint
    ):
        assert llm.complete(REQUEST).text == "OK"
        assert len(endpoint.requests) == 2
        endpoint.replies = [transient]
        with pytest.raises(ServiceUnavailable) as caught:
            llm.complete(REQUEST)

    assert caught.value.key == key
    assert len(endpoint.requests) == 2 + TOTAL_ATTEMPTS


@pytest.mark.usefixtures("bedrock_env")
@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("AccessDeniedException", 403, PermissionDenied),
        ("ValidationException", 400, ValidationError),
        ("ModelTimeoutException", 408, ServiceUnavailable),
        ("ResourceNotFoundException", 404, ConfigError),
    ],
)
def test_errors_that_a_retry_cannot_fix_are_sent_once(
    monkeypatch: pytest.MonkeyPatch, waits: list[float], code: str, status: int,
    error: type[DemoFactoryError],
) -> None:
    with bedrock_at(monkeypatch, error_reply(code, status, "no")) as (llm, endpoint), (
        pytest.raises(error)
    ):
        llm.complete(REQUEST)

    assert len(endpoint.requests) == 1
    assert waits == []


@pytest.mark.usefixtures("bedrock_env")
def test_the_stream_request_is_retried_too(
    monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    denied = error_reply("AccessDeniedException", 403, IAM_DENIAL)
    with bedrock_at(monkeypatch, THROTTLED) as (llm, endpoint):
        with pytest.raises(QuotaExceeded):
            llm.stream(REQUEST)
        assert endpoint.requests == [f"/model/{MODEL}/converse-stream"] * TOTAL_ATTEMPTS
        endpoint.replies = [denied]
        with pytest.raises(PermissionDenied) as caught:
            llm.stream(REQUEST)

    assert len(endpoint.requests) == TOTAL_ATTEMPTS + 1
    assert caught.value.key == "llm.err_access_denied_iam"


def test_the_connectivity_check_makes_a_single_attempt() -> None:
    assert CHECK_CONFIG.retries == {"mode": "standard", "total_max_attempts": 1}
    assert CHECK_CONFIG.read_timeout == 120


# ---- error mapping (Stubber: no retries, the translation alone) ---------------------------------


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
def test_errors_are_raised_with_their_key(
    code: str, message: str, error: type[DemoFactoryError], key: str
) -> None:
    client, stub = stubbed("bedrock-runtime")
    stub.add_client_error("converse", code, message, 400)

    with pytest.raises(error) as caught:
        BedrockLLM(client).complete(REQUEST)

    assert caught.value.key == key
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
        BedrockLLM(client).complete(REQUEST)

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


@pytest.mark.parametrize(
    ("broken", "key"),
    [
        (ProtocolError("Connection broken: ConnectionResetError(104, 'reset')",
                       ConnectionResetError(104, "reset")), "llm.err_unreachable"),
        (URLLib3ReadTimeoutError(None, None, "Read timed out."), "llm.err_timeout"),  # type: ignore[arg-type]
        (ConnectionResetError(104, "Connection reset by peer"), "llm.err_unreachable"),
    ],
)
def test_a_connection_lost_mid_stream_is_service_unavailable(
    broken: Exception, key: str
) -> None:
    """The events of a stream are read from the raw HTTP response: the network failing there
    raises urllib3's (or the socket's) errors, not botocore's."""
    events: list[Any] = stream_events(["하나 ", "둘 "])
    events.insert(2, broken)  # after the first text chunk
    stream = BedrockLLM(StreamingRuntime(events)).stream(REQUEST)
    seen: list[str] = []

    with pytest.raises(ServiceUnavailable) as caught:
        for chunk in stream:
            seen.append(chunk)

    assert seen == ["하나 "]
    assert caught.value.key == key and caught.value.__cause__ is broken
    for lang in LANGUAGES:
        text = translate(lang, caught.value.key, **caught.value.params)
        assert text != key and "{" not in text, text  # a message, every placeholder filled


def test_a_stream_closed_midway_releases_its_http_response() -> None:
    runtime = StreamingRuntime(stream_events(["하나 ", "둘 "]))
    stream = BedrockLLM(runtime).stream(REQUEST)
    assert next(iter(stream)) == "하나 "

    stream.close()  # a click stopped the page reading it

    assert runtime.streams[0].closed  # at once, not when the stream is collected
