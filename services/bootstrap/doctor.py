"""What the config doctor checks and reads, with this root's AWS clients."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from functools import partial
from typing import Any

from services.bootstrap.aws import resolve_aws_names
from services.errors import DemoFactoryError
from services.ops.doctor.base import Check, DoctorContext
from services.settings import Settings


def doctor_checks() -> list[Check]:
    """Every check of the config doctor, in the order they are reported; each says its modes."""
    from services.adapters.aws.cognito.doctor_checks import COGNITO_CHECKS
    from services.adapters.aws.doctor_checks import AWS_CHECKS
    from services.adapters.sqlite.doctor_checks import SQLITE_CHECKS
    from services.ops.doctor.local import LOCAL_CHECKS
    from services.ops.doctor.oidc import OIDC_CHECKS

    data_dir, *settings_checks = LOCAL_CHECKS  # the database file right after its folder
    return [data_dir, *SQLITE_CHECKS, *settings_checks, *AWS_CHECKS, *COGNITO_CHECKS,
            *OIDC_CHECKS]


def doctor_context(settings: Settings, env: Mapping[str, str],
                   include_bedrock: bool) -> DoctorContext:
    """What the doctor reads, with this root's AWS clients (made only when a check asks)."""
    from services.adapters.aws.bedrock.check import make_clients
    from services.adapters.aws.common import make_client

    def factory(service: str) -> Callable[[Settings], Any]:
        return partial(make_client, service)

    if settings.backend == "aws":
        # Without a bucket name the bucket check says why; the table checks show the error.
        with suppress(DemoFactoryError):
            settings = resolve_aws_names(settings)

    return DoctorContext(settings, env=dict(env), include_bedrock=include_bedrock,
                         dynamodb=factory("dynamodb"), s3=factory("s3"),
                         cognito=factory("cognito-idp"), bedrock_clients=make_clients)
