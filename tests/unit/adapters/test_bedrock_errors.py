"""The diagnosis table: every botocore failure maps to one kind, whose message and fix exist in
both languages and render with the parameters the diagnosis carries; profile suggestions."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import (
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    ResponseStreamingError,
    TokenRetrievalError,
)
from urllib3.exceptions import ProtocolError
from urllib3.exceptions import ReadTimeoutError as URLLib3ReadTimeoutError

from services.adapters.aws.bedrock.errors import (
    KINDS,
    base_model_id,
    diagnose,
    is_profile_id,
    region_prefix,
    suggest_profiles,
)
from services.i18n import LANGUAGES, catalog, for_administrator, translate
from tests.doubles.bedrock import APAC_PROFILE, GLOBAL_PROFILE, MODEL, client_error, stream_error

ENDPOINT = "https://bedrock-runtime.ap-northeast-2.amazonaws.com/model/x/converse"
# The environment the cases are diagnosed in: one endpoint set by a variable.
OVERRIDE = "http://127.0.0.1:9"
ENVIRON = {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": OVERRIDE}
CASES: list[tuple[BaseException, str]] = [
    (NoCredentialsError(), "no_credentials"),
    (PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"), "no_credentials"),
    (ProfileNotFound(profile="demo"), "no_credentials"),
    (TokenRetrievalError(provider="sso", error_msg="Token has expired"), "expired_token"),
    (NoRegionError(), "no_region"),
    (EndpointConnectionError(endpoint_url=ENDPOINT), "unreachable"),
    (EndpointConnectionError(endpoint_url=f"{OVERRIDE}/model/x/converse"), "endpoint_override"),
    (ReadTimeoutError(endpoint_url=ENDPOINT), "timeout"),
    # A stream's events come from the raw HTTP response: its failures are urllib3's or the
    # socket's (botocore wraps them only for a streaming body, as ResponseStreamingError).
    (ProtocolError("Connection broken: IncompleteRead(0 bytes read)"), "unreachable"),
    (ResponseStreamingError(error=ProtocolError("Connection broken")), "unreachable"),
    (ConnectionResetError(104, "Connection reset by peer"), "unreachable"),
    (URLLib3ReadTimeoutError(None, None, "Read timed out."), "timeout"),  # type: ignore[arg-type]
    (TimeoutError("timed out"), "timeout"),
    (client_error("ExpiredToken", "The security token included in the request is expired", 403),
     "expired_token"),
    (client_error("ExpiredTokenException", "expired", 403), "expired_token"),
    (client_error("InvalidClientTokenId", "The security token is invalid.", 403),
     "bad_credentials"),
    (client_error("AccessDeniedException", "User: arn:aws:sts::1:assumed-role/r/s is not "
                  "authorized to perform: bedrock:InvokeModel on resource: x with an explicit "
                  "deny in a service control policy", 403), "access_denied_iam"),
    (client_error("AccessDeniedException", "", 403), "access_denied_iam"),
    (client_error("AccessDeniedException", "You don't have access to the model with the "
                  "specified model ID.", 403), "model_access"),
    (client_error("AccessDeniedException", "Model use case details have not been submitted for "
                  "this account.", 403), "model_access"),
    (client_error("AccessDeniedException", "Model access is denied due to IAM user or service "
                  "role is not authorized to perform the required AWS Marketplace actions", 403),
     "marketplace"),
    (client_error("ValidationException", f"Invocation of model ID {MODEL} with on-demand "
                  "throughput isn’t supported."), "on_demand_unsupported"),
    (client_error("ValidationException", "The provided model identifier is invalid."),
     "invalid_model"),
    (client_error("ResourceNotFoundException", "Model not found", 404), "model_not_in_region"),
    (client_error("ResourceNotFoundException", "This model version has reached the end of its "
                  "life.", 404), "model_retired"),
    (client_error("ResourceNotFoundException", "Access denied. This Model is marked by provider "
                  "as Legacy and you have not been actively using the model in the last 30 "
                  "days.", 404), "model_retired"),
    (client_error("ThrottlingException", "Too many requests", 429), "throttled"),
    (client_error("ServiceQuotaExceededException", "quota", 400), "throttled"),
    (stream_error("throttlingException", "slow down"), "throttled"),
    (client_error("ModelNotReadyException", "not ready", 429), "not_ready"),
    (client_error("ModelTimeoutException", "timed out", 408), "timeout"),
    (client_error("InternalServerException", "oops", 500), "unavailable"),
    (client_error("ModelErrorException", "model error", 424), "unavailable"),
    (stream_error("modelStreamErrorException", "broken"), "unavailable"),
    (client_error("SomethingNew", "?", 503), "unavailable"),
    (client_error("ValidationException", "temperature: range: 0..1"), "invalid_request"),
    (client_error("SomethingNew", "?", 400), "unexpected"),
    (ValueError("not AWS at all"), "unexpected"),
]
_PLACEHOLDER = re.compile(r"\{\w+\}")


@pytest.mark.parametrize(("exc", "kind"), CASES, ids=lambda v: getattr(v, "__name__", None))
def test_each_failure_gets_its_diagnosis(exc: BaseException, kind: str) -> None:
    found = diagnose(exc, region="ap-northeast-2", model_id=MODEL, environ=ENVIRON)

    assert found.kind == kind
    for lang in LANGUAGES:
        for key in (found.message_key, for_administrator(found.message_key), found.fix_key):
            text = translate(lang, key, **found.params)
            assert key in catalog(lang), key
            assert not _PLACEHOLDER.search(text), (lang, key, text)  # every placeholder filled


def test_the_cases_cover_every_kind_the_adapter_can_produce() -> None:
    covered = {kind for _, kind in CASES}
    # unknown_region is judged by the connectivity check (from botocore's Region list).
    assert set(KINDS) - covered == {"unknown_region"}


def test_every_kind_has_a_message_and_a_fix_in_both_languages() -> None:
    for lang in LANGUAGES:
        missing = [k for kind in KINDS for k in (f"llm.err_{kind}", f"llm.fix_{kind}")
                   if k not in catalog(lang)]
        assert missing == []


def test_no_diagnosis_sends_the_reader_to_the_bedrock_check_page() -> None:
    # The Bedrock check page shows these messages itself: "open the Bedrock check page" there
    # sends the administrator to the page they are on.
    for lang in LANGUAGES:
        page = catalog(lang)["admin_tools.nav_bedrock"]
        naming = [k for kind in KINDS for k in (f"llm.err_{kind}", f"llm.fix_{kind}")
                  if page in catalog(lang)[k]]
        assert naming == [], lang


# What the administrator reads would tell them to ask an administrator (they are one).
_ASK_AN_ADMIN = {"ko": "관리자", "en": "administrator"}


@pytest.mark.parametrize(("exc", "kind"), CASES, ids=lambda v: getattr(v, "__name__", None))
def test_the_check_tells_the_administrator_what_to_do_not_to_ask_one(
    exc: BaseException, kind: str
) -> None:
    """The Bedrock check and the doctor read "an administrator needs to set the credentials"
    to the administrator; a user who meets the error is still told an administrator must act."""
    found = diagnose(exc, region="ap-northeast-2", model_id=MODEL, environ=ENVIRON)
    for lang, word in _ASK_AN_ADMIN.items():
        for key in (for_administrator(found.message_key), found.fix_key):
            assert word not in translate(lang, key, **found.params).lower(), (lang, key)
    assert "관리자" in translate("ko", diagnose(NoCredentialsError()).message_key)


def test_an_endpoint_variable_is_named_only_for_the_address_it_set() -> None:
    refused = EndpointConnectionError(endpoint_url=f"{OVERRIDE}/foundation-models")
    general = {"AWS_ENDPOINT_URL": OVERRIDE}
    other = {"AWS_ENDPOINT_URL_BEDROCK": "http://localhost:4566"}
    ignored = {**general, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}

    found = diagnose(refused, service="bedrock", environ=general)
    assert (found.kind, found.params["variable"]) == ("endpoint_override", "AWS_ENDPOINT_URL")
    # The service's own variable wins over the general one (as botocore reads them); an
    # address neither set is the client's own.
    assert diagnose(refused, service="bedrock", environ={**general, **other}).kind == (
        "unreachable")
    assert diagnose(refused, service="bedrock", environ=ignored).kind == "unreachable"
    assert diagnose(refused, service="bedrock", environ={}).params["service"] == "bedrock"


def test_the_iam_denial_names_the_action_it_denies() -> None:
    exc = client_error("AccessDeniedException", "User: x is not authorized to perform: "
                       "bedrock:ListFoundationModels because no identity-based policy allows")

    assert diagnose(exc).params["action"] == "bedrock:ListFoundationModels"


def test_errors_carry_the_kind_and_the_botocore_details_stay_out_of_the_message() -> None:
    exc = client_error("ThrottlingException", "secret internal detail", 429)
    error = diagnose(exc, region="us-east-1", model_id=MODEL).to_error()

    assert error.key == "llm.err_throttled"
    assert error.params["kind"] == "throttled"
    assert "secret internal detail" not in translate("en", error.key, **error.params)


@pytest.mark.parametrize(
    ("region", "prefix"),
    [("ap-northeast-2", "apac"), ("ap-southeast-1", "apac"), ("us-east-1", "us"),
     ("us-west-2", "us"), ("eu-central-1", "eu"), ("us-gov-west-1", "us-gov"),
     ("ca-central-1", "ca"), ("sa-east-1", None), (None, None)],
)
def test_region_prefix(region: str | None, prefix: str | None) -> None:
    assert region_prefix(region) == prefix


def test_suggestions_use_the_regions_geography_then_global() -> None:
    assert suggest_profiles(MODEL, "ap-northeast-2") == [APAC_PROFILE, GLOBAL_PROFILE]
    assert suggest_profiles(f"eu.{MODEL}", "us-east-1") == [f"us.{MODEL}", GLOBAL_PROFILE]
    assert suggest_profiles(MODEL, "sa-east-1") == [GLOBAL_PROFILE]


def test_listed_profiles_narrow_the_suggestions() -> None:
    only_global = {GLOBAL_PROFILE, "apac.amazon.nova-pro-v1:0"}
    japan = {f"jp.{MODEL}", APAC_PROFILE}

    assert suggest_profiles(MODEL, "ap-northeast-2", only_global) == [GLOBAL_PROFILE]
    assert suggest_profiles(MODEL, "ap-northeast-1", japan) == [APAC_PROFILE, f"jp.{MODEL}"]
    assert suggest_profiles(MODEL, "ap-northeast-2", {"other"}) == [APAC_PROFILE, GLOBAL_PROFILE]


def test_profile_ids_and_their_base_model() -> None:
    assert base_model_id(APAC_PROFILE) == MODEL
    assert base_model_id(MODEL) == MODEL
    assert is_profile_id(GLOBAL_PROFILE) and not is_profile_id(MODEL)
