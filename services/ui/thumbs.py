"""The picture at the top of a content card: the item's thumbnail (made once from its first
image by the content service), or a placeholder of the same shape in the category's colours,
so a card without an image looks finished, never broken.

The picture is HTML inside the card's one ``st.html`` block (``services/ui/cards.py``). A stored
thumbnail is served as it is (WebP) by Streamlit's media endpoint, registered the way
``st.image`` registers its pictures: under an unguessable name, for as long as a session's
latest run shows it (a closed tab's session for ``server.disconnectedSessionTTL`` more; README,
*Media addresses in local mode*). A store with short-lived URLs (S3) gets the app's own link to it
(``services/content/file_links.py``), which outlives the URL.
"""

from __future__ import annotations

import html
import logging

from streamlit import runtime

from services.content.thumbnails import THUMB_MEDIA_TYPE
from services.domain.models import Category, ContentItem
from services.errors import DemoFactoryError
from services.ui import session
from services.ui.file_links import thumbnail_address
from services.ui.i18n import category_label

log = logging.getLogger(__name__)

# Light background, darker text: (background, text) per category.
PLACEHOLDER_COLOURS = {
    Category.GENERATIVE_AI: ("#fff4e5", "#9c4f00"),  # 5.47:1 (#b35c00 was 4.34:1)
    Category.MANUFACTURING: ("#e8f3fb", "#1b4f72"),
    Category.RETAIL_CPG: ("#f6ecf8", "#6c3483"),
    Category.TELCO_MEDIA: ("#e6f6f2", "#0e6251"),
    Category.FINANCE: ("#fdf8e4", "#7d6608"),
    Category.AMAZON_Q: ("#f1eaf6", "#4a235a"),
    Category.ETC: ("#f0f2f2", "#424949"),
}
_DEFAULT_COLOURS = ("#f0f2f6", "#31333f")


def placeholder_html(item: ContentItem) -> str:
    background, text = PLACEHOLDER_COLOURS.get(item.category, _DEFAULT_COLOURS)
    label = html.escape(category_label(item.category))
    # Its shape and layout are the cards' stylesheet's (cards.py); the colours are the
    # category's.
    return (f'<div class="df-thumb-placeholder" role="img" aria-label="{label}" '
            f'style="background:{background};color:{text}">{label}</div>')


def media_url(data: bytes, item_id: str) -> str:
    """The address Streamlit serves ``data`` at while a session shows it. Relative (no
    leading slash), like the cards' other links: every page's address is one segment under
    the server's base path, so it resolves there, also behind a proxy."""
    manager = runtime.get_instance().media_file_mgr
    return manager.add(data, THUMB_MEDIA_TYPE, f"df-thumb.{item_id}").lstrip("/")


def picture_html(item: ContentItem) -> str:
    """The card's picture: the thumbnail as an image, or the placeholder."""
    try:
        picture = session.services().content.thumbnail(item, session.actor())
    except DemoFactoryError as exc:  # a store hiccup costs the picture, never the card
        log.warning("no thumbnail for %s: %s", item.id, exc)
        picture = None
    if picture is None:
        return placeholder_html(item)
    source = (thumbnail_address(item, session.actor(), picture) if isinstance(picture, str)
              else media_url(picture, item.id))
    # alt="": the card's title, right below, says what the picture is.
    return (f'<img class="df-thumb" src="{html.escape(source)}" alt="" loading="lazy"'
            ' decoding="async">')
