"""PNG previews of a report PDF's first pages (PyMuPDF), for the report page (pure)."""

from __future__ import annotations

import pymupdf

PREVIEW_PAGES = 2
PREVIEW_DPI = 72


def page_images(pdf: bytes, pages: int = PREVIEW_PAGES, dpi: int = PREVIEW_DPI) -> list[bytes]:
    """The first ``pages`` pages of ``pdf`` as PNG images."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return [doc[n].get_pixmap(dpi=dpi).tobytes("png") for n in range(min(pages, len(doc)))]
