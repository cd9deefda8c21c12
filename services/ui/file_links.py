"""Where a page points for a file kept in a store with short-lived URLs (S3): the app's own
link, which stays usable while the page is open (``services/content/file_links.py``)."""

from __future__ import annotations

from urllib.parse import urljoin

import streamlit as st

from services.content.file_links import THUMBNAIL
from services.domain.models import ContentItem
from services.domain.permissions import Actor
from services.ui import auth, session


def file_address(item: ContentItem, file_id: str, actor: Actor, direct: str) -> str:
    """The absolute address of the app's link to one of ``item``'s files, for the elements
    that take only a full URL (picture, players, link button); ``direct`` (the store's own
    short-lived URL) where the browser's address is not known (AppTest has none)."""
    links = session.services().file_links
    page = st.context.url
    if links is None or not page:
        return direct
    return urljoin(page, links.link(item, file_id, actor, sign_in=_sign_in_id()))


def thumbnail_address(item: ContentItem, actor: Actor, direct: str) -> str:
    """The card picture's link, relative like the cards' other links (it resolves one segment
    under the server's base path, also behind a proxy)."""
    links = session.services().file_links
    return direct if links is None else links.link(item, THUMBNAIL, actor,
                                                    sign_in=_sign_in_id())


def _sign_in_id() -> str | None:
    """This browser's sign-in, which a draft's links are tied to (signing out ends them)."""
    held = auth.signed_in()
    return held.session_id if held is not None else None
