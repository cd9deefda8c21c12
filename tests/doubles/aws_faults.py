"""AWS failing on purpose: chosen calls of a real botocore client (on moto or not) end in an
AWS error without reaching the service, as Stubber does, while every other call goes through.

The error stands for what the adapter sees once botocore's own retries are spent (those are
tested over HTTP in ``test_dynamodb_errors.py``); the request never reaches moto, so nothing is
written by a call that failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from moto.core.botocore_stubber import MockRawResponse


@dataclass
class Fault:
    """Fail ``operation`` (e.g. "PutObject") with ``code``: the first ``skip`` calls pass, the
    next ``times`` fail, then it works again (``heal()`` ends the failures at once)."""

    operation: str
    code: str
    status: int = 500
    skip: int = 0
    times: int = 1_000_000
    seen: int = 0
    failed: int = 0

    def heal(self) -> None:
        self.times = self.failed

    def fires(self, operation: str) -> bool:
        """Whether this call of ``operation`` fails (and counts it)."""
        if self.operation != operation:
            return False
        self.seen += 1
        if self.seen > self.skip and self.failed < self.times:
            self.failed += 1
            return True
        return False


def inject(client: Any, *faults: Fault) -> None:
    """Answer ``client``'s calls per ``faults`` (before botocore sends anything)."""

    def answer(event_name: str = "", **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        operation = event_name.rsplit(".", 1)[-1]
        for fault in faults:
            if fault.fires(operation):
                return _error(fault)
        return None

    client.meta.events.register_first("before-call", answer)


def _error(fault: Fault) -> tuple[AWSResponse, dict[str, Any]]:
    http = AWSResponse("", fault.status, {}, MockRawResponse(b""))  # type: ignore[arg-type]
    parsed = {"Error": {"Code": fault.code, "Message": f"injected {fault.code}"},
              "ResponseMetadata": {"HTTPStatusCode": fault.status}}
    return http, parsed


@contextmanager
def failing_everywhere(*faults: Fault) -> Iterator[None]:
    """``faults`` for every botocore client, also those the app makes for itself (it builds
    its own clients from settings, out of a test's reach)."""
    original = BaseClient._make_api_call

    def call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        for fault in faults:
            if fault.fires(operation):
                raise ClientError(_error(fault)[1], operation)  # type: ignore[arg-type]
        return original(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", call):
        yield
