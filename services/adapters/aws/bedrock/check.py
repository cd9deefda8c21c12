"""The Bedrock connectivity probe: the steps that talk to AWS (the last one costs money).

Steps over injected clients (STS, the ``bedrock`` control plane, ``bedrock-runtime``):
credentials and caller identity, Region, model listing, the chosen model's access, and a tiny
Converse call. Each returns a ``CheckStep`` whose detail and fix are i18n messages; a failure is
diagnosed by ``bedrock.errors.diagnose``. ``make_clients`` builds the clients from settings
(tests pass their own). The use case around it (permission, audit) is
``services/ops/bedrock_check.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from services.adapters.aws.bedrock.errors import (
    Diagnosis,
    base_model_id,
    diagnose,
    is_profile_id,
    not_in_region,
    suggest_profiles,
)
from services.adapters.aws.bedrock.llm import CHECK_CONFIG, BedrockLLM, bedrock_region
from services.domain.checks import CheckStep, Message
from services.domain.llm import LLMRequest
from services.errors import ConfigError, DemoFactoryError, PermissionDenied
from services.settings import Settings

if TYPE_CHECKING:
    from types_boto3_bedrock.client import BedrockClient
    from types_boto3_bedrock_runtime.client import BedrockRuntimeClient
    from types_boto3_sts.client import STSClient

log = logging.getLogger(__name__)

STEPS = ("credentials", "region", "models", "model_access", "converse")
# The client each step calls: the listings are the control plane's, Converse bedrock-runtime's.
STEP_SERVICES = {"credentials": "sts", "region": "sts", "models": "bedrock",
                 "model_access": "bedrock", "converse": "bedrock-runtime"}
PING_PROMPT = "Reply with the single word OK."
_AWS_ERRORS = (ClientError, BotoCoreError)


@dataclass(frozen=True)
class BedrockClients:
    sts: STSClient
    bedrock: BedrockClient | None
    runtime: BedrockRuntimeClient | None
    region: str | None
    # Regions where botocore knows Bedrock (empty: unknown, not judged).
    known_regions: tuple[str, ...] = ()


def make_clients(settings: Settings) -> BedrockClients:
    """Clients for the check, in the Bedrock Region (STS works without one)."""
    region = bedrock_region(settings) or boto3.session.Session().region_name
    session = boto3.session.Session(region_name=region)
    sts = session.client("sts", config=CHECK_CONFIG)
    known = tuple(session.get_available_regions("bedrock"))
    if not region:
        return BedrockClients(sts, None, None, None, known)
    return BedrockClients(
        sts,
        session.client("bedrock", config=CHECK_CONFIG),
        session.client("bedrock-runtime", config=CHECK_CONFIG),
        region,
        known,
    )


def probe(settings: Settings, model_id: str,
          clients: Callable[[Settings], BedrockClients] = make_clients,
          ) -> tuple[str | None, list[CheckStep]]:
    """The Region and the steps for ``model_id``; clients that cannot be made (e.g. a profile
    that does not exist) are a failed credentials step."""
    try:
        made = clients(settings)
    except _AWS_ERRORS as exc:
        step = _failed("credentials", 0.0, diagnose(exc, model_id=model_id, service="sts"))
        return bedrock_region(settings), [step, *_skipped(1)]
    return made.region, bedrock_steps(made, model_id)


def bedrock_steps(
    clients: BedrockClients, model_id: str, *, timer: Callable[[], float] = time.perf_counter
) -> list[CheckStep]:
    """The five steps; after a failed credentials or Region step the rest are skipped."""
    run = _Run(clients, model_id, timer)
    steps = [run.step("credentials", run.credentials)]
    if not steps[-1].ok:
        return steps + _skipped(1)
    steps.append(run.step("region", run.region))
    if not steps[-1].ok:
        return steps + _skipped(2)
    steps.append(run.step("models", run.models))
    steps.append(run.step("model_access", run.model_access))
    steps.append(run.step("converse", run.converse))
    return steps


# An outcome: ok, detail, fix, skipped.
_Outcome = tuple[bool, Message, Message | None, bool]


@dataclass
class _Run:
    clients: BedrockClients
    model_id: str
    timer: Callable[[], float]
    model_ids: dict[str, Mapping[str, Any]] | None = None
    profile_ids: set[str] | None = None

    def step(self, name: str, body: Callable[[], _Outcome]) -> CheckStep:
        started = self.timer()
        try:
            ok, detail, fix, skipped = body()
        except _AWS_ERRORS as exc:
            return _failed(name, self.timer() - started, self.diagnose(exc, name))
        except DemoFactoryError as exc:  # the model adapter's translation; diagnose its cause
            cause = exc.__cause__
            if isinstance(cause, _AWS_ERRORS):
                return _failed(name, self.timer() - started, self.diagnose(cause, name))
            ok, detail, fix, skipped = False, Message(exc.key, exc.params), None, False
        return CheckStep(name, ok, self.timer() - started, detail, fix, skipped)

    def diagnose(self, exc: BaseException, step: str) -> Diagnosis:
        return diagnose(exc, region=self.clients.region, model_id=self.model_id,
                        profiles=self.profile_ids, service=STEP_SERVICES[step])

    def credentials(self) -> _Outcome:
        identity = self.clients.sts.get_caller_identity()
        params = {"account": identity.get("Account", "-"), "arn": identity.get("Arn", "-")}
        return True, Message("admin_tools.detail_identity", params), None, False

    def region(self) -> _Outcome:
        region = self.clients.region
        if not region:
            return _fail(Diagnosis("no_region", ConfigError, self._base()))
        known = self.clients.known_regions
        if known and region not in known:
            return _fail(Diagnosis("unknown_region", ConfigError, self._base()))
        return True, Message("admin_tools.detail_region", {"region": region}), None, False

    def models(self) -> _Outcome:
        bedrock = self._bedrock()
        summaries = bedrock.list_foundation_models().get("modelSummaries", [])
        self.model_ids = {str(s["modelId"]): s for s in summaries}
        profiles: set[str] = set()
        kwargs: dict[str, Any] = {}
        for _ in range(50):  # pages; a bound in case a token never ends
            page = bedrock.list_inference_profiles(**kwargs)
            profiles |= {str(p["inferenceProfileId"])
                         for p in page.get("inferenceProfileSummaries", [])}
            if not page.get("nextToken"):
                break
            kwargs = {"nextToken": page["nextToken"]}
        self.profile_ids = profiles
        params = {"models": len(self.model_ids), "profiles": len(profiles)}
        return True, Message("admin_tools.detail_models", params), None, False

    def model_access(self) -> _Outcome:
        if self.model_id.startswith("arn:"):
            # Neither listing holds ARNs (application inference profiles, provisioned
            # throughput, ...), and availability is read per base model id: nothing to judge
            # here, the Converse call decides.
            params = {"model": self.model_id}
            return False, Message("admin_tools.detail_access_arn", params), None, True
        listed = self._listed_verdict()
        if listed is not None and not listed[0]:
            return listed
        availability = self._availability()
        if availability is not None:
            return availability
        if listed is not None:
            return listed
        params = {"model": self.model_id}
        return False, Message("admin_tools.detail_access_unknown", params), None, True

    def converse(self) -> _Outcome:
        llm = BedrockLLM(self._runtime())
        request = LLMRequest(self.model_id, system="", prompt=PING_PROMPT, max_tokens=16,
                             temperature=0.0)
        result = llm.complete(request)
        params = {
            "latency_ms": result.latency_ms, "input_tokens": result.input_tokens,
            "output_tokens": result.output_tokens, "reply": result.text.strip()[:40] or "-",
        }
        return True, Message("admin_tools.detail_converse", params), None, False

    # ---- helpers -----------------------------------------------------------------------

    def _base(self) -> dict[str, str]:
        return {"model": self.model_id, "region": self.clients.region or "-", "code": "-"}

    def _listed_verdict(self) -> _Outcome | None:
        """From the listing: is the id a profile or an on-demand model of this Region?"""
        if self.model_ids is None or self.profile_ids is None:
            return None
        params = {"model": self.model_id, "region": self.clients.region or "-"}
        if self.model_id in self.profile_ids:
            return True, Message("admin_tools.detail_profile_listed", params), None, False
        summary = self.model_ids.get(self.model_id)
        if summary is None:
            return _fail(not_in_region(self._base(), self.profile_ids))
        types = summary.get("inferenceTypesSupported") or []
        if types and "ON_DEMAND" not in types:
            suggestions = suggest_profiles(self.model_id, self.clients.region, self.profile_ids)
            return _fail(Diagnosis("on_demand_unsupported", ConfigError, {
                **self._base(), "profile": suggestions[0],
                "alternatives": ", ".join(suggestions[1:]) or "-",
            }))
        return True, Message("admin_tools.detail_model_listed", params), None, False

    def _availability(self) -> _Outcome | None:
        """GetFoundationModelAvailability for the base model, if the caller may read it."""
        try:
            found = self._bedrock().get_foundation_model_availability(
                modelId=base_model_id(self.model_id))
        except _AWS_ERRORS as exc:
            log.info("model availability not readable: %s", exc)
            return None
        agreement = (found.get("agreementAvailability") or {}).get("status", "AVAILABLE")
        if found.get("regionAvailability") == "NOT_AVAILABLE" and not is_profile_id(
            self.model_id
        ):
            return _fail(not_in_region(self._base(), self.profile_ids))
        if found.get("authorizationStatus") == "NOT_AUTHORIZED":
            return _fail(Diagnosis("access_denied_iam", PermissionDenied,
                                   {**self._base(), "action": "bedrock:InvokeModel"}))
        if found.get("entitlementAvailability") == "NOT_AVAILABLE" or agreement != "AVAILABLE":
            return _fail(Diagnosis("model_access", PermissionDenied, self._base()))
        params = {"model": self.model_id, "region": self.clients.region or "-"}
        return True, Message("admin_tools.detail_access_granted", params), None, False

    def _bedrock(self) -> BedrockClient:
        assert self.clients.bedrock is not None  # the Region step passed
        return self.clients.bedrock

    def _runtime(self) -> BedrockRuntimeClient:
        assert self.clients.runtime is not None
        return self.clients.runtime


def _fail(diagnosis: Diagnosis) -> _Outcome:
    return (False, Message(diagnosis.message_key, diagnosis.params),
            Message(diagnosis.fix_key, diagnosis.params), False)


def _failed(name: str, seconds: float, diagnosis: Diagnosis) -> CheckStep:
    ok, detail, fix, skipped = _fail(diagnosis)
    return CheckStep(name, ok, seconds, detail, fix, skipped)


def _skipped(after: int) -> list[CheckStep]:
    return [CheckStep(name, False, 0.0, Message("admin_tools.detail_skipped"), None, True)
            for name in STEPS[after:]]
