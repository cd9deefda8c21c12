"""aws_common: botocore errors become project errors; clients follow settings and the env, and
retry as botocore's standard mode does.

Adapter-level error checks use botocore's Stubber (a canned error response, never retried: it
answers before botocore decides on retries) and a client pointed at a closed local port, so no
test waits on a network timeout. Retries are checked against a scripted HTTP endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.stub import Stubber

from services.adapters.aws.common import (
    TOTAL_ATTEMPTS,
    aws_errors,
    make_client,
    translate_client_error,
)
from services.adapters.aws.dynamodb.content import DynamoContentRepository
from services.adapters.aws.dynamodb.sessions import DynamoSessionStore
from services.adapters.aws.s3 import S3BlobStore
from services.domain.models import SearchQuery
from services.errors import (
    ConfigError,
    ConflictError,
    DemoFactoryError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from services.i18n import LANGUAGES, catalog
from tests.contract.aws_backends import aws_environment, aws_settings
from tests.doubles.aws_http import Reply, error_reply, instant_backoff, scripted_endpoint


def client_error(code: str, message: str = "", status: int = 400) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "SomeOperation")


@pytest.mark.parametrize(
    ("code", "expected", "key"),
    [
        ("ConditionalCheckFailedException", ConflictError, "errors.conflict"),
        ("TransactionCanceledException", ConflictError, "errors.conflict"),
        ("NoSuchKey", NotFound, "errors.not_found"),
        ("ResourceNotFoundException", ServiceUnavailable, "aws.resource_missing"),
        ("NoSuchBucket", ServiceUnavailable, "aws.resource_missing"),
        ("AccessDeniedException", PermissionDenied, "aws.access_denied"),
        ("AccessDenied", PermissionDenied, "aws.access_denied"),
        ("ExpiredTokenException", ServiceUnavailable, "aws.no_credentials"),
        ("ThrottlingException", QuotaExceeded, "aws.throttled"),
        ("ProvisionedThroughputExceededException", QuotaExceeded, "aws.throttled"),
        ("SlowDown", QuotaExceeded, "aws.throttled"),
        ("SomethingNew", DemoFactoryError, "errors.unexpected"),
    ],
)
def test_client_errors_by_code(code: str, expected: type, key: str) -> None:
    error = translate_client_error(client_error(code))

    assert type(error) is expected
    assert error.key == key
    assert error.params["code"] == code and error.params["operation"] == "SomeOperation"


def test_server_errors_are_unavailable_and_oversized_items_are_invalid() -> None:
    assert type(translate_client_error(client_error("InternalServerError", status=500))) is (
        ServiceUnavailable
    )
    too_big = client_error("ValidationException", "Item size has exceeded the maximum allowed size")
    assert translate_client_error(too_big).key == "aws.item_too_large"
    assert isinstance(translate_client_error(too_big), ValidationError)


@pytest.mark.parametrize(
    ("exc", "key"),
    [
        (EndpointConnectionError(endpoint_url="http://x"), "errors.service_unavailable"),
        (ReadTimeoutError(endpoint_url="http://x"), "errors.service_unavailable"),
        (NoCredentialsError(), "aws.no_credentials"),
    ],
)
def test_transport_errors_are_unavailable(exc: Exception, key: str) -> None:
    error = translate_client_error(exc)

    assert type(error) is ServiceUnavailable and error.key == key


def test_other_botocore_errors_are_unexpected() -> None:
    error = translate_client_error(ParamValidationError(report="bad"))

    assert type(error) is DemoFactoryError and error.key == "errors.unexpected"


def test_aws_errors_lets_the_caller_name_a_failed_condition() -> None:
    with pytest.raises(NotFound) as raised, aws_errors(lambda _: NotFound("errors.not_found")):
        raise client_error("ConditionalCheckFailedException")

    assert isinstance(raised.value.__cause__, ClientError)


def test_every_aws_message_exists_in_every_language() -> None:
    keys = [set(k for k in catalog(lang) if k.startswith("aws.")) for lang in LANGUAGES]

    assert keys[0] and all(k == keys[0] for k in keys)


# --- through the adapters ------------------------------------------------------------------


@pytest.fixture
def fake_env() -> Iterator[None]:
    with aws_environment():
        yield


@pytest.mark.usefixtures("fake_env")
def test_throttling_while_reading_is_quota_exceeded() -> None:
    client = make_client("dynamodb", aws_settings())
    repo = DynamoContentRepository(client, "content", "likes")
    with Stubber(client) as stubber:
        stubber.add_client_error("get_item", "ProvisionedThroughputExceededException")
        stubber.add_client_error("query", "ThrottlingException")

        with pytest.raises(QuotaExceeded):
            repo.get("a")
        with pytest.raises(QuotaExceeded):
            repo.search(SearchQuery())


@pytest.mark.usefixtures("fake_env")
def test_a_denied_bucket_is_permission_denied() -> None:
    client = make_client("s3", aws_settings())
    store = S3BlobStore(client, "bucket")
    with Stubber(client) as stubber:
        stubber.add_client_error("get_object", "AccessDenied", http_status_code=403)

        with pytest.raises(PermissionDenied):
            store.get("k")


@pytest.mark.usefixtures("fake_env")
def test_an_unreachable_endpoint_is_service_unavailable() -> None:
    # Port 9 (discard) on loopback: refused at once. One attempt: no backoff to wait for.
    client = boto3.session.Session(region_name="us-east-1").client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",
        config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=1),
    )

    with pytest.raises(ServiceUnavailable):
        DynamoContentRepository(client, "content", "likes").get("a")


def test_missing_credentials_are_service_unavailable(tmp_path: Path) -> None:
    nowhere = str(tmp_path / "none")
    with aws_environment(
        AWS_ACCESS_KEY_ID=None,
        AWS_SECRET_ACCESS_KEY=None,
        AWS_SESSION_TOKEN=None,
        AWS_SHARED_CREDENTIALS_FILE=nowhere,
        AWS_CONFIG_FILE=nowhere,
        AWS_EC2_METADATA_DISABLED="true",  # no instance-metadata lookup (and its timeout)
    ):
        client = boto3.session.Session(region_name="us-east-1").client("dynamodb")

        with pytest.raises(ServiceUnavailable) as raised:
            DynamoContentRepository(client, "content", "likes").get("a")

    assert raised.value.key == "aws.no_credentials"


# --- botocore's retries, over HTTP -------------------------------------------------------------

SESSION_ITEM = {"Item": {
    "key": {"S": "k"}, "username": {"S": "kim"}, "token": {"S": "sealed"},
    "created_at": {"S": "2026-12-01T00:00:00.000000+00:00"},
    "expires_at": {"S": "2026-12-02T00:00:00.000000+00:00"},
}}
THROTTLED = error_reply("ProvisionedThroughputExceededException", 400, "Rate of requests exceeded")


def test_a_throttled_read_is_retried_with_backoff_and_succeeds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits = instant_backoff(monkeypatch)
    with scripted_endpoint(THROTTLED, THROTTLED, Reply(200, SESSION_ITEM)) as endpoint, (
        aws_environment(AWS_ENDPOINT_URL=endpoint.url)
    ):
        store = DynamoSessionStore(make_client("dynamodb", aws_settings()), "sessions")

        assert store.get("k").username == "kim"

    assert len(endpoint.requests) == 3
    assert len(waits) == 2


def test_throttling_that_outlasts_the_attempts_is_quota_exceeded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instant_backoff(monkeypatch)
    with scripted_endpoint(THROTTLED) as endpoint, aws_environment(AWS_ENDPOINT_URL=endpoint.url):
        store = DynamoSessionStore(make_client("dynamodb", aws_settings()), "sessions")

        with pytest.raises(QuotaExceeded) as raised:
            store.get("k")

    assert raised.value.key == "aws.throttled"
    assert len(endpoint.requests) == TOTAL_ATTEMPTS == 4


def test_a_refusal_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    waits = instant_backoff(monkeypatch)
    denied = error_reply("AccessDeniedException", 400, "not authorized")
    with scripted_endpoint(denied) as endpoint, aws_environment(AWS_ENDPOINT_URL=endpoint.url):
        store = DynamoSessionStore(make_client("dynamodb", aws_settings()), "sessions")

        with pytest.raises(PermissionDenied):
            store.get("k")

    assert len(endpoint.requests) == 1 and waits == []


def test_every_client_retries_in_botocores_standard_mode() -> None:
    with aws_environment():
        clients = [make_client(name, aws_settings()) for name in
                   ("dynamodb", "s3", "cognito-idp", "ses")]

    for client in clients:
        assert client.meta.config.retries == {
            "mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS
        }


# --- make_client ---------------------------------------------------------------------------


def test_clients_follow_aws_endpoint_url_and_the_settings_region() -> None:
    with aws_environment(AWS_ENDPOINT_URL="http://127.0.0.1:4566"):
        dynamodb = make_client("dynamodb", aws_settings(aws_region="eu-central-1"))
        s3 = make_client("s3", aws_settings(aws_region="eu-central-1"))

    assert dynamodb.meta.endpoint_url == s3.meta.endpoint_url == "http://127.0.0.1:4566"
    assert dynamodb.meta.region_name == "eu-central-1"
    assert s3.meta.config.signature_version == "s3v4"


def test_without_endpoint_url_clients_go_to_aws() -> None:
    with aws_environment():
        client = make_client("dynamodb", aws_settings(aws_region="ap-northeast-2"))

    assert client.meta.endpoint_url == "https://dynamodb.ap-northeast-2.amazonaws.com"


def test_the_standard_region_chain_is_used_when_settings_have_none() -> None:
    with aws_environment(AWS_DEFAULT_REGION="ap-northeast-2", AWS_REGION="ap-northeast-2"):
        client = make_client("dynamodb", aws_settings(aws_region=None))

    assert client.meta.region_name == "ap-northeast-2"


def test_no_region_anywhere_is_a_config_error(tmp_path: Path) -> None:
    with aws_environment(
        AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_DEFAULT_REGION=None, AWS_REGION=None
    ), pytest.raises(ConfigError) as raised:
        make_client("dynamodb", aws_settings(aws_region=None))

    assert raised.value.key == "aws.no_region"
