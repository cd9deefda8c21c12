"""The app's links to an item's files in a store that signs its URLs (S3).

A presigned URL is short-lived on purpose (``presigned_url_seconds``, 5 minutes by default), but
a page is not: a reader who opened an item and clicked "download" ten minutes later got S3's
"Request has expired", a video seeked after that failed its range request, and a card picture
lazily loaded further down the page did not appear. So a page carries the app's own link
(``files/<token>``), and each request of it is authorised again and answered with a redirect
to a new presigned URL (``services/ui/file_route.py``).

The token names the item, the file (or the item's card picture) and, for an item that is not
published, the viewer it was drawn for and the viewer's sign-in epoch then (what ending all of
their sign-ins moves: ``accounts.sessions``, ``accounts.pool_sessions``); it is signed with a
key derived from the cookie key for this purpose only, and it ends after ``file_link_hours``.
It grants nothing by itself: every request reads the item and the viewer as they are now, so
unpublishing or deleting the item, or disabling, demoting or deleting the viewer, ends the link
at once, and so do "sign out everywhere" and a password change or reset: a draft's address
copied out of the page is worth no more than its viewer's sign-ins. (Where the app cannot end
sign-ins, an OIDC provider's, a draft's link names the viewer alone.) A published item's file
is anyone's to read (the token names no viewer).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.accounts.sign_in.base import derived_key, read_signed_cookie, sign_cookie
from services.content.service import ContentService, require_visible
from services.domain.models import ContentItem, Status, utcnow
from services.domain.permissions import Actor
from services.errors import NotFound

ROUTE = "files"  # the links' path segment, one under the server's base path like every page
THUMBNAIL = "thumb"  # the "file" that names an item's card picture
_PURPOSE = "demo-factory/file-links"


@dataclass(frozen=True)
class FileClaim:
    item_id: str
    file_id: str  # an asset's id, or THUMBNAIL
    viewer: str | None  # None: the item was published when the link was drawn
    epoch: int | None = None  # the viewer's sign-in epoch when the link was drawn


class FileLinks:
    def __init__(self, content: ContentService, secret: Callable[[], str], *, hours: int,
                 find_actor: Callable[[str], Actor | None],
                 epoch: Callable[[str], int] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        """``secret``: the cookie key, asked for on first use (as the sign-in asks for it);
        ``find_actor``: the account as it is now, None when it may not sign in; ``epoch``: a
        user's sign-in epoch now (None where the app does not end sign-ins)."""
        self._content = content
        self._secret = secret
        self._derived: tuple[str, bytes] | None = None
        self._lifetime = timedelta(hours=hours)
        self._find_actor = find_actor
        self._epoch = epoch
        self._clock = clock

    def link(self, item: ContentItem, file_id: str, actor: Actor) -> str:
        """The page's address for a file of ``item`` shown to ``actor`` (relative: it resolves
        one segment under the server's base path, as the pages' own links do); only for an
        item the actor may see."""
        require_visible(item, actor)
        viewer = None if item.status == Status.PUBLISHED else actor.user_id
        # From the next whole hour: a page drawn again within the hour gets the same address,
        # so the browser keeps the picture it has rather than fetching it through a new one.
        hour = 3600
        expires = -(-int(self._clock().timestamp()) // hour) * hour + int(
            self._lifetime.total_seconds())
        claims: dict[str, str | int] = {"i": item.id, "f": file_id, "exp": expires}
        if viewer is not None:
            claims["v"] = viewer
            if self._epoch is not None:
                claims["e"] = self._epoch(viewer)
        return f"{ROUTE}/{sign_cookie(self._key(), claims)}"

    def claim(self, token: str) -> FileClaim | None:
        """What a token names, if it is the app's, unchanged and unexpired."""
        claims = read_signed_cookie(self._key(), token, ("i", "f", "exp"))
        if claims is None:
            return None
        viewer, epoch = claims.get("v"), claims.get("e")
        return FileClaim(str(claims["i"]), str(claims["f"]),
                         str(viewer) if viewer is not None else None,
                         epoch if isinstance(epoch, int) else None)

    def resolve(self, token: str) -> str:
        """A new short-lived URL of the file the token names, for its viewer as they are now.
        NotFound for a token that is not valid, an item or file gone or not visible to the
        viewer, or a store without URLs (local files are served by the page itself)."""
        claim = self.claim(token)
        if claim is None:
            raise NotFound("errors.not_found")
        actor = self._viewer(claim)
        item = self._content.get(claim.item_id, actor)
        if claim.file_id == THUMBNAIL:
            picture = self._content.thumbnail(item, actor)
            url = picture if isinstance(picture, str) else None
        else:
            asset = next((a for a in item.assets if a.id == claim.file_id), None)
            if asset is None:
                raise NotFound("errors.not_found")
            url = self._content.asset_url(item, asset, actor)
        if url is None:
            raise NotFound("errors.not_found")
        return url

    def _key(self) -> bytes:
        secret = self._secret()
        if self._derived is None or self._derived[0] != secret:
            self._derived = (secret, derived_key(secret, _PURPOSE))
        return self._derived[1]

    def _viewer(self, claim: FileClaim) -> Actor:
        if claim.viewer is None:
            return Actor.anonymous()  # a published item's file: as anyone reads it
        actor = self._find_actor(claim.viewer)
        # The viewer's sign-ins ended since the link was drawn (or it names none, where the
        # app ends them): it ended with them.
        ended = self._epoch is not None and claim.epoch != self._epoch(claim.viewer)
        if actor is None or ended:
            raise NotFound("errors.not_found")
        return actor


def token_digest(token: str) -> str:
    """A short fingerprint of a token for the log (the token itself is a credential)."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]
