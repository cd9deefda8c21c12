"""Upload checks: the bytes decide the type, not the file name (DESIGN.md, security).

The bytes are read by ``filetype`` (magic numbers, ISO-BMFF brands); only an allow-list of
image, video, audio and PDF formats is accepted; SVG, HTML, HEIC/AVIF and anything else
is refused. A signature is only a file's first bytes, so images are then decoded by Pillow
(refused above ``MAX_IMAGE_PIXELS`` before any pixel is decoded: no decompression bombs) and
PDFs opened by PyMuPDF (at least one page); a file that does not decode is refused by name.
Video and audio keep the signature check: the app has no decoder for them.

A file whose extension names a different kind than its bytes is refused too, because a lying
extension is how a browser is tricked into treating a file as something else.
One that names another format of the same kind (a PNG saved as ``.jpg``) is an honest slip: it
is stored as what its bytes are, with that type's extension.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePosixPath

import filetype
import pymupdf
from PIL import Image, UnidentifiedImageError

from services.domain.models import AssetKind
from services.errors import DemoFactoryError, QuotaExceeded, ValidationError, refused

# The editor's field every refusal of a file names: it is shown under the uploader, where the
# file was chosen (each message names the file too).
FIELD = "files"
MAX_FILENAME_CHARS = 120
SNIFF_BYTES = 8192  # what filetype reads of a file
# A 50-megapixel camera's photo still fits; decoding one takes at most ~200 MB for a moment.
MAX_IMAGE_PIXELS = 50_000_000
# What Pillow and PyMuPDF raise on bytes they cannot read (Pillow's bomb warning included).
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
               Image.DecompressionBombError, Image.DecompressionBombWarning,
               pymupdf.FileDataError, RuntimeError)


@dataclass(frozen=True)
class MediaType:
    mime: str
    kind: AssetKind
    extensions: tuple[str, ...]  # the first is used when a name has none


PNG = MediaType("image/png", AssetKind.IMAGE, (".png",))
JPEG = MediaType("image/jpeg", AssetKind.IMAGE, (".jpg", ".jpeg"))
GIF = MediaType("image/gif", AssetKind.IMAGE, (".gif",))
WEBP = MediaType("image/webp", AssetKind.IMAGE, (".webp",))
PDF = MediaType("application/pdf", AssetKind.DOCUMENT, (".pdf",))
MP4 = MediaType("video/mp4", AssetKind.VIDEO, (".mp4", ".m4v"))
MOV = MediaType("video/quicktime", AssetKind.VIDEO, (".mov",))
WEBM = MediaType("video/webm", AssetKind.VIDEO, (".webm",))
MP3 = MediaType("audio/mpeg", AssetKind.AUDIO, (".mp3",))
M4A = MediaType("audio/mp4", AssetKind.AUDIO, (".m4a", ".m4b"))
WAV = MediaType("audio/wav", AssetKind.AUDIO, (".wav",))
OGG = MediaType("audio/ogg", AssetKind.AUDIO, (".ogg", ".oga"))
FLAC = MediaType("audio/flac", AssetKind.AUDIO, (".flac",))

ALLOWED: tuple[MediaType, ...] = (
    PNG, JPEG, GIF, WEBP, PDF, MP4, MOV, WEBM, MP3, M4A, WAV, OGG, FLAC,
)
ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(ext for t in ALLOWED for ext in t.extensions)
_BY_EXTENSION: dict[str, MediaType] = {ext: t for t in ALLOWED for ext in t.extensions}

# filetype's verdict (its extension for the type) -> the allowed type; anything else is refused.
# An animated PNG is still a PNG to a browser; filetype tells M4V apart only by one ftyp size.
_BY_FILETYPE: dict[str, MediaType] = {
    "png": PNG, "apng": PNG, "jpg": JPEG, "gif": GIF, "webp": WEBP, "pdf": PDF,
    "mp4": MP4, "m4v": MP4, "mov": MOV, "webm": WEBM,
    "mp3": MP3, "m4a": M4A, "wav": WAV, "ogg": OGG, "flac": FLAC,
}
# filetype calls an ISO-BMFF file MP4 when it lists a generic brand ("isom", "mp41", "mp42"),
# and HEIF/AVIF images, 3GPP clips and camera raw files list those too. The major brand says
# what the file is, and a HEIF/AVIF (MIAF) brand anywhere makes it an image: both refused.
_IMAGE_BRANDS = frozenset({b"mif1", b"msf1", b"miaf", b"heic", b"heix", b"hevc", b"hevx",
                           b"heim", b"heis", b"avif", b"avis"})
_OTHER_MAJOR_BRANDS = (b"3gp", b"3g2", b"crx ", b"jxl ", b"M4P ")  # prefixes; M4P is DRM-locked
# An audiobook says it is audio in its major brand; filetype only knows "M4A ".
_AUDIO_MAJOR_BRANDS = frozenset({b"M4A ", b"M4B "})


def _ftyp_brands(head: bytes) -> tuple[bytes, set[bytes]]:
    """The major brand and all brands of an ISO-BMFF ``ftyp`` box (``b""`` if none)."""
    if head[4:8] != b"ftyp":
        return b"", set()
    box = head[8:int.from_bytes(head[:4], "big")]
    return box[:4], {box[:4]} | {box[i:i + 4] for i in range(8, len(box) - 3, 4)}


def sniff(data: bytes) -> MediaType | None:
    """The allowed media type these bytes are, or None."""
    head = data[:SNIFF_BYTES]
    found = filetype.guess(head)
    media = _BY_FILETYPE.get(found.extension) if found is not None else None
    if media is None:
        return None
    major, brands = _ftyp_brands(head)
    if brands & _IMAGE_BRANDS or major.startswith(_OTHER_MAJOR_BRANDS):
        return None
    return M4A if major in _AUDIO_MAJOR_BRANDS else media


def _as_named(media: MediaType, suffix: str) -> MediaType:
    """The type to store ``media`` as, given the extension its author chose.

    Audio-only MP4s (Android recorders) list just the generic brands "mp42"/"isom", so their
    bytes cannot say audio from video: the container is the same, and an .m4a/.m4b name is
    the author's statement that it is audio.
    """
    if media is MP4 and suffix in M4A.extensions:
        return M4A
    return media


def safe_filename(name: str) -> str:
    """A display/storage-safe file name, or ValidationError for names that try to be paths."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or "/" in name or "\\" in name or name in {".", ".."} or "\x00" in name:
        raise ValidationError("content.err_bad_filename", field=FIELD, name=name[:80])
    if name.startswith(".") or ".." in name:
        raise ValidationError("content.err_bad_filename", field=FIELD, name=name[:80])
    cleaned = re.sub(r"[^\w.\- ()\[\]]", "_", name, flags=re.UNICODE)
    return _joined(PurePosixPath(cleaned).stem, PurePosixPath(cleaned).suffix.lower())


