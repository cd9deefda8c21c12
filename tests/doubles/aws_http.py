"""A scripted AWS endpoint over HTTP: for what botocore's Stubber cannot show, its retries.

Stubber answers in ``before-call``, before the HTTP layer where botocore decides on retries, so
a stubbed error is never retried. ``ScriptedEndpoint`` is a real HTTP server on 127.0.0.1 that
answers each request with the next reply of its script (the last reply repeats) and counts the
requests, so a test sees how often botocore really called. Clients reach it through
``AWS_ENDPOINT_URL``, as they reach an emulator; signatures are not checked.

Error replies carry the code in ``x-amzn-ErrorType`` and ``__type``, which botocore's JSON and
REST-JSON parsers both read (DynamoDB, Bedrock Runtime, Cognito).

``instant_backoff`` keeps botocore's retry decisions but records its backoff waits instead of
sleeping them.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.retries.standard import ExponentialBackoff


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(code: str, status: int, message: str = "") -> Reply:
    return Reply(status, {"__type": code, "message": message}, {"x-amzn-ErrorType": code})


class ScriptedEndpoint:
    """Answers requests from ``replies`` in order; ``requests`` lists the (unquoted) paths."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[str] = []
        self.url = ""

    def _next(self, path: str) -> Reply:
        self.requests.append(path)
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


@contextmanager
def scripted_endpoint(*replies: Reply) -> Iterator[ScriptedEndpoint]:
    endpoint = ScriptedEndpoint(*replies)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            reply = endpoint._next(urllib.parse.unquote(self.path))
            body = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()


def instant_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's backoff waits, recorded and not slept (its retry decisions are unchanged)."""
    waits: list[float] = []
    original = ExponentialBackoff.delay_amount

    def record(self: ExponentialBackoff, context: Any) -> float:
        waits.append(original(self, context))
        return 0.0

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", record)
    return waits
