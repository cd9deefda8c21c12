"""Uploads are judged by their bytes: allow-list, lying extensions, sizes, path names."""

from __future__ import annotations

import pytest

from services.content.media import check_upload, safe_filename, sniff
from services.content.samples import banner_png, guide_pdf, load_catalog, tone_wav
from services.domain.models import AssetKind
from services.errors import QuotaExceeded, ValidationError

MB = 2**20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 40
M4A = b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00" + b"\x00" * 40
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 40
MKV = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x88matroska" + b"\x00" * 40
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


@pytest.mark.parametrize(
    ("data", "mime", "kind"),
    [
        (banner_png("제목", load_catalog()[0].category), "image/png", AssetKind.IMAGE),
        (JPEG, "image/jpeg", AssetKind.IMAGE),
        (b"GIF89a" + b"\x00" * 20, "image/gif", AssetKind.IMAGE),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp", AssetKind.IMAGE),
        (guide_pdf(load_catalog()[0]), "application/pdf", AssetKind.DOCUMENT),
        (MP4, "video/mp4", AssetKind.VIDEO),
        (WEBM, "video/webm", AssetKind.VIDEO),
        (M4A, "audio/mp4", AssetKind.AUDIO),
        (tone_wav(0.1), "audio/wav", AssetKind.AUDIO),
        (b"ID3\x04\x00" + b"\x00" * 20, "audio/mpeg", AssetKind.AUDIO),
        (b"OggS\x00\x02" + b"\x00" * 20, "audio/ogg", AssetKind.AUDIO),
    ],
)
def test_sniff_recognises_allowed_formats(data: bytes, mime: str, kind: AssetKind) -> None:
    media = sniff(data)
    assert media is not None and media.mime == mime and media.kind == kind


@pytest.mark.parametrize("data", [SVG, HTML, MKV, b"MZ\x90\x00", b"just text", b"PK\x03\x04zip"])
def test_sniff_refuses_everything_else(data: bytes) -> None:
    assert sniff(data) is None


def test_svg_named_png_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        check_upload("logo.png", SVG, 10 * MB)
    assert err.value.key == "content.err_file_type"


def test_html_named_jpg_is_refused() -> None:
    with pytest.raises(ValidationError):
        check_upload("photo.jpg", HTML, 10 * MB)


def test_extension_that_lies_about_an_allowed_type_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        check_upload("slides.png", guide_pdf(load_catalog()[0]), 10 * MB)
    assert err.value.key == "content.err_file_mismatch"
    assert err.value.params["actual"] == "application/pdf"


def test_missing_extension_gets_the_sniffed_one() -> None:
    name, media = check_upload("screenshot", JPEG, 10 * MB)
    assert name == "screenshot.jpg" and media.mime == "image/jpeg"


def test_oversize_file_is_refused_with_sizes_in_the_message() -> None:
    with pytest.raises(QuotaExceeded) as err:
        check_upload("big.jpg", JPEG + b"\x00" * MB, MB)
    assert err.value.key == "content.err_file_too_large"
    assert err.value.params["limit_mb"] == 1.0


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError):
        check_upload("empty.png", b"", MB)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.png",
        "..\\..\\boot.ini.png",
        "/abs/path.png",
        "a/b.png",
        "..",
        ".",
        "",
        ".hidden.png",
        "x..png",
        "nul\x00.png",
    ],
)
def test_path_like_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as err:
        safe_filename(name)
    assert err.value.key == "content.err_bad_filename"


def test_korean_names_survive_and_odd_characters_are_replaced() -> None:
    assert safe_filename("데모 화면 (1).PNG") == "데모 화면 (1).png"
    assert safe_filename("a;b|c*.png") == "a_b_c_.png"


def test_very_long_names_are_shortened_keeping_the_extension() -> None:
    name = safe_filename("가" * 300 + ".png")
    assert name.endswith(".png") and len(name) <= 120