def _joined(stem: str, suffix: str) -> str:
    """``stem`` + ``suffix``, the stem shortened so the name stays within the limit."""
    return stem[: MAX_FILENAME_CHARS - len(suffix)] + suffix


# Sizes as Streamlit's uploader writes them beside a chosen file: a unit is taken once the
# number passes half of the next one, one decimal, no space. Its unit depends on the browser's
# platform: 1 KB is 1024 bytes on Windows and 1000 elsewhere ("60.0MB" and "62.9MB" for the same
# 62,914,560 bytes), so the page passes the base its browser uses (``services/ui/uploads.py``).
SIZE_BASE = 1000
WINDOWS_SIZE_BASE = 1024
_SIZE_UNITS = ("B", "KB", "MB", "GB")


def size_text(size: int, base: int = SIZE_BASE) -> str:
    """``size`` bytes as the uploader writes them: ``62.9MB`` for 62,914,560 bytes (base
    1000), ``60.0MB`` with base 1024."""
    value = Decimal(size)
    unit = 0
    while unit < len(_SIZE_UNITS) - 1 and value > base / 2:
        value /= base
        unit += 1
    # Half up, as the browser's toFixed rounds ("1.3KB" for 1,250 bytes).
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP)}{_SIZE_UNITS[unit]}"


