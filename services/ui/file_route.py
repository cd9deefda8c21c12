"""The server's route for the pages' file links (``services/content/file_links.py``).

``GET <base>/files/<token>`` authorises the link again and answers with a redirect to a new
presigned URL of the file; a browser follows it for a download, a picture and each range
request of a video or audio player, so a page stays usable however long it stays open. A link
that is not valid, or names what its viewer may no longer read, is a plain 404 that tells
nothing more. The answer is never cached: the next request must be authorised again.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from services.content.file_links import ROUTE, token_digest
from services.errors import DemoFactoryError, NotFound, PermissionDenied
from services.ui import session

log = logging.getLogger(__name__)
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _resolve(token: str) -> str:
    links = session.process_services().file_links
    if links is None:
        raise NotFound("errors.not_found")
    return links.resolve(token)


async def _serve_file(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        # The store and the account lookups block: off the server's event loop.
        url = await run_in_threadpool(_resolve, token)
    except (NotFound, PermissionDenied):
        return PlainTextResponse("Not found", status_code=404, headers=_NO_STORE)
    except DemoFactoryError as exc:
        log.warning("file link %s not served: %s", token_digest(token), exc)
        return PlainTextResponse("Unavailable", status_code=503, headers=_NO_STORE)
    return RedirectResponse(url, status_code=302, headers=_NO_STORE)


def file_routes(prefix: str) -> list[BaseRoute]:
    """The file links' route under ``prefix`` (the server's base path, "" for none)."""
    return [Route(f"{prefix}/{ROUTE}/{{token}}", _serve_file, methods=["GET", "HEAD"])]
