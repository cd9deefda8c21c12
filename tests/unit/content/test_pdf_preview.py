"""Previews of uploaded PDFs are bounded: fixed width, a few pages, absurd pages refused."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image

from services.content.pdf_preview import (
    MAX_PAGE_INCHES,
    PREVIEW_PAGES,
    PREVIEW_WIDTH_PX,
    PreviewRefused,
    preview_pages,
)


def _pdf(*sizes: tuple[float, float]) -> bytes:
    with pymupdf.open() as doc:
        for width, height in sizes:
            doc.new_page(width=width, height=height)
        data: bytes = doc.tobytes()
    return data


def _size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def test_a_hundred_inch_page_is_drawn_small() -> None:
    data = _pdf((100 * 72, 100 * 72))
    assert len(data) < 2000  # tiny file, huge page: the case that cost 600 MB before
    [png] = preview_pages(data)
    assert _size(png) == (PREVIEW_WIDTH_PX, PREVIEW_WIDTH_PX)


def test_an_ordinary_page_keeps_its_shape_at_the_preview_width() -> None:
    [png] = preview_pages(_pdf((595, 842)))  # A4
    width, height = _size(png)
    assert width == PREVIEW_WIDTH_PX and abs(height - round(PREVIEW_WIDTH_PX * 842 / 595)) <= 1


def test_only_the_first_pages_are_drawn() -> None:
    assert len(preview_pages(_pdf(*[(595, 842)] * 10))) == PREVIEW_PAGES


@pytest.mark.parametrize("size", [((MAX_PAGE_INCHES + 1) * 72, 72),  # absurdly wide
                                  (72, (MAX_PAGE_INCHES + 1) * 72),  # absurdly tall
                                  (1, 200 * 72)])  # a sliver: too many pixels at the width
def test_absurd_pages_are_refused(size: tuple[float, float]) -> None:
    with pytest.raises(PreviewRefused):
        preview_pages(_pdf(size))
