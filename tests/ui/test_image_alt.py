"""Pictures carry a text alternative: the words the author wrote for a picture in the text
(``![words](asset:ID)``), else the file's name; a PDF's preview pages say whose page they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import ContentItem, Upload
from services.ui.widgets import md_escape
from tests.ui.conftest import errors, pdf_bytes, png_bytes

AUTHOR_TEXT = "구성도: **람다** → <b>S3</b>"


def _item_page(new_app: Callable[..., AppTest], item: ContentItem) -> AppTest:
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    return at


def _shown(at: AppTest) -> list[tuple[str, str]]:
    """(alt, caption) of every picture on the page."""
    return [(shown.alt, shown.caption) for image in at.image for shown in image.proto.imgs]


def test_a_picture_in_the_text_has_the_authors_words_as_its_alt_and_caption(
    new_app: Callable[..., AppTest], services: Services, make_item: Callable[..., ContentItem]
) -> None:
    item = make_item(uploads=(Upload("diagram.png", png_bytes()), Upload("logo.png", png_bytes())))
    diagram = next(a for a in item.assets if a.filename == "diagram.png")
    body = f"위\n\n![{AUTHOR_TEXT}](asset:{diagram.id})\n\n아래"
    services.ports.content.update(replace(item, body=body), item.version)
    shown = _shown(_item_page(new_app, item))
    # The alt is an attribute (plain text as written); the caption is markdown, escaped.
    assert sorted(shown) == sorted(
        [(AUTHOR_TEXT, md_escape(AUTHOR_TEXT)), ("logo.png", md_escape("logo.png"))]
    )


def test_pdf_preview_pages_say_which_file_and_page_they_show(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    item = make_item(uploads=(Upload("guide.pdf", pdf_bytes(2)),))
    alts = [alt for alt, _ in _shown(_item_page(new_app, item))]
    assert alts == ["guide.pdf 1페이지 미리보기", "guide.pdf 2페이지 미리보기"]
