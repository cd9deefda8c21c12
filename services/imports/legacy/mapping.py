"""The previous platform's records, as it stored them, mapped onto this app's model. Pure, no I/O.

The previous app (React/Node) kept content in ``DemoFactoryContents`` and usage in
``DemoFactoryAnalytics``; both hold loosely typed items (see ``LegacyContent`` and
``legacy_event``). Everything here is deterministic: the same legacy record always maps to the
same ids, so a re-run of the import finds what it wrote before and adds nothing twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from services.content.markdown import asset_reference
from services.domain.account_details import EMAIL_MAX
from services.domain.analytics import Event, EventType, Purpose
from services.domain.models import Category, stable_id
from services.domain.text import scrub_text
from services.i18n import translate

# Old or informal names seen in the previous platform's data, by normalised key (see _key).
_CATEGORY_ALIASES: dict[str, Category] = {
    "amazonqdev": Category.AMAZON_Q,
    "amazonqdeveloper": Category.AMAZON_Q,
    "amazonq": Category.AMAZON_Q,
    "qdeveloper": Category.AMAZON_Q,
    "genai": Category.GENERATIVE_AI,
    "gen ai": Category.GENERATIVE_AI,
    "generativeai": Category.GENERATIVE_AI,
    "생성형ai": Category.GENERATIVE_AI,
    "retail": Category.RETAIL_CPG,
    "cpg": Category.RETAIL_CPG,
    "telco": Category.TELCO_MEDIA,
    "media": Category.TELCO_MEDIA,
    "telecom": Category.TELCO_MEDIA,
    "fsi": Category.FINANCE,
    "financialservices": Category.FINANCE,
    "manufacture": Category.MANUFACTURING,
    "others": Category.ETC,
    "other": Category.ETC,
}
# The legacy page names that are pages of this app too; others are kept as they were named.
_PAGE_ALIASES = {"contents": "browse", "content-list": "browse", "search": "browse",
                 "content-detail": "content", "contentdetail": "content", "main": "home",
                 "upload": "editor"}
_MEDIA_REF = re.compile(r"\[(image|video|audio|file|document|pdf):([^\]\n]+)\]", re.IGNORECASE)
_LEGACY_MS_PREFIX = re.compile(r"^\d{10,14}-")
_CONTENT_ID_MS = re.compile(r"(\d{12,14})$")


def _key(text: str) -> str:
    """Case, width, spaces and punctuation do not distinguish category names."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", folded)


_CATEGORY_KEYS: dict[str, Category] = {_key(c.value): c for c in Category} | {
    _key(alias): category for alias, category in _CATEGORY_ALIASES.items()}


@dataclass(frozen=True)
class CategoryMatch:
    category: Category
    how: str  # "exact", "alias" or "unknown" (mapped to ETC, reported)


def map_category(raw: object) -> CategoryMatch:
    text = str(raw or "").strip()
    for category in Category:
        if text == category.value:
            return CategoryMatch(category, "exact")
    found = _CATEGORY_KEYS.get(_key(text))
    if found is not None:
        return CategoryMatch(found, "alias")
    return CategoryMatch(Category.ETC, "unknown")


