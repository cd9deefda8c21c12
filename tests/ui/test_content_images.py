"""An item's pictures are served as stored: a PNG stays a lossless PNG, never re-encoded
as JPEG (diagrams would get artefacts)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from streamlit.elements.lib import image_utils
from streamlit.testing.v1 import AppTest

from services.domain.models import ContentItem, Upload
from tests.ui.conftest import errors, pdf_bytes


def _image(fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (40, 30), "navy").save(out, format=fmt)
    return out.getvalue()


def _recording(monkeypatch: pytest.MonkeyPatch,
               stored: list[bytes]) -> list[tuple[str, bytes]]:
    """(mimetype, bytes) of each of the ``stored`` pictures as Streamlit serves them, made by
    ``st.image`` (the test runner has no media server to ask)."""
    served: list[tuple[str, bytes]] = []
    original = image_utils._ensure_image_size_and_format

    def record(data: bytes, layout: Any, image_format: str) -> bytes:
        out: bytes = original(data, layout, image_format)  # type: ignore[arg-type]
        if data in stored:  # not the app's other pictures
            served.append((f"image/{image_format.lower()}", out))
        return out

    monkeypatch.setattr(image_utils, "_ensure_image_size_and_format", record)
    return served


def test_pictures_are_served_in_their_stored_format(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    png, jpeg, gif, webp = _image("PNG"), _image("JPEG"), _image("GIF"), _image("WEBP")
    item = make_item(uploads=(Upload("diagram.png", png), Upload("photo.jpg", jpeg),
                              Upload("anim.gif", gif), Upload("shot.webp", webp)))
    served = _recording(monkeypatch, [png, jpeg, gif, webp])
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    # Streamlit cannot serve a WebP: it becomes a PNG, which loses nothing.
    webp_as_png = next(out for mime, out in served if mime == "image/png" and out != png)
    assert Image.open(io.BytesIO(webp_as_png)).format == "PNG"
    assert sorted(served) == sorted([("image/png", png), ("image/jpeg", jpeg), ("image/gif", gif),
                                     ("image/png", webp_as_png)])


def test_pdf_preview_pages_stay_png(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.content.pdf_preview import preview_pages

    pdf = pdf_bytes(2)
    pages = preview_pages(pdf)
    served = _recording(monkeypatch, pages)
    item = make_item(uploads=(Upload("guide.pdf", pdf),))
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    assert served == [("image/png", page) for page in pages]  # text stays sharp