def check_size(name: str, size: int, max_bytes: int) -> None:
    """QuotaExceeded naming the file if it is over ``max_bytes``. Every upload's check: the
    app's, since the uploaders take files somewhat larger than it (``services/ui/uploads.py``).
    The refusal gives the limit, not the file's size: the uploader shows that right beside it,
    in its browser's unit, which the service cannot know."""
    if size > max_bytes:
        # As the uploader's caption states it (whole megabytes: "50MB", not "50.0MB").
        raise QuotaExceeded("content.err_file_too_large", field=FIELD, name=name,
                            limit_mb=_megabytes(max_bytes))


def _megabytes(size: int) -> float | int:
    megabytes = round(size / WINDOWS_SIZE_BASE**2, 1)
    return int(megabytes) if megabytes.is_integer() else megabytes


def check_uploads(files: Iterable[tuple[str, bytes]],
                  max_bytes: int) -> list[tuple[str, MediaType]]:
    """``check_upload`` of every (file name, bytes), each checked even after one is refused:
    one refusal names every refused file and why (``refuse_files``)."""
    checked: list[tuple[str, MediaType]] = []
    found: list[DemoFactoryError] = []
    for filename, data in files:
        try:
            checked.append(check_upload(filename, data, max_bytes))
        except (ValidationError, QuotaExceeded) as exc:
            found.append(exc)
    refuse_files(found)
    return checked


def refuse_files(found: list[DemoFactoryError]) -> None:
    """The refusal of the files in ``found`` (none: nothing), under the uploader."""
    refused(found, "content.err_files", field=FIELD)


def check_upload(filename: str, data: bytes, max_bytes: int) -> tuple[str, MediaType]:
    """Validate one upload; returns (safe file name, media type) or raises a clear error."""
    name = safe_filename(filename)
    check_size(name, len(data), max_bytes)
    if not data:
        raise ValidationError("content.err_file_empty", field=FIELD, name=name)
    media = sniff(data)
    if media is None:
        raise ValidationError("content.err_file_type", field=FIELD, name=name)
    path = PurePosixPath(name)
    media = _as_named(media, path.suffix)
    named = _BY_EXTENSION.get(path.suffix)
    if path.suffix and path.suffix not in media.extensions and (
            named is None or named.kind != media.kind):
        raise ValidationError("content.err_file_mismatch", field=FIELD, name=name,
                              actual=media.mime)
    _check_decodes(name, data, media)
    if path.suffix in media.extensions:
        return name, media
    # No extension, or another format of the same kind: the one the bytes are.
    return _joined(path.stem, media.extensions[0]), media


def _check_decodes(name: str, data: bytes, media: MediaType) -> None:
    """ValidationError naming the file if its content is not the image or PDF its first
    bytes announce."""
    try:
        if media.kind == AssetKind.IMAGE:
            _decode_image(name, data)
        elif media.kind == AssetKind.DOCUMENT:
            with pymupdf.open(stream=data, filetype="pdf") as doc:
                if doc.page_count < 1:
                    raise ValueError("no pages")
    except _UNREADABLE as exc:
        raise ValidationError("content.err_file_damaged", field=FIELD, name=name,
                              actual=media.mime) from exc


def _decode_image(name: str, data: bytes) -> None:
    """Read the whole image (a JPEG at an eighth of its size, which still reads all its
    data), its size checked before any pixel is decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "content.err_image_pixels", field=FIELD, name=name,
                    megapixels=round(width * height / 1e6), limit=MAX_IMAGE_PIXELS // 10**6)
            image.verify()  # chunk checksums (PNG); verify leaves the image unusable
        with Image.open(io.BytesIO(data)) as image:
            image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
