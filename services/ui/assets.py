"""Showing a content item's files: images, players, PDF previews and a download for each."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from functools import partial
from typing import Literal

import streamlit as st

from services.content.markdown import render_markdown, split_asset_refs
from services.content.pdf_preview import PreviewRefused, preview_pages
from services.content.service import ContentService
from services.domain.models import Asset, AssetKind, ContentItem
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui import tracking
from services.ui.file_links import file_address
from services.ui.fragments import signed_in_callback
from services.ui.i18n import t
from services.ui.uploads import size_shown
from services.ui.widgets import md_escape, show_error, show_html

log = logging.getLogger(__name__)

@st.cache_data(show_spinner=False, max_entries=64)
def pdf_preview(asset_id: str, _load: Callable[[], bytes]) -> list[bytes]:
    """PNG images of the first pages (bounded: ``services.content.pdf_preview``). Cached per
    asset id: an asset's file never changes (a replaced file is a new asset), and the file
    is only fetched when the preview is not cached yet."""
    return preview_pages(_load())


# st.image re-encodes the bytes it is given to "auto": a PNG without transparency as a JPEG,
# with a JPEG's artefacts on a diagram's lines and text. Each stored type's own format keeps its
# bytes as stored (unless wider than the page, when Streamlit shrinks it in that format). A GIF
# stays a GIF under "auto"; Streamlit cannot serve a WebP, and a PNG of it loses nothing.
_IMAGE_OUTPUT: dict[str, Literal["PNG", "JPEG", "auto"]] = {
    "image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "auto", "image/webp": "PNG",
}


def render_body(content: ContentService, item: ContentItem, actor: Actor) -> None:
    """The item's page: its text with the files it references in place, then every other
    file of the item."""
    shown = render_text(content, item, item.body, actor)
    render_assets(content, item, actor, skip=shown)


def render_text(content: ContentService, item: ContentItem | None, body: str,
                actor: Actor) -> set[str]:
    """Markdown ``body`` with the files it references (``![caption](asset:ID)``) shown in
    place, as the item's page and the editor's preview show it; returns the ids shown.
    Only ``item``'s own stored files resolve (a new item has none); any other reference, a
    file not saved yet included, is a note with its caption."""
    own = {asset.id: asset for asset in item.assets} if item is not None else {}
    shown: set[str] = set()
    for part in split_asset_refs(body):
        if isinstance(part, str):
            show_html(render_markdown(part))
        elif item is not None and part.asset_id in own:
            _guarded(content, item, own[part.asset_id], actor, words=part.caption)
            shown.add(part.asset_id)
        else:
            st.caption(t("content.missing_inline_file",
                         caption=md_escape(part.caption or part.asset_id)))
    return shown


def render_assets(content: ContentService, item: ContentItem, actor: Actor,
                  skip: Collection[str] = ()) -> None:
    rest = [asset for asset in item.assets if asset.id not in skip]
    if not rest:
        return
    st.subheader(t("content.attachments"), anchor=False)
    for asset in rest:
        _guarded(content, item, asset, actor)


def _guarded(content: ContentService, item: ContentItem, asset: Asset, actor: Actor,
             words: str = "") -> None:
    """One file in its frame; ``words`` are what the author wrote for it in the text."""
    with st.container(border=True):
        try:
            _render_asset(content, item, asset, actor, words)
        except DemoFactoryError as exc:
            show_error(exc)


def _render_asset(content: ContentService, item: ContentItem, asset: Asset, actor: Actor,
                  words: str) -> None:
    st.markdown(f"**{md_escape(asset.filename)}** · {size_shown(asset.size)}")
    url = content.asset_url(item, asset, actor)
    if url is not None:  # a store's URL ends in minutes, the page does not: the app's link
        url = file_address(item, asset.id, actor, url)
    if asset.kind == AssetKind.DOCUMENT:
        _pdf(asset, partial(content.asset_bytes, item, asset, actor))
    elif asset.kind == AssetKind.IMAGE:
        # The author's words describe the picture (its alt, read to those who cannot see it);
        # without them its name is all there is. The alt is an attribute, the caption markdown.
        described = words.strip() or asset.filename
        st.image(url or content.asset_bytes(item, asset, actor), caption=md_escape(described),
                 alt=described, output_format=_IMAGE_OUTPUT.get(asset.media_type, "auto"))
    elif asset.kind == AssetKind.VIDEO:
        st.video(url or content.asset_bytes(item, asset, actor), format=asset.media_type)
    elif asset.kind == AssetKind.AUDIO:
        st.audio(url or content.asset_bytes(item, asset, actor), format=asset.media_type)
    _download(content, item, asset, actor, url)


def _pdf(asset: Asset, load: Callable[[], bytes]) -> None:
    try:
        images = pdf_preview(asset.id, load)
    except PreviewRefused as exc:
        log.warning("no preview of %s: %s", asset.storage_key, exc)
        st.caption(t("content.pdf_no_preview"))
        return
    except Exception:  # a damaged PDF is still offered for download
        log.exception("could not render a preview of %s", asset.storage_key)
        st.caption(t("content.pdf_no_preview"))
        return
    if not images:
        return
    st.caption(t("content.pdf_preview", pages=len(images)))
    cols = st.columns(len(images))
    for number, (col, png) in enumerate(zip(cols, images, strict=True), start=1):
        col.container(border=True).image(
            png, caption=t("content.pdf_page", page=number), output_format="PNG",  # text
            alt=t("content.pdf_page_alt", filename=asset.filename, page=number))


def _download(
    content: ContentService, item: ContentItem, asset: Asset, actor: Actor, url: str | None
) -> None:
    label = t("content.download")
    record = tracking.download_recorder(item, asset, actor)
    if url is not None:
        st.link_button(label, url, icon=":material/download:",
                       on_click=signed_in_callback(record))
        return
    st.download_button(
        label, data=partial(_tracked_bytes, content, item, asset, actor, record),
        file_name=asset.filename, mime=asset.media_type, key=f"dl_{asset.id}",
        on_click="ignore", icon=":material/download:",
    )


def _tracked_bytes(content: ContentService, item: ContentItem, asset: Asset, actor: Actor,
                   record: Callable[[], None]) -> bytes:
    """The file's bytes when the download is clicked (and the download recorded)."""
    data = content.asset_bytes(item, asset, actor)
    record()
    return data
