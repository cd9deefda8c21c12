"""Upload checks: the bytes decide the type, not the file name (DESIGN.md, security).

Only an allow-list of image, video, audio and PDF formats is accepted; SVG, HTML and anything
unrecognised is refused. A file whose extension names a different kind than its bytes is refused
too, because a lying extension is how a browser is tricked into treating a file as something else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from services.domain.models import AssetKind
from services.errors import QuotaExceeded, ValidationError

MAX_FILENAME_CHARS = 120


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
M4A = MediaType("audio/mp4", AssetKind.AUDIO, (".m4a",))
WAV = MediaType("audio/wav", AssetKind.AUDIO, (".wav",))
OGG = MediaType("audio/ogg", AssetKind.AUDIO, (".ogg", ".oga"))
FLAC = MediaType("audio/flac", AssetKind.AUDIO, (".flac",))

ALLOWED: tuple[MediaType, ...] = (
    PNG, JPEG, GIF, WEBP, PDF, MP4, MOV, WEBM, MP3, M4A, WAV, OGG, FLAC,
)
ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(ext for t in ALLOWED for ext in t.extensions)

_ISO_BMFF_AUDIO_BRANDS = {b"M4A ", b"M4B "}
_ISO_BMFF_QUICKTIME_BRANDS = {b"qt  "}


def _sniff_iso_bmff(head: bytes) -> MediaType | None:
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in _ISO_BMFF_AUDIO_BRANDS:
        return M4A
    if brand in _ISO_BMFF_QUICKTIME_BRANDS:
        return MOV
    return MP4


def _sniff_riff(head: bytes) -> MediaType | None:
    if head[:4] != b"RIFF":
        return None
    return {b"WEBP": WEBP, b"WAVE": WAV}.get(head[8:12])


def _sniff_ebml(head: bytes) -> MediaType | None:
    # Matroska and WebM share the EBML header; only WebM (a browser format) is allowed.
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:64]:
        return WEBM
    return None


def _sniff_prefix(head: bytes) -> MediaType | None:
    prefixes: tuple[tuple[bytes, MediaType], ...] = (
        (b"\x89PNG\r\n\x1a\n", PNG),
        (b"\xff\xd8\xff", JPEG),
        (b"GIF87a", GIF),
        (b"GIF89a", GIF),
        (b"%PDF-", PDF),
        (b"ID3", MP3),
        (b"OggS", OGG),
        (b"fLaC", FLAC),
    )
    for prefix, media in prefixes:
        if head.startswith(prefix):
            return media
    # An MPEG audio frame without an ID3 tag starts with an 11-bit sync word.
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return MP3
    return None


def sniff(data: bytes) -> MediaType | None:
    """The allowed media type these bytes are, or None."""
    head = data[:64]
    return _sniff_prefix(head) or _sniff_iso_bmff(head) or _sniff_riff(head) or _sniff_ebml(head)


def safe_filename(name: str) -> str:
    """A display/storage-safe file name, or ValidationError for names that try to be paths."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or "/" in name or "\\" in name or name in {".", ".."} or "\x00" in name:
        raise ValidationError("content.err_bad_filename", name=name[:80])
    if name.startswith(".") or ".." in name:
        raise ValidationError("content.err_bad_filename", name=name[:80])
    cleaned = re.sub(r"[^\w.\- ()\[\]]", "_", name, flags=re.UNICODE)
    stem, suffix = PurePosixPath(cleaned).stem, PurePosixPath(cleaned).suffix.lower()
    return stem[: MAX_FILENAME_CHARS - len(suffix)] + suffix


def check_upload(filename: str, data: bytes, max_bytes: int) -> tuple[str, MediaType]:
    """Validate one upload; returns (safe file name, media type) or raises a clear error."""
    name = safe_filename(filename)
    if len(data) > max_bytes:
        raise QuotaExceeded(
            "content.err_file_too_large", name=name, size_mb=round(len(data) / 2**20, 1),
            limit_mb=round(max_bytes / 2**20, 1),
        )
    if not data:
        raise ValidationError("content.err_file_empty", name=name)
    media = sniff(data)
    if media is None:
        raise ValidationError("content.err_file_type", name=name)
    suffix = PurePosixPath(name).suffix.lower()
    if not suffix:
        return name + media.extensions[0], media
    if suffix not in media.extensions:
        raise ValidationError("content.err_file_mismatch", name=name, actual=media.mime)
    return name, media
