"""Uploads are judged by their content, not only their first bytes: an image must decode
(within a pixel bound) and a PDF must open with a page. Video and audio keep the signature
check: the app has no decoder for them."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image

from services.content.media import MAX_IMAGE_PIXELS, check_upload
from services.content.samples import banner_png, guide_pdf, load_catalog
from services.errors import ValidationError
from services.i18n import translate

MB = 2**20
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def picture(fmt: str, size: tuple[int, int] = (16, 12), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format=fmt)
    return out.getvalue()


def blank_pdf() -> bytes:
    with pymupdf.open() as doc:
        doc.new_page()
        return bytes(doc.tobytes())


PNG = banner_png("제목", load_catalog()[0].category)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("diagram.png", PNG_SIGNATURE + b"<html><script>alert(1)</script></html>"),
        ("diagram.png", PNG_SIGNATURE + b"\x00junk" * 200),
        ("diagram.png", PNG[: len(PNG) // 2]),  # cut short
        ("diagram.png", PNG[:60] + bytes(len(PNG) - 60)),  # its image data zeroed
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 400),
        ("photo.jpg", picture("JPEG")[:40] + b"<html></html>" * 20),
        ("anim.gif", b"GIF89a" + b"\x00" * 200),
        ("pic.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 200),
        ("guide.pdf", b"%PDF-1.4\n%%EOF\n"),
        ("guide.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>"),
    ],
    ids=["png-then-html", "png-then-junk", "png-cut", "png-zeroed", "jpeg-header-only",
         "jpeg-then-html", "gif-header-only", "webp-header-only", "pdf-no-pages",
         "pdf-then-html"],
)
def test_a_file_that_only_starts_like_its_type_is_refused_by_name(name: str,
                                                                  data: bytes) -> None:
    with pytest.raises(ValidationError) as err:
        check_upload(name, data, 10 * MB)
    assert err.value.key == "content.err_file_damaged"
    assert err.value.params["name"] == name
    message = translate("ko", err.value.key, **err.value.params)
    assert f"'{name}'" in message and "읽을 수 없습니다" in message


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("diagram.png", PNG, "image/png"),
        ("photo.jpg", picture("JPEG"), "image/jpeg"),
        ("gray.jpg", picture("JPEG", mode="L"), "image/jpeg"),
        ("cmyk.jpg", picture("JPEG", mode="CMYK"), "image/jpeg"),
        ("anim.gif", picture("GIF"), "image/gif"),
        ("pic.webp", picture("WEBP"), "image/webp"),
        ("guide.pdf", guide_pdf(load_catalog()[0]), "application/pdf"),
        ("blank.pdf", blank_pdf(), "application/pdf"),
    ],
)
def test_real_files_of_each_decoded_type_are_accepted(name: str, data: bytes,
                                                      mime: str) -> None:
    assert check_upload(name, data, 10 * MB)[1].mime == mime


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    side = int(MAX_IMAGE_PIXELS**0.5) + 100
    data = picture("PNG", (side, side), mode="1")  # small on disk, a bomb when decoded
    assert len(data) < MB
    with pytest.raises(ValidationError) as err:
        check_upload("bomb.png", data, 10 * MB)
    assert err.value.key == "content.err_image_pixels"
    message = translate("ko", err.value.key, **err.value.params)
    assert "'bomb.png'" in message
