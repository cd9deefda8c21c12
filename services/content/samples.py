"""Sample content for a lively first start: about 40 items over all 7 categories, Korean and
English, with generated images, one PDF and one short audio clip.

Everything is generated here (no binary files in the repo) and marked as sample content, so an
admin can remove it in one action. Loading is idempotent: it only adds what is missing.
"""

from __future__ import annotations

import io
import math
import struct
import tomllib
import wave
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from services.content.service import ContentService
from services.domain.inquiries import RateLimit
from services.domain.models import Category, ContentDraft, Status, Upload, utcnow
from services.domain.permissions import Actor, Role
from services.domain.users import SYSTEM_ACTOR
from services.i18n.labels import category_name
from services.ops.audit import record_audit
from services.ports import AuditLog, RateSlots
from services.reports.pdf.fonts import korean_font_path

CATALOG = Path(__file__).parent / "sample" / "catalog.toml"
PALETTE = {
    Category.GENERATIVE_AI: ("#232F3E", "#FF9900"),
    Category.MANUFACTURING: ("#1B4F72", "#5DADE2"),
    Category.RETAIL_CPG: ("#6C3483", "#F5B7B1"),
    Category.TELCO_MEDIA: ("#0E6251", "#76D7C4"),
    Category.FINANCE: ("#154360", "#F7DC6F"),
    Category.AMAZON_Q: ("#4A235A", "#BB8FCE"),
    Category.ETC: ("#424949", "#D5DBDB"),
}


@dataclass(frozen=True)
class SampleSpec:
    title: str
    summary: str
    category: Category
    tags: tuple[str, ...]
    lang: str
    author_id: str
    author_name: str


@cache
def load_catalog() -> tuple[SampleSpec, ...]:
    with CATALOG.open("rb") as fh:
        raw: dict[str, Any] = tomllib.load(fh)
    authors = raw["authors"]
    specs = []
    for i, item in enumerate(raw["items"]):
        author = authors[i % len(authors)]
        specs.append(
            SampleSpec(
                title=item["title"], summary=item["summary"], category=Category(item["category"]),
                tags=tuple(item["tags"]), lang=item["lang"], author_id=author["id"],
                author_name=author["name"],
            )
        )
    return tuple(specs)


def sample_body(spec: SampleSpec) -> str:
    """A markdown body with headings, a list, a table and code, in the item's language."""
    if spec.lang == "ko":
        return (
            f"## 개요\n\n{spec.summary}\n\n"
            "## 데모 흐름\n\n1. 데이터를 준비합니다.\n2. 서비스를 구성합니다.\n"
            "3. 결과를 확인하고 비용을 점검합니다.\n\n"
            "## 구성 요소\n\n| 구성 요소 | 역할 |\n|---|---|\n"
            "| Amazon S3 | 파일 저장 |\n| Amazon DynamoDB | 메타데이터 |\n"
            "| Amazon Bedrock | 생성형 AI 모델 |\n\n"
            f"**태그:** {', '.join(spec.tags)}\n\n"
            "```bash\naws sts get-caller-identity\n```\n\n"
            "> 이 항목은 샘플 콘텐츠입니다. 관리자가 한 번에 삭제할 수 있습니다.\n"
        )
    return (
        f"## Overview\n\n{spec.summary}\n\n"
        "## Demo flow\n\n1. Prepare the data.\n2. Configure the services.\n"
        "3. Check the results and review the cost.\n\n"
        "## Building blocks\n\n| Component | Role |\n|---|---|\n"
        "| Amazon S3 | file storage |\n| Amazon DynamoDB | metadata |\n"
        "| Amazon Bedrock | generative AI models |\n\n"
        f"**Tags:** {', '.join(spec.tags)}\n\n"
        "```bash\naws sts get-caller-identity\n```\n\n"
        "> This is sample content; an administrator can remove all of it in one action.\n"
    )


def banner_caption(category: Category, lang: str) -> str:
    """The category as the card names it, in the item's language ("기타", not "ETC")."""
    return category_name(lang, category) or str(category)


