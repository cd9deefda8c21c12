"""Cards show the item's first image as a small thumbnail (home and browse); a card without an
image shows a placeholder of the same shape, never a broken picture. The thumbnail is served as
it is stored (WebP), at a relative address of Streamlit's media endpoint."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.content.thumbnails import thumbnail_key
from services.domain.models import ContentItem, Upload
from tests.ui.conftest import png_bytes


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), (200, 80, 40)).save(out, format="JPEG")
    return out.getvalue()


def _bodies(at: AppTest) -> list[str]:
    return [str(h.proto.body) for h in at.get("html")]


def _placeholders(at: AppTest) -> list[str]:
    return re.findall(r'<div class="df-thumb-placeholder".*?</div>', "".join(_bodies(at)))


def _pictures(at: AppTest) -> list[str]:
    """The address of each card's thumbnail image."""
    return re.findall(r'<img class="df-thumb" src="([^"]+)"', "".join(_bodies(at)))


def test_home_and_browse_cards_show_the_first_image_as_a_thumbnail(
    new_app: Callable[..., AppTest], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    item = make_item(uploads=(Upload("photo.jpg", _photo()), Upload("b.png", png_bytes())))

    at = new_app()
    at.run()  # home: the latest (the most viewed row waits for a first view)
    assert not at.exception, at.exception
    (picture,) = _pictures(at)
    assert _placeholders(at) == []
    # Streamlit's media endpoint, relative to the page (a base URL path is kept), as stored
    assert re.fullmatch(r"(?!/)[\w/]*media/\w+\.webp", picture), picture
    at.switch_page("app_pages/browse.py").run()
    assert _pictures(at) == [picture]

    stored = services.ports.blobs.get(thumbnail_key(item.assets[0]))
    with Image.open(io.BytesIO(stored)) as thumb:
        assert thumb.size == (480, 270)  # small, not the 1600 px photo


def test_a_card_without_an_image_shows_a_placeholder(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item()  # no files

    at = new_app()
    at.run()
    at.switch_page("app_pages/browse.py").run()

    assert _pictures(at) == []
    (placeholder,) = _placeholders(at)
    assert "생성형 AI" in placeholder
    # The same shape as a picture, so the cards of a row stay level.
    shapes = re.findall(r"\.df-thumb, \.df-thumb-placeholder \{([^}]*)\}", "".join(_bodies(at)))
    assert shapes and "aspect-ratio: 16/9" in shapes[0] and "width: 100%" in shapes[0]


def test_no_run_encodes_a_picture(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stored thumbnail goes to the browser as it is: no run of a page that shows a card
    decodes or encodes a picture (that cost a few milliseconds per card per run)."""
    make_item(uploads=(Upload("photo.jpg", _photo()),))
    make_item("Transparent", uploads=(Upload("logo.png", _transparent_png()),))
    at = new_app()
    at.run()
    saves: list[str] = []
    real_save = Image.Image.save

    def counting_save(image: Image.Image, *args: Any, **kwargs: Any) -> None:
        saves.append(str(kwargs.get("format") or args[1:2]))
        real_save(image, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "save", counting_save)
    new_app().run()  # a reload: a new session on the same process
    at.switch_page("app_pages/browse.py").run()

    assert not at.exception, at.exception
    assert len(_pictures(at)) == 2
    assert saves == []


def _transparent_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (640, 360), (31, 111, 235, 128)).save(out, format="PNG")
    return out.getvalue()
