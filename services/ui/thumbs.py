"""The picture at the top of a content card: the item's thumbnail (made once from its first
image by the content service), or a placeholder of the same shape in the category's colours,
so a card without an image looks finished, never broken."""

from __future__ import annotations

import html
import io
import logging
from typing import Literal

import streamlit as st
from PIL import Image

from services.domain.models import Category, ContentItem
from services.errors import DemoFactoryError
from services.ui import session
from services.ui.i18n import category_label

log = logging.getLogger(__name__)

# Light background, darker text: (background, text) per category.
PLACEHOLDER_COLOURS = {
    Category.GENERATIVE_AI: ("#fff4e5", "#b35c00"),
    Category.MANUFACTURING: ("#e8f3fb", "#1b4f72"),
    Category.RETAIL_CPG: ("#f6ecf8", "#6c3483"),
    Category.TELCO_MEDIA: ("#e6f6f2", "#0e6251"),
    Category.FINANCE: ("#fdf8e4", "#7d6608"),
    Category.AMAZON_Q: ("#f1eaf6", "#4a235a"),
    Category.ETC: ("#f0f2f2", "#424949"),
}
_DEFAULT_COLOURS = ("#f0f2f6", "#31333f")
# Pictures converted for the browser, kept per process (a thumbnail is a few kB).
_BROWSER_READY_ENTRIES = 1000
BrowserFormat = Literal["JPEG", "PNG"]


def placeholder_html(item: ContentItem) -> str:
    background, text = PLACEHOLDER_COLOURS.get(item.category, _DEFAULT_COLOURS)
    label = html.escape(category_label(item.category))
    return (f'<div class="df-thumb-placeholder" role="img" aria-label="{label}" '
            f'style="aspect-ratio:16/9;width:100%;border-radius:0.5rem;display:flex;'
            f'align-items:center;justify-content:center;background:{background};'
            f'color:{text};font-weight:600;font-size:0.95rem">{label}</div>')


def card_picture(item: ContentItem) -> None:
    try:
        picture = session.services().content.thumbnail(item, session.actor())
    except DemoFactoryError as exc:  # a store hiccup costs the picture, never the card
        log.warning("no thumbnail for %s: %s", item.id, exc)
        picture = None
    if picture is None:
        st.html(placeholder_html(item))
    elif isinstance(picture, str):  # a URL: the browser fetches it as it is
        st.image(picture, width="stretch")
    else:
        data, image_format = browser_ready(picture)
        st.image(data, width="stretch", output_format=image_format)


@st.cache_data(show_spinner=False, max_entries=_BROWSER_READY_ENTRIES)
def browser_ready(data: bytes) -> tuple[bytes, BrowserFormat]:
    """A stored thumbnail (WebP) as ``st.image`` would serve it: PNG when it may be
    transparent, else JPEG (quality 90, as Streamlit encodes). Streamlit passes an image
    already in its output format through, so the conversion (decoding and encoding, some
    milliseconds a card) happens once per thumbnail, not on every run of every page."""
    with Image.open(io.BytesIO(data)) as image:
        transparent = "A" in image.getbands() or "transparency" in image.info
        image_format: BrowserFormat = "PNG" if transparent else "JPEG"
        if image.format == image_format:
            return data, image_format
        out = io.BytesIO()
        (image if transparent else image.convert("RGB")).save(out, format=image_format,
                                                              quality=90)
    return out.getvalue(), image_format
