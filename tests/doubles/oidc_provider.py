"""A local OpenID Connect provider for tests (oidc-provider-mock on 127.0.0.1)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import oidc_provider_mock
from werkzeug.serving import make_server


@contextmanager
def oidc_provider() -> Iterator[str]:
    """The provider's base URL; its metadata is at ``/.well-known/openid-configuration`` and
    ``PUT /users/<sub>`` sets a user's claims."""
    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
