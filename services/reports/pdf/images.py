"""Chart images in the PDF without re-encoding them.

reportlab's ``drawImage`` decodes a PNG and compresses the pixels again, once per layout pass
(the contents page needs two passes): about 60 ms per chart per pass. An 8-bit RGB PNG's IDAT
data already is what PDF's FlateDecode filter with the PNG predictors reads, so ``PngImage``
puts those bytes in the PDF as they are (parsed once; formatted only into the saved document).
Anything else (RGBA, palette, interlaced) is converted to RGB first.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass

from PIL import Image
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFImageXObject, PDFName, PDFStream
from reportlab.platypus import Flowable

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class PngData:
    width: int
    height: int
    idat: bytes  # the zlib stream of the filtered scanlines


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(_SIGNATURE):
        raise ValueError("not a PNG")
    found, pos = [], len(_SIGNATURE)
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        found.append((kind, png[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return found


def as_rgb_png(png: bytes) -> bytes:
    """The same picture as an 8-bit RGB, non-interlaced PNG (white under transparency)."""
    with Image.open(io.BytesIO(png)) as image:
        rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def png_data(png: bytes) -> PngData:
    """Width, height and IDAT of an 8-bit RGB PNG (others are converted first)."""
    chunks = _chunks(png)
    header = next(data for kind, data in chunks if kind == b"IHDR")
    width, height, depth, color, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", header)
    if (depth, color, interlace) != (8, 2, 0):
        return png_data(as_rgb_png(png))
    return PngData(width, height, b"".join(data for kind, data in chunks if kind == b"IDAT"))


class _PngXObject(PDFImageXObject):  # type: ignore[misc]
    """An image XObject whose stream is the PNG's IDAT (FlateDecode + PNG predictor)."""

    def __init__(self, name: str, data: PngData) -> None:
        super().__init__(name)
        self.width = data.width
        self.height = data.height
        self.bitsPerComponent = 8
        self.colorSpace = "DeviceRGB"
        self.streamContent = data.idat
        self._filters = ("FlateDecode",)
        self.mask = None

    def format(self, document: object) -> bytes:
        stream = PDFStream(content=self.streamContent)
        entries = stream.dictionary
        entries["Type"] = PDFName("XObject")
        entries["Subtype"] = PDFName("Image")
        entries["Width"] = self.width
        entries["Height"] = self.height
        entries["BitsPerComponent"] = 8
        entries["ColorSpace"] = PDFName("DeviceRGB")
        entries["Filter"] = PDFName("FlateDecode")  # a name: DecodeParms then is one dict
        entries["DecodeParms"] = PDFDictionary({"Predictor": 15, "Colors": 3,
                                                "BitsPerComponent": 8,
                                                "Columns": self.width})
        return bytes(stream.format(document))


class PngImage(Flowable):  # type: ignore[misc]
    """A PNG drawn at ``width`` x ``height`` points, its data embedded once as is."""

    def __init__(self, png: bytes, width: float, height: float) -> None:
        super().__init__()
        self.width = width
        self.height = height
        self._name = hashlib.sha1(png, usedforsecurity=False).hexdigest()
        self._data = png_data(png)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        doc = canvas._doc
        registered = doc.getXObjectName(self._name)
        if doc.idToObject.get(registered) is None:  # a new object per document (layout pass)
            xobject = _PngXObject(self._name, self._data)
            xobject.XObjects = None
            doc.Reference(xobject, registered)
            doc.addForm(self._name, xobject)
        canvas.saveState()
        canvas.scale(self.width, self.height)
        canvas._code.append(f"/{registered} Do")
        canvas.restoreState()
        canvas._formsinuse.append(self._name)
