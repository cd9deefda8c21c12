"""Bedrock for the report page without touching AWS at start-up.

Whether Bedrock is configured is judged from the settings, the environment and files only
(``bedrock_configured``: the one rule for the report page's model list and the config doctor);
the client itself is created on first use, so start-up never waits on credentials or a Region.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from botocore.exceptions import NoRegionError

from services.domain.llm import LLMRequest, LLMResult, LLMStream
from services.errors import ServiceUnavailable
from services.ops.bedrock_check import emulated_without_bedrock
from services.ports import LLM
from services.settings import Settings

_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def bedrock_configured(settings: Settings, environ: Mapping[str, str] | None = None,
                       home: Path | None = None) -> bool:
    """Whether this deployment means to use Bedrock: a Bedrock Region is set, or AWS credentials
    look configured. Never in the emulation, whose Bedrock endpoint is unreachable."""
    if emulated_without_bedrock(settings):
        return False
    return bool(settings.bedrock_region) or credentials_configured(settings, environ, home)


def credentials_configured(settings: Settings, environ: Mapping[str, str] | None = None,
                           home: Path | None = None) -> bool:
    """Keys, a profile, web identity, a container role, an AWS config folder, or aws mode,
    where the app runs with a role."""
    env = os.environ if environ is None else environ
    if settings.backend == "aws" or any(env.get(name) for name in _CREDENTIAL_VARIABLES):
        return True
    folder = (home if home is not None else Path.home()) / ".aws"
    files = [Path(env[v]) for v in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE")
             if env.get(v)]
    return any(p.is_file() for p in (*files, folder / "credentials", folder / "config"))


class LazyBedrock:
    """Implements ``services.ports.LLM``: a ``BedrockLLM`` made on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._llm: LLM | None = None

    def _model(self) -> LLM:
        if self._llm is None:
            from services.adapters.aws.bedrock.llm import BedrockLLM, make_bedrock_client

            try:
                client = make_bedrock_client("bedrock-runtime", self._settings)
            except NoRegionError as exc:
                raise ServiceUnavailable("llm.err_no_region") from exc
            self._llm = BedrockLLM(client)
        return self._llm

    def complete(self, request: LLMRequest) -> LLMResult:
        return self._model().complete(request)

    def stream(self, request: LLMRequest) -> LLMStream:
        return self._model().stream(request)