def banner_png(title: str, category: Category, width: int = 960, height: int = 540, *,
               lang: str = "en") -> bytes:
    """A title card in the category's colours, Korean text drawn with NanumGothic. 16:9 by
    default, the shape of a card's thumbnail, so the thumbnail keeps the whole title."""
    background, accent = PALETTE[category]
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    for k in range(12):  # a few soft circles so cards are not flat
        r = 40 + k * 18
        x = width - 120 - k * 37 % 300
        y = 60 + (k * 53) % (height - 80)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=accent, width=2)
    small = ImageFont.truetype(str(korean_font_path()), 28)
    big = ImageFont.truetype(str(korean_font_path(bold=True)), 44)
    draw.rectangle((48, 48, 56, height - 48), fill=accent)
    draw.text((80, 60), banner_caption(category, lang), font=small, fill=accent)
    for line_no, line in enumerate(_wrap(title, 22)[:4]):
        draw.text((80, 130 + line_no * 60), line, font=big, fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) > width and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def guide_pdf(spec: SampleSpec) -> bytes:
    """A two-page PDF guide with embedded Korean font (renders in every viewer)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("NanumGothic", str(korean_font_path())))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(spec.title)
    for page_no, heading in enumerate((spec.title, "데모 체크리스트 / Demo checklist"), 1):
        pdf.setFont("NanumGothic", 18)
        pdf.drawString(60, 770, heading[:40])
        pdf.setFont("NanumGothic", 11)
        for i, line in enumerate((spec.summary, *(f"• {tag}" for tag in spec.tags))):
            pdf.drawString(60, 730 - i * 20, line[:80])
        pdf.drawString(60, 40, f"Demo Factory sample · {page_no}/2")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def tone_wav(seconds: float = 1.5, rate: int = 16_000) -> bytes:
    """A short chime (two sine tones) as 16-bit mono WAV."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        fade = 1 - n / (seconds * rate)
        value = 0.4 * fade * (math.sin(2 * math.pi * 660 * n / rate)
                              + math.sin(2 * math.pi * 880 * n / rate))
        frames += struct.pack("<h", int(value * 16_000))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return out.getvalue()


def sample_uploads(index: int, spec: SampleSpec) -> list[Upload]:
    slug = f"sample-{index + 1:02d}-{zlib.crc32(spec.title.encode()) % 10_000:04d}"
    uploads = [Upload(f"{slug}.png", banner_png(spec.title, spec.category, lang=spec.lang))]
    if index == 0:
        uploads.append(Upload(f"{slug}-guide.pdf", guide_pdf(spec)))
    if index == 1:
        uploads.append(Upload(f"{slug}-chime.wav", tone_wav()))
    return uploads


def sample_actor(spec: SampleSpec) -> Actor:
    # Sample items belong to fictitious authors; marking items as samples is an admin action.
    return Actor(user_id=spec.author_id, name=spec.author_name, roles=frozenset({Role.ADMIN}))


SAMPLES_LOADED = "content.samples_loaded"
# Taken by the server that loads the samples on a first start: two servers starting at once on
# an empty store (the deployment runs two) would each load them. Two half-hour windows, the
# second shifted by a quarter hour: two starts less than 15 minutes apart always share one of
# them, so only one loads (a load takes seconds). Both have ended an hour after the claim, so a
# server that died while loading does not keep the samples out for good.
FIRST_LOAD = (RateLimit("sample-content:first-load", 1, 30 * 60),
              RateLimit("sample-content:first-load-shifted", 1, 30 * 60, 15 * 60))
# Samples are dated back over this many days: longer than the 90 days seed_demo fills by
# default, so most of them exist over the whole seeded period and a few arrive during it.
SAMPLE_SPAN_DAYS = 180


class SampleContent:
    """The sample catalogue in the configured content store (built by the composition root)."""

    def __init__(self, content: ContentService, audit: AuditLog, slots: RateSlots,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._content = content
        self._audit = audit
        self._slots = slots
        self._clock = clock

    def ensure(self) -> int:
        """On a first start (no content, samples never loaded before) load the samples.

        The audit log remembers that samples were loaded, so after an admin removes them a
        restart does not bring them back. Of servers starting at once, only the one that takes
        ``FIRST_LOAD`` (one atomic step of the store) loads them; a claim whose server died
        before loading lapses, and a later start loads them.
        """
        if self._content.count() > 0 or self._audit.entries(action=SAMPLES_LOADED, limit=1):
            return 0
        if self._slots.take_slot(FIRST_LOAD, self._clock()) is not None:
            return 0  # another server is loading them
        added = load_samples(self._content)
        record_audit(self._audit, self._clock(), SYSTEM_ACTOR, SAMPLES_LOADED, f"{added} items")
        return added

    def load(self, limit: int | None = None) -> int:
        return load_samples(self._content, limit)


def sample_age(index: int, count: int) -> timedelta:
    """How long ago the catalogue's item ``index`` (of ``count``) was written: spread evenly
    over ``SAMPLE_SPAN_DAYS``, the first item oldest."""
    return timedelta(days=SAMPLE_SPAN_DAYS * (count - index) / count)


def load_samples(content: ContentService, limit: int | None = None) -> int:
    """Add the catalogue's items that are not there yet (by count); returns how many were added.

    Samples start with no views or likes (counters follow usage events, as the dashboards do)
    and are dated in the past (``sample_age``), so seeded usage can be about them."""
    catalog = load_catalog()
    specs = catalog[:limit]
    present = content.sample_count()
    now = utcnow()
    added = 0
    for index, spec in enumerate(specs):
        if index < present:
            continue
        draft = ContentDraft(
            title=spec.title, summary=spec.summary, body=sample_body(spec),
            category=spec.category, tags=spec.tags, status=Status.PUBLISHED,
        )
        content.create(
            draft, sample_uploads(index, spec), sample_actor(spec), sample=True,
            created_at=now - sample_age(index, len(catalog)),
        )
        added += 1
    return added
