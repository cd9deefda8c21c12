"""PNG previews of an uploaded PDF's first pages, with bounded cost (pure; PyMuPDF).

A PDF can declare pages of any size in a few hundred bytes; drawn at a fixed resolution a
100-inch page costs seconds and hundreds of megabytes. Here every page is scaled to a fixed
width, pages whose size is absurd are refused, and only the first few are drawn.
"""

from __future__ import annotations

import pymupdf

PREVIEW_PAGES = 3
PREVIEW_WIDTH_PX = 600
MAX_PAGE_INCHES = 200  # larger than any printable sheet (A0 is 47 inches tall)
MAX_PIXELS = 8_000_000  # per page at the preview width (a 600 x 13,000 strip)
POINTS_PER_INCH = 72


class PreviewRefused(ValueError):
    """The PDF's pages are too large (or too thin) to draw a preview of."""


def preview_pages(data: bytes, pages: int = PREVIEW_PAGES,
                  width_px: int = PREVIEW_WIDTH_PX) -> list[bytes]:
    """The first ``pages`` pages as PNG images ``width_px`` wide."""
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return [_page_png(doc[n], width_px) for n in range(min(pages, doc.page_count))]


def _page_png(page: pymupdf.Page, width_px: int) -> bytes:
    width, height = page.rect.width, page.rect.height
    limit = MAX_PAGE_INCHES * POINTS_PER_INCH
    if not (0 < width <= limit and 0 < height <= limit):
        raise PreviewRefused(f"page of {width:.0f} x {height:.0f} points")
    scale = width_px / width
    if width_px * height * scale > MAX_PIXELS:
        raise PreviewRefused(f"page of {width:.0f} x {height:.0f} points is too thin")
    png: bytes = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False).tobytes("png")
    return png