# ---- values ------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """DynamoDB-decoded values (Decimal, set) as plain JSON-like Python values."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def parse_time(value: object, tz: tzinfo = UTC) -> datetime | None:
    """ISO strings (``Z`` or an offset; naive means ``tz``), epoch seconds or milliseconds,
    or a bare date; None when there is nothing usable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        seconds = number / 1000 if number > 1e11 else number
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def as_int(value: object) -> int:
    try:
        return max(0, int(float(str(value))))
    except (TypeError, ValueError):
        return 0


# ---- content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LegacyFile:
    name: str
    s3_key: str
    media_type: str
    size: int


@dataclass(frozen=True)
class LegacyContent:
    legacy_id: str
    title: str
    summary: str
    body: str
    category_raw: str
    tags: tuple[str, ...]
    author: str
    created_at: datetime
    updated_at: datetime
    views: int
    liked_by: tuple[str, ...]
    likes: int
    files: tuple[LegacyFile, ...]

    @property
    def new_id(self) -> str:
        return content_id_for(self.legacy_id, self.created_at)


def content_id_for(legacy_id: str, created_at: datetime | None = None) -> str:
    """This app's id for a legacy content id. The legacy id ends in its creation time in ms
    (``content-1719912345678``), which keeps ids sorting by time; ``created_at`` otherwise."""
    found = _CONTENT_ID_MS.search(legacy_id)
    at = (datetime.fromtimestamp(int(found.group(1)) / 1000, UTC) if found
          else created_at or datetime(2000, 1, 1, tzinfo=UTC))
    return stable_id(at, f"legacy-content:{legacy_id}")


# An author is a name or an e-mail address (as long as an account's email may be): anything
# longer is cut, as it becomes a shown name and a key.
AUTHOR_MAX = EMAIL_MAX


def parse_content(raw: Mapping[str, Any], now: datetime) -> LegacyContent:
    """One content item; ValueError if it has no id."""
    item = plain(raw)
    # Names and ids become keys and ids here (author, likes): text no store could encode (a
    # lone surrogate) is shown as U+FFFD instead of failing the write. Titles and bodies are
    # scrubbed where they are fitted (``importer.fit_draft``).
    legacy_id = scrub_text(str(item.get("id") or "")).strip()
    if not legacy_id:
        raise ValueError("no id")
    from_id = _CONTENT_ID_MS.search(legacy_id)
    id_time = datetime.fromtimestamp(int(from_id.group(1)) / 1000, UTC) if from_id else None
    created = parse_time(item.get("createdAt")) or id_time or now
    updated = parse_time(item.get("updatedAt")) or created
    tags = item.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,#]", tags)]
    files = tuple(f for f in (_parse_file(x) for x in item.get("files") or []) if f is not None)
    liked = item.get("likedBy") or []
    return LegacyContent(
        legacy_id=legacy_id,
        title=str(item.get("title") or "").strip() or legacy_id,
        summary=str(item.get("description") or "").strip(),
        body=str(item.get("content") or ""),
        category_raw=str(item.get("category") or ""),
        tags=tuple(str(t).strip() for t in tags if str(t).strip()),
        author=scrub_text(str(item.get("author") or "")).strip()[:AUTHOR_MAX],
        created_at=created,
        updated_at=max(updated, created),
        views=as_int(item.get("views")),
        liked_by=tuple(scrub_text(str(x)).strip() for x in liked if str(x).strip()),
        likes=as_int(item.get("likes")),
        files=files,
    )


def _parse_file(raw: object) -> LegacyFile | None:
    if not isinstance(raw, Mapping):
        return None
    s3_key = str(raw.get("s3Key") or "").strip()
    if not s3_key and raw.get("url"):  # older items kept only the object's URL
        path = unquote(urlparse(str(raw["url"])).path).lstrip("/")
        s3_key = path[path.find("contents/"):] if "contents/" in path else path  # path-style
    name = str(raw.get("name") or "").strip() or PurePosixPath(s3_key).name
    if not s3_key and not name:
        return None
    return LegacyFile(name=name, s3_key=s3_key, media_type=str(raw.get("type") or ""),
                      size=as_int(raw.get("size")))


def file_name_key(name: str) -> str:
    """How loosely ``[image:NAME]`` matches a file: no folder, no ``<ms>-`` prefix, no case,
    and the extension optional (see ``match_file``)."""
    base = PurePosixPath(unicodedata.normalize("NFC", name.strip())).name
    return _LEGACY_MS_PREFIX.sub("", base).casefold()


def match_file(reference: str, names: Mapping[str, str]) -> str | None:
    """The value in ``names`` (keyed by ``file_name_key``) that ``reference`` means, or None.
    Tries the full name, then the name without its extension."""
    key = file_name_key(reference)
    if key in names:
        return names[key]
    stem = PurePosixPath(key).stem
    stems = {PurePosixPath(k).stem: v for k, v in names.items()}
    return stems.get(stem)


def rewrite_media_refs(body: str, assets_by_name: Mapping[str, str]) -> tuple[str, list[str]]:
    """``[image:NAME]`` → ``![NAME](asset:ID)`` for the files that were imported; references to
    files that are missing stay as they were, and are returned so they can be reported."""
    missing: list[str] = []

    def replace(found: re.Match[str]) -> str:
        name = found.group(2).strip()
        asset_id = match_file(name, assets_by_name)
        if asset_id is None:
            missing.append(name)
            return found.group(0)
        return asset_reference(asset_id, name)

    return _MEDIA_REF.sub(replace, body), missing


# ---- analytics ---------------------------------------------------------------------------


def _purpose_lookup() -> dict[str, Purpose]:
    table: dict[str, Purpose] = {_key(p.value): p for p in Purpose}
    labels = {Purpose.AWS_INTERNAL: "aws_internal", Purpose.CUSTOMER_DEMO: "customer_demo",
              Purpose.PARTNER: "partner", Purpose.TECH_EVALUATION: "tech_evaluation",
              Purpose.BUSINESS_DEVELOPMENT: "business_development",
              Purpose.EDUCATION: "education", Purpose.RESEARCH: "research",
              Purpose.OTHER: "other", Purpose.SKIPPED: "skipped"}
    for purpose, label_key in labels.items():
        table[_key(label_key)] = purpose
        for language in ("ko", "en"):
            table[_key(translate(language, f"analytics.purpose.{label_key}"))] = purpose
    table.update({_key("skip"): Purpose.SKIPPED, "": Purpose.SKIPPED,
                  _key("partner"): Purpose.PARTNER, _key("education"): Purpose.EDUCATION,
                  _key("training"): Purpose.EDUCATION, _key("internal"): Purpose.AWS_INTERNAL,
                  _key("demo"): Purpose.CUSTOMER_DEMO})
    return table


_PURPOSES = _purpose_lookup()


def map_purpose(raw: object) -> tuple[Purpose, bool]:
    """The purpose code, and whether it was recognised (unknown ones count as OTHER)."""
    found = _PURPOSES.get(_key(str(raw or "")))
    return (found, True) if found is not None else (Purpose.OTHER, False)


def map_page(raw: object) -> str:
    name = str(raw or "").strip().strip("/").casefold()[:80] or "unknown"
    return _PAGE_ALIASES.get(name, name)


@dataclass(frozen=True)
class LegacyEvent:
    event: Event | None
    problem: str = ""  # why it was skipped: "unknown_type:<t>", "no_time", "no_id"
    unknown_purpose: str = ""


@dataclass(frozen=True)
class ContentLink:
    """What a content view needs of the item it points at, as imported."""

    content_id: str
    category: str
    author_id: str


def legacy_event(raw: Mapping[str, Any], tz: tzinfo,
                 content: Mapping[str, ContentLink]) -> LegacyEvent:
    """One analytics item as an event. ``content`` maps legacy content ids to the imported
    items, so a view counts for the item's category and author as this app knows them."""
    item = plain(raw)
    legacy_id = str(item.get("id") or "").strip()
    if not legacy_id:
        return LegacyEvent(None, "no_id")
    data = item.get("data") if isinstance(item.get("data"), Mapping) else {}
    ts = (parse_time(item.get("timestamp"), tz) or parse_time(item.get("createdAt"), tz)
          or parse_time(item.get("date"), tz))
    if ts is None:
        return LegacyEvent(None, "no_time")
    kind = str(item.get("eventType") or "")
    session = str(data.get("sessionId") or "").strip() or f"legacy:{legacy_id}"
    event_id = stable_id(ts, f"legacy-analytics:{legacy_id}")
    common: dict[str, Any] = {"id": event_id, "ts": ts, "session_id": session[:200]}
    if kind == EventType.PAGE_VIEW:
        return LegacyEvent(Event(type=EventType.PAGE_VIEW, page=map_page(data.get("pageName")),
                                 **common))
    if kind == EventType.VISITOR_PURPOSE:
        purpose, known = map_purpose(data.get("purpose"))
        return LegacyEvent(
            Event(type=EventType.VISITOR_PURPOSE, page="home",
                  properties={"purpose": purpose.value}, **common),
            unknown_purpose="" if known else str(data.get("purpose"))[:80])
    if kind == EventType.CONTENT_VIEW:
        legacy_content = str(data.get("contentId") or "").strip()
        author = str(data.get("author") or "").strip().casefold()
        # An item that was not imported has no linked owner: its author stays a legacy id,
        # never a text that could equal a user name.
        link = content.get(legacy_content) or ContentLink(
            content_id_for(legacy_content) if legacy_content else "",
            map_category(data.get("category")).category.value,
            f"legacy:{author}" if author else "",
        )
        return LegacyEvent(Event(type=EventType.CONTENT_VIEW, page="content",
                                 content_id=link.content_id or None, category=link.category,
                                 author_id=link.author_id or None, **common))
    return LegacyEvent(None, f"unknown_type:{kind or '-'}")
