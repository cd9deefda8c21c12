"""The app's links to an item's files in a store that signs its URLs (S3).

A presigned URL is short-lived on purpose (``presigned_url_seconds``, 5 minutes by default), but
a page is not: a reader who opened an item and clicked "download" ten minutes later got S3's
"Request has expired", a video seeked after that failed its range request, and a card picture
lazily loaded further down the page did not appear. So a page carries the app's own link
(``files/<token>``), and each request of it is authorised again and answered with a redirect
to a new presigned URL (``services/ui/file_route.py``).

The token names the item, the file (or the item's card picture) and, for an item that is not
published, the viewer it was drawn for and the sign-in it was drawn in: the key of that
sign-in's server-side record (the SHA-256 of its id, as the sessions store keys it, which
cannot be turned back into a cookie: ``accounts.sessions``). It is signed with a key derived
from the cookie key for this purpose only, and it ends after ``file_link_hours``. It grants
nothing by itself: every request reads the item and the viewer as they are now, so
unpublishing or deleting the item, or disabling, demoting or deleting the viewer, ends the link
at once; and it asks whether that sign-in still stands, so signing out in that browser ends
it, as do "sign out everywhere" and a password change or reset (they end every sign-in of the
user; the browser in which the user changed the password goes on, and so do its links). A
draft's address copied out of the page is worth no more than the sign-in it was drawn in; the
user's other browsers keep theirs. (Where the app keeps no sign-ins, an OIDC provider's, a
draft's link names the viewer alone.) A published item's file is anyone's to read (the token
names neither viewer nor sign-in).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.accounts.rules import login_name
from services.accounts.sessions import session_hash
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
    sign_in: str | None = None  # the key of the viewer's sign-in the link was drawn in


class FileLinks:
    def __init__(self, content: ContentService, secret: Callable[[], str], *, hours: int,
                 find_actor: Callable[[str], Actor | None],
                 holder: Callable[[str], str | None] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        """``secret``: the cookie key, asked for on first use (as the sign-in asks for it);
        ``find_actor``: the account as it is now, None when it may not sign in; ``holder``:
        whose standing sign-in a record key is, None once it ended (None where the app keeps
        no sign-ins)."""
        self._content = content
        self._secret = secret
        self._derived: tuple[str, bytes] | None = None
        self._lifetime = timedelta(hours=hours)
        self._find_actor = find_actor
        self._holder = holder
        self._clock = clock

    def link(self, item: ContentItem, file_id: str, actor: Actor, *,
             sign_in: str | None) -> str:
        """The page's address for a file of ``item`` shown to ``actor`` (relative: it resolves
        one segment under the server's base path, as the pages' own links do); only for an
        item the actor may see. ``sign_in``: the id of the actor's sign-in the page is drawn
        in (``SignedIn.session_id``); a draft's link drawn without one opens nothing where the
        app keeps sign-ins."""
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
            if self._holder is not None and sign_in is not None:
                claims["s"] = session_hash(sign_in)
        return f"{ROUTE}/{sign_cookie(self._key(), claims)}"

    def claim(self, token: str) -> FileClaim | None:
        """What a token names, if it is the app's, unchanged and unexpired."""
        claims = read_signed_cookie(self._key(), token, ("i", "f", "exp"))
        if claims is None:
            return None
        viewer, sign_in = claims.get("v"), claims.get("s")
        return FileClaim(str(claims["i"]), str(claims["f"]),
                         str(viewer) if viewer is not None else None,
                         sign_in if isinstance(sign_in, str) else None)

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
        if self._holder is not None:
            # The sign-in it was drawn in ended (signed out, expired, or all of the viewer's
            # ended), is somebody else's, or it names none: the link ended with it.
            holder = self._holder(claim.sign_in) if claim.sign_in is not None else None
            if holder is None or login_name(holder) != login_name(claim.viewer):
                raise NotFound("errors.not_found")
        actor = self._find_actor(claim.viewer)
        if actor is None:
            raise NotFound("errors.not_found")
        return actor


def token_digest(token: str) -> str:
    """A short fingerprint of a token for the log (the token itself is a credential)."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]
