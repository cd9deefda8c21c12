"""The Bedrock connectivity check, each diagnosis driven by botocore Stubber errors (or, for
what the Stubber cannot produce, a real client without credentials or on a closed port)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.stub import Stubber

from services.adapters.aws.bedrock import check as bedrock_probe
from services.adapters.aws.bedrock.check import STEPS, BedrockClients, bedrock_steps, make_clients
from services.bootstrap import Services, build_services
from services.domain.checks import CheckStep
from services.domain.permissions import Actor, Role
from services.errors import ServiceUnavailable
from services.i18n import for_administrator, translate
from services.settings import Settings
from tests.doubles.bedrock import (
    ACCOUNT,
    APAC_PROFILE,
    GLOBAL_PROFILE,
    MODEL,
    REGION,
    converse_response,
    fake_client,
    stubbed,
)

ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/demo-factory/i-0abc"
KNOWN = ("ap-northeast-2", "ap-northeast-1", "us-east-1")
IAM_DENIAL = (f"User: {ARN} is not authorized to perform: bedrock:InvokeModel on resource: "
              "x because no identity-based policy allows the bedrock:InvokeModel action")


@dataclass
class Stubs:
    clients: BedrockClients
    sts: Stubber
    bedrock: Stubber
    runtime: Stubber

    def identity(self) -> Stubs:
        self.sts.add_response("get_caller_identity", {
            "UserId": "AROAEXAMPLE:i-0abc", "Account": ACCOUNT, "Arn": ARN}, {})
        return self

    def listing(self, models: Sequence[tuple[str, list[str]]] = ((MODEL, ["ON_DEMAND"]),),
                profiles: Sequence[str] = (APAC_PROFILE, GLOBAL_PROFILE)) -> Stubs:
        self.bedrock.add_response("list_foundation_models", {"modelSummaries": [
            {"modelArn": f"arn:aws:bedrock:{REGION}::foundation-model/{m}", "modelId": m,
             "inferenceTypesSupported": types} for m, types in models]}, {})
        self.bedrock.add_response("list_inference_profiles", {"inferenceProfileSummaries": [
            {"inferenceProfileName": p, "inferenceProfileId": p, "status": "ACTIVE",
             "type": "SYSTEM_DEFINED", "models": [{"modelArn": "arn:aws:bedrock:x"}],
             "inferenceProfileArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{p}"}
            for p in profiles]}, {})
        return self

    def listing_denied(self) -> Stubs:
        message = IAM_DENIAL.replace("bedrock:InvokeModel", "bedrock:ListFoundationModels")
        self.bedrock.add_client_error("list_foundation_models", "AccessDeniedException",
                                      message, 403)
        return self

    def availability(self, model: str = MODEL, **overrides: Any) -> Stubs:
        response = {"modelId": model, "agreementAvailability": {"status": "AVAILABLE"},
                    "authorizationStatus": "AUTHORIZED", "entitlementAvailability": "AVAILABLE",
                    "regionAvailability": "AVAILABLE", **overrides}
        self.bedrock.add_response("get_foundation_model_availability", response,
                                  {"modelId": model})
        return self

    def availability_denied(self) -> Stubs:
        self.bedrock.add_client_error("get_foundation_model_availability",
                                      "AccessDeniedException", IAM_DENIAL, 403)
        return self

    def converse(self, error: tuple[str, str, int] | None = None) -> Stubs:
        if error is None:
            self.runtime.add_response("converse", converse_response("OK", 9, 2, 240))
        else:
            self.runtime.add_client_error("converse", *error)
        return self

    def run(self, model: str = MODEL) -> list[CheckStep]:
        steps = bedrock_steps(self.clients, model)
        for stub in (self.sts, self.bedrock, self.runtime):
            stub.assert_no_pending_responses()
        return steps


def make_stubs(region: str | None = REGION, known: Sequence[str] = KNOWN) -> Stubs:
    sts, sts_stub = stubbed("sts", region or REGION)
    bedrock, bedrock_stub = stubbed("bedrock", region or REGION)
    runtime, runtime_stub = stubbed("bedrock-runtime", region or REGION)
    clients = BedrockClients(sts, bedrock if region else None, runtime if region else None,
                             region, tuple(known))
    return Stubs(clients, sts_stub, bedrock_stub, runtime_stub)


def by_name(steps: list[CheckStep]) -> dict[str, CheckStep]:
    assert [s.name for s in steps] == list(STEPS)
    return {s.name: s for s in steps}


def assert_diagnosis(step: CheckStep, kind: str) -> None:
    assert not step.ok and not step.skipped
    assert step.detail.key == f"llm.err_{kind}"
    assert step.fix is not None and step.fix.key == f"llm.fix_{kind}"


def test_a_healthy_setup_passes_every_step_with_latency_and_tokens() -> None:
    stubs = make_stubs().identity().listing().availability().converse()

    steps = by_name(stubs.run(APAC_PROFILE))

    assert all(s.ok and not s.skipped for s in steps.values())
    assert steps["credentials"].detail.params == {"account": ACCOUNT, "arn": ARN}
    assert steps["models"].detail.params == {"models": 1, "profiles": 2}
    assert steps["model_access"].detail.key == "admin_tools.detail_access_granted"
    converse = steps["converse"].detail.params
    assert (converse["latency_ms"], converse["input_tokens"], converse["output_tokens"]) == (
        240, 9, 2)
    assert all(s.seconds >= 0 for s in steps.values())


@pytest.fixture
def no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield


@pytest.mark.usefixtures("no_credentials")
def test_no_credentials_fails_the_first_step_and_skips_the_rest() -> None:
    steps = by_name(bedrock_steps(make_clients(Settings(bedrock_region=REGION)), MODEL))

    assert_diagnosis(steps["credentials"], "no_credentials")
    assert [s.skipped for s in steps.values()] == [False, True, True, True, True]


@pytest.mark.usefixtures("no_credentials")
def test_a_missing_named_profile_is_a_credentials_problem(
    monkeypatch: pytest.MonkeyPatch, services: Services
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    admin = Actor("root", roles=frozenset({Role.ADMIN}))

    settings = services.settings.model_copy(update={"bedrock_region": REGION})
    report = build_services(settings, services.ports).ops.check_bedrock(admin)

    assert_diagnosis(report.steps[0], "no_credentials")
    assert not report.ok


def test_an_expired_token() -> None:
    stubs = make_stubs()
    stubs.sts.add_client_error("get_caller_identity", "ExpiredToken",
                               "The security token included in the request is expired", 403)

    steps = by_name(stubs.run())

    assert_diagnosis(steps["credentials"], "expired_token")
    assert steps["region"].skipped


def test_an_unreachable_endpoint() -> None:
    closed = Config(retries={"max_attempts": 1}, connect_timeout=1)
    sts = fake_client("sts", endpoint_url="http://127.0.0.1:9", config=closed)
    clients = BedrockClients(sts, None, None, REGION, KNOWN)

    steps = by_name(bedrock_steps(clients, MODEL))

    assert_diagnosis(steps["credentials"], "unreachable")
    assert steps["credentials"].detail.params["endpoint"].startswith("http://127.0.0.1:9")


CLOSED = "http://127.0.0.1:9"  # a port nothing listens on: the connection is refused
_OVERRIDES = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME")


def _closed_bedrock(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, CheckStep]:
    """The steps with STS answering and both Bedrock clients made (as ``make_clients`` makes
    them, the environment's endpoint variables read) on the closed port."""
    for name in _OVERRIDES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    closed = Config(retries={"max_attempts": 1}, connect_timeout=1)
    at = {} if env else {"endpoint_url": CLOSED}  # without a variable: the client's own
    stubs = make_stubs().identity()
    clients = replace(stubs.clients, bedrock=fake_client("bedrock", config=closed, **at),
                      runtime=fake_client("bedrock-runtime", config=closed, **at))
    return by_name(bedrock_steps(clients, MODEL))


def _said(step: CheckStep, lang: str) -> str:
    """What the check page shows an administrator for a failed step: the detail, the fix."""
    assert step.fix is not None
    return " ".join((translate(lang, for_administrator(step.detail.key), **step.detail.params),
                     translate(lang, step.fix.key, **step.fix.params)))


def test_an_unreachable_endpoint_set_by_a_variable_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = _closed_bedrock(monkeypatch, AWS_ENDPOINT_URL_BEDROCK=CLOSED,
                            AWS_ENDPOINT_URL_BEDROCK_RUNTIME=f"{CLOSED}/")

    assert_diagnosis(steps["models"], "endpoint_override")
    assert_diagnosis(steps["converse"], "endpoint_override")
    assert "AWS_ENDPOINT_URL_BEDROCK " in _said(steps["models"], "en") + " "
    assert "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" in _said(steps["converse"], "ko")
    for step in (steps["models"], steps["converse"]):
        # A refused connection to a configured address does not mend itself.
        assert "try again" not in _said(step, "en").lower()
        assert "다시 시도" not in _said(step, "ko")
        assert "VPC" not in _said(step, "en")


def test_the_general_endpoint_variable_is_named_when_it_set_the_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = _closed_bedrock(monkeypatch, AWS_ENDPOINT_URL=CLOSED)

    assert steps["models"].detail.params["variable"] == "AWS_ENDPOINT_URL"
    assert "AWS_ENDPOINT_URL" in _said(steps["converse"], "en")


def test_an_unreachable_aws_endpoint_names_the_vpc_endpoint_of_the_failing_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = _closed_bedrock(monkeypatch)

    assert_diagnosis(steps["models"], "unreachable")
    assert_diagnosis(steps["converse"], "unreachable")
    # The listing is the control plane's; Converse is bedrock-runtime's.
    assert f"com.amazonaws.{REGION}.bedrock)" in _said(steps["models"], "en")
    assert f"com.amazonaws.{REGION}.bedrock-runtime)" in _said(steps["converse"], "en")
    assert "try again" not in _said(steps["models"], "en").lower()


def test_in_the_emulation_the_check_calls_nothing_and_says_there_is_no_bedrock(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(settings: Settings) -> BedrockClients:
        raise AssertionError("the emulation's Bedrock is never called")

    monkeypatch.setattr(bedrock_probe, "make_clients", never)
    admin = Actor("root", roles=frozenset({Role.ADMIN}))
    emulated = build_services(services.settings.model_copy(update={"emulation": True}),
                              services.ports)

    assert emulated.ops.bedrock_emulated
    with pytest.raises(ServiceUnavailable) as refused:
        emulated.ops.check_bedrock(admin)
    assert refused.value.key == "admin_tools.bedrock_emulated"
    assert "emulat" in translate("en", refused.value.key)
    assert not build_services(services.settings, services.ports).ops.bedrock_emulated


def test_no_region_and_an_unknown_region() -> None:
    missing = by_name(make_stubs(region=None).identity().run())
    typo = by_name(make_stubs(region="ap-northeast-9").identity().run())

    assert_diagnosis(missing["region"], "no_region")
    assert_diagnosis(typo["region"], "unknown_region")
    assert typo["region"].detail.params["region"] == "ap-northeast-9"
    assert missing["models"].skipped and typo["converse"].skipped


def test_iam_denial_is_told_apart_from_model_access_not_granted() -> None:
    iam = make_stubs().identity().listing().availability().converse(
        ("AccessDeniedException", IAM_DENIAL, 403))
    model_access = make_stubs().identity().listing().availability().converse(
        ("AccessDeniedException", "You don't have access to the model with the specified "
         "model ID.", 403))

    iam_step = by_name(iam.run())["converse"]
    access_step = by_name(model_access.run())["converse"]

    assert_diagnosis(iam_step, "access_denied_iam")
    assert iam_step.fix is not None and iam_step.fix.params["action"] == "bedrock:InvokeModel"
    assert_diagnosis(access_step, "model_access")


def test_model_access_not_granted_is_seen_before_the_call() -> None:
    stubs = make_stubs().identity().listing().availability(
        entitlementAvailability="NOT_AVAILABLE", agreementAvailability={"status": "PENDING"}
    ).converse(("AccessDeniedException", "You don't have access to the model with the "
                "specified model ID.", 403))

    steps = by_name(stubs.run())

    assert_diagnosis(steps["model_access"], "model_access")
    assert_diagnosis(steps["converse"], "model_access")


def test_an_iam_denied_listing_is_reported_and_the_call_still_decides() -> None:
    stubs = make_stubs().identity().listing_denied().availability_denied().converse()

    steps = by_name(stubs.run())

    assert_diagnosis(steps["models"], "access_denied_iam")
    assert steps["models"].detail.params["action"] == "bedrock:ListFoundationModels"
    assert steps["model_access"].skipped
    assert steps["converse"].ok


def test_on_demand_refusal_suggests_the_apac_profile_in_seoul() -> None:
    on_demand = (f"Invocation of model ID {MODEL} with on-demand throughput isn’t supported. "
                 "Retry your request with the ID or ARN of an inference profile that contains "
                 "this model.")
    stubs = make_stubs().identity().listing(models=[(MODEL, ["INFERENCE_PROFILE"])]).converse(
        ("ValidationException", on_demand, 400))

    steps = by_name(stubs.run(MODEL))

    for name in ("model_access", "converse"):
        assert_diagnosis(steps[name], "on_demand_unsupported")
        fix = steps[name].fix
        assert fix is not None
        assert fix.params["profile"] == APAC_PROFILE
        assert fix.params["alternatives"] == GLOBAL_PROFILE


def test_on_demand_refusal_without_a_listing_derives_the_profile_from_the_region() -> None:
    on_demand = f"Invocation of model ID {MODEL} with on-demand throughput isn’t supported."
    seoul = make_stubs().identity().listing_denied().availability_denied().converse(
        ("ValidationException", on_demand, 400))
    virginia = make_stubs(region="us-east-1").identity().listing_denied()
    virginia.availability_denied().converse(("ValidationException", on_demand, 400))

    seoul_fix = by_name(seoul.run())["converse"].fix
    virginia_fix = by_name(virginia.run())["converse"].fix

    assert seoul_fix is not None and seoul_fix.params["profile"] == f"apac.{MODEL}"
    assert seoul_fix.params["alternatives"] == f"global.{MODEL}"
    assert virginia_fix is not None and virginia_fix.params["profile"] == f"us.{MODEL}"


def test_a_model_not_offered_in_the_region() -> None:
    eu_profile = f"eu.{MODEL}"
    stubs = make_stubs().identity().listing().converse(
        ("ValidationException", "The provided model identifier is invalid.", 400))

    steps = by_name(stubs.run(eu_profile))

    assert_diagnosis(steps["model_access"], "model_not_in_region")
    fix = steps["model_access"].fix
    assert fix is not None and fix.params["profile"] == APAC_PROFILE
    assert_diagnosis(steps["converse"], "invalid_model")


def test_an_arn_the_listing_cannot_show_is_left_to_the_converse_call() -> None:
    """An application inference profile (or provisioned throughput) is named by an ARN, which
    neither listing holds: not a failure of the model step; the call decides."""
    arn = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:application-inference-profile/a1b2c3d4e5f6"
    stubs = make_stubs().identity().listing().converse()

    steps = by_name(stubs.run(arn))

    access = steps["model_access"]
    assert access.skipped and not access.ok
    assert access.detail.key == "admin_tools.detail_access_arn"
    assert access.detail.params == {"model": arn}
    assert steps["converse"].ok


@pytest.mark.parametrize(
    ("code", "kind"),
    [("ThrottlingException", "throttled"), ("ModelNotReadyException", "not_ready"),
     ("ServiceUnavailableException", "unavailable")],
)
def test_transient_failures_are_reported_at_once_not_retried(code: str, kind: str) -> None:
    stubs = make_stubs().identity().listing().availability().converse((code, "busy", 429))

    assert_diagnosis(by_name(stubs.run())["converse"], kind)  # one converse stubbed: no retry


def test_the_run_is_audited_with_each_steps_outcome(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    stubs = make_stubs().identity().listing().availability().converse(
        ("ThrottlingException", "busy", 429))
    monkeypatch.setattr(bedrock_probe, "make_clients", lambda settings: stubs.clients)
    admin = Actor("root", roles=frozenset({Role.ADMIN}))
    settings = services.settings.model_copy(
        update={"bedrock_region": REGION, "bedrock_model_id": MODEL})

    report = build_services(settings, services.ports).ops.check_bedrock(admin)

    assert report.model_id == MODEL and not report.ok
    assert report.first_failure is not None and report.first_failure.name == "converse"
    [entry] = services.ports.audit.entries(action="bedrock.check")
    assert (entry.actor, entry.target, entry.outcome) == ("root", MODEL, "failed")
    assert entry.detail["credentials"] == "ok"
    assert entry.detail["converse"] == "llm.err_throttled"
    assert entry.detail["aws_region"] == REGION
