"""Uploads are judged by their bytes: allow-list, lying extensions, sizes, path names."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from services.content.media import check_size, check_upload, safe_filename, size_text, sniff
from services.content.samples import banner_png, guide_pdf, load_catalog, tone_wav
from services.domain.models import AssetKind
from services.errors import QuotaExceeded, ValidationError

MB = 2**20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 40
M4A = b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00" + b"\x00" * 40
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 40
MKV = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x88matroska" + b"\x00" * 40
# Real-world ISO-BMFF headers (ftyp box: size, "ftyp", major brand, minor version, compatibles)


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    box = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    free = b"\x00\x00\x00\x08free"
    return (8 + len(box)).to_bytes(4, "big") + b"ftyp" + box + free + b"\x00" * 40


FFMPEG_MP4 = ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41")
PHONE_MP4 = ftyp(b"mp42", b"mp42", b"isom")
CAMERA_MP4 = ftyp(b"XAVC", b"XAVC", b"mp42", b"iso2")  # a vendor brand, MP4 compatible
ITUNES_M4A = ftyp(b"M4A ", b"M4A ", b"mp42", b"isom")
ANDROID_M4A = ftyp(b"mp42", b"isom", b"mp42")  # audio-only, but only the generic brands
ISOM_M4A = ftyp(b"isom", b"isom", b"iso2", b"mp41")
AUDIOBOOK = ftyp(b"M4B ", b"M4B ", b"mp42", b"isom")
PROTECTED_AUDIO = ftyp(b"M4P ", b"M4P ", b"mp42", b"isom")
QUICKTIME = ftyp(b"qt  ", b"qt  ")
HEIC = ftyp(b"heic", b"mif1", b"heic")
AVIF = ftyp(b"avif", b"avif", b"mif1", b"miaf", b"MA1B")
AVIF_SEQUENCE = ftyp(b"avis", b"avif", b"avis", b"msf1", b"iso8", b"mif1", b"miaf")
HEIF_SAYING_ISOM = ftyp(b"mif1", b"mif1", b"heix", b"isom")  # an image, whatever else it lists
THREE_GP = ftyp(b"3gp4", b"isom", b"3gp4")
CANON_RAW = ftyp(b"crx ", b"crx ", b"isom")
UNKNOWN_BRAND = ftyp(b"xyz1", b"xyz1")
AAC_ADTS = b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 40
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
        (FFMPEG_MP4, "video/mp4", AssetKind.VIDEO),
        (PHONE_MP4, "video/mp4", AssetKind.VIDEO),
        (CAMERA_MP4, "video/mp4", AssetKind.VIDEO),
        (QUICKTIME, "video/quicktime", AssetKind.VIDEO),
        (ITUNES_M4A, "audio/mp4", AssetKind.AUDIO),
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


@pytest.mark.parametrize(
    "data", [HEIC, AVIF, AVIF_SEQUENCE, HEIF_SAYING_ISOM, THREE_GP, CANON_RAW, UNKNOWN_BRAND],
    ids=["heic", "avif", "avif-sequence", "heif-saying-isom", "3gp", "canon-raw", "unknown"])
def test_iso_bmff_images_and_other_brands_named_mp4_are_refused(data: bytes) -> None:
    assert sniff(data) is None
    with pytest.raises(ValidationError) as err:
        check_upload("clip.mp4", data, 10 * MB)
    assert err.value.key == "content.err_file_type"


def test_aac_named_mp3_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        check_upload("song.mp3", AAC_ADTS, 10 * MB)
    assert err.value.key == "content.err_file_type"


def test_an_m4a_that_lists_mp4_brands_is_still_audio() -> None:
    name, media = check_upload("voice.m4a", ITUNES_M4A, 10 * MB)
    assert (name, media.mime, media.kind) == ("voice.m4a", "audio/mp4", AssetKind.AUDIO)
    with pytest.raises(ValidationError) as err:
        check_upload("voice.mp4", ITUNES_M4A, 10 * MB)
    assert err.value.key == "content.err_file_mismatch"


@pytest.mark.parametrize("data", [ANDROID_M4A, ISOM_M4A, PHONE_MP4],
                         ids=["mp42", "isom", "phone-mp4"])
@pytest.mark.parametrize("name", ["memo.m4a", "book.m4b"])
def test_an_mp4_container_named_as_audio_is_audio(name: str, data: bytes) -> None:
    # The container is the same; the name is the author's statement of what is inside.
    checked, media = check_upload(name, data, 10 * MB)
    assert (checked, media.mime, media.kind) == (name, "audio/mp4", AssetKind.AUDIO)


def test_an_audiobook_is_audio_and_a_protected_one_is_refused() -> None:
    _, media = check_upload("book.m4b", AUDIOBOOK, 10 * MB)
    assert (media.mime, media.kind) == ("audio/mp4", AssetKind.AUDIO)
    with pytest.raises(ValidationError) as err:
        check_upload("song.m4a", PROTECTED_AUDIO, 10 * MB)
    assert err.value.key == "content.err_file_type"


def test_an_mp4_container_named_mp4_is_still_video() -> None:
    _, media = check_upload("memo.mp4", ANDROID_M4A, 10 * MB)
    assert media.kind == AssetKind.VIDEO


def test_a_quicktime_file_named_m4a_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        check_upload("memo.m4a", QUICKTIME, 10 * MB)
    assert err.value.key == "content.err_file_mismatch"


def test_an_animated_png_is_a_png() -> None:
    png = banner_png("제목", load_catalog()[0].category)
    body = b"acTL" + b"\x00\x00\x00\x01\x00\x00\x00\x00"  # one frame, played forever
    actl = (8).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    ihdr_end = 8 + 25  # signature + IHDR chunk
    apng = png[:ihdr_end] + actl + png[ihdr_end:]
    name, media = check_upload("anim.png", apng, 10 * MB)
    assert media.mime == "image/png" and name == "anim.png"


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


WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 20


def picture(fmt: str) -> bytes:
    """A real image: past its signature, an upload must decode (test_media_decode.py)."""
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 40, 40)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "stored", "mime"),
    [
        ("photo.jpg", banner_png("제목", load_catalog()[0].category), "photo.png", "image/png"),
        ("saved.JPG", picture("WEBP"), "saved.webp", "image/webp"),
        ("scan.png", picture("JPEG"), "scan.jpg", "image/jpeg"),
        ("anim.webp", picture("GIF"), "anim.gif", "image/gif"),
        ("clip.mov", FFMPEG_MP4, "clip.mp4", "video/mp4"),
        ("tone.mp3", tone_wav(0.1), "tone.wav", "audio/wav"),
    ],
    ids=["png-as-jpg", "webp-as-jpg", "jpeg-as-png", "gif-as-webp", "mp4-as-mov", "wav-as-mp3"],
)
def test_an_extension_of_the_same_kind_is_fixed_to_what_the_bytes_are(
        name: str, data: bytes, stored: str, mime: str) -> None:
    checked, media = check_upload(name, data, 10 * MB)
    assert (checked, media.mime) == (stored, mime)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("clip.mp4", banner_png("제목", load_catalog()[0].category)),
        ("doc.pdf", JPEG),
        ("photo.jpg", guide_pdf(load_catalog()[0])),
        ("song.mp3", FFMPEG_MP4),
        ("clip.mp4", tone_wav(0.1)),
        ("logo.svg", JPEG),
        ("page.html", JPEG),
        ("notes.txt", JPEG),
    ],
    ids=["png-as-mp4", "jpeg-as-pdf", "pdf-as-jpg", "mp4-as-mp3", "wav-as-mp4", "jpeg-as-svg",
         "jpeg-as-html", "jpeg-as-txt"],
)
def test_an_extension_of_another_kind_is_still_refused(name: str, data: bytes) -> None:
    with pytest.raises(ValidationError) as err:
        check_upload(name, data, 10 * MB)
    assert err.value.key == "content.err_file_mismatch"


def test_a_fixed_extension_keeps_the_name_within_the_limit() -> None:
    name, _ = check_upload("가" * 116 + ".jpg", picture("WEBP"), 10 * MB)
    assert name.endswith(".webp") and len(name) <= 120


def test_missing_extension_gets_the_sniffed_one() -> None:
    name, media = check_upload("screenshot", picture("JPEG"), 10 * MB)
    assert name == "screenshot.jpg" and media.mime == "image/jpeg"


def test_oversize_file_is_refused_with_sizes_in_the_message() -> None:
    with pytest.raises(QuotaExceeded) as err:
        check_upload("big.jpg", JPEG + b"\x00" * MB, MB)
    assert err.value.key == "content.err_file_too_large"
    assert err.value.params["limit_mb"] == 1


@pytest.mark.parametrize(("size", "shown"), [
    (60 * MB, "62.9MB"), (109_400, "109.4KB"), (1_250, "1.3KB"), (400, "400.0B"),
    (50_000_000, "50.0MB"), (600_000, "0.6MB"), (3 * 10**9, "3.0GB"),
])
def test_a_size_reads_as_streamlits_uploader_writes_it(size: int, shown: str) -> None:
    """The uploader listed a 60 MiB file as "62.9MB" and the app, right under it, as "60.0MB"
    (on Linux and macOS the uploader counts 1 KB as 1000 bytes)."""
    assert size_text(size) == shown


@pytest.mark.parametrize(("size", "shown"), [
    (60 * MB, "60.0MB"), (109_400, "106.8KB"), (51_000_000, "48.6MB"), (400, "400.0B"),
])
def test_a_size_reads_as_the_uploader_writes_it_on_windows(size: int, shown: str) -> None:
    """On Windows the uploader counts 1 KB as 1024 bytes: a 51,000,000-byte file is "48.6MB"."""
    assert size_text(size, 1024) == shown


def test_no_file_the_uploader_shows_under_the_limit_is_refused_on_any_platform() -> None:
    """The limit is counted in the larger megabyte (1,048,576 bytes): a file of 51,000,000
    bytes, "48.6MB" on Windows, was refused under a 50 MB limit in decimal megabytes."""
    limit = 50 * MB  # Settings.max_upload_bytes of DEMO_FACTORY_MAX_UPLOAD_MB=50
    check_size("windows.pdf", 51_000_000, limit)  # 48.6MB on Windows, 51.0MB elsewhere
    check_size("exact.pdf", 50 * MB, limit)  # "50.0MB" on Windows: at the limit, taken
    with pytest.raises(QuotaExceeded) as err:
        check_size("big.pdf", 60 * MB, limit)
    # The refusal gives the limit, not a size: the uploader shows the file's beside it in its
    # browser's unit, which the service cannot know.
    assert "size" not in err.value.params and err.value.params["limit_mb"] == 50


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
