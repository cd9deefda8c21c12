"""AWS failing on purpose: chosen calls of a real botocore client (on moto or not) end in an
AWS error without reaching the service, as Stubber does, while every other call goes through.

The error stands for what the adapter sees once botocore's own retries are spent (those are
tested over HTTP in ``test_dynamodb_errors.py``); the request never reaches moto, so nothing is
written by a call that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse
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


def inject(client: Any, *faults: Fault) -> None:
    """Answer ``client``'s calls per ``faults`` (before botocore sends anything)."""

    def answer(event_name: str = "", **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        operation = event_name.rsplit(".", 1)[-1]
        for fault in faults:
            if fault.operation != operation:
                continue
            fault.seen += 1
            if fault.seen > fault.skip and fault.failed < fault.times:
                fault.failed += 1
                return _error(fault)
        return None

    client.meta.events.register_first("before-call", answer)


def _error(fault: Fault) -> tuple[AWSResponse, dict[str, Any]]:
    http = AWSResponse("", fault.status, {}, MockRawResponse(b""))  # type: ignore[arg-type]
    parsed = {"Error": {"Code": fault.code, "Message": f"injected {fault.code}"},
              "ResponseMetadata": {"HTTPStatusCode": fault.status}}
    return http, parsed
