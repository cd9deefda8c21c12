"""What an author writes, checked: limits, clean text, tags as plain words, searches in NFC.

Shared by the editor, the content service and the legacy import, so an item is held to one
set of rules however it arrives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace

from services.domain.models import Category, ContentDraft, SearchQuery, Status
from services.domain.text import clean_text, turns_text
from services.errors import ValidationError

TITLE_MAX = 200
SUMMARY_MAX = 500
BODY_MAX = 100_000
TAGS_MAX = 10
TAG_MAX = 30
ASSETS_MAX = 20
# Tags are shown as plain words everywhere (cards, filters, charts): one line, no markup.
TAG_MARKUP = re.compile(r"[<>\[\]()!`\\]")


def validate_draft(draft: ContentDraft) -> ContentDraft:
    """A cleaned copy of ``draft`` (text in NFC) or ValidationError naming the first problem
    and, in its ``field`` parameter, the draft field at fault (the editor shows it there)."""
    title = clean_text(draft.title).strip()
    summary, body = clean_text(draft.summary), clean_text(draft.body)
    if not title:
        raise ValidationError("content.err_title_empty", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError("content.err_title_long", field="title", max=TITLE_MAX,
                              length=len(title))
    for field, value in (("title", title), ("summary", summary)):
        if turns_text(value):  # shown in lines with other text (cards, the page's caption)
            raise ValidationError("content.err_direction", field=field)
    if len(summary) > SUMMARY_MAX:
        raise ValidationError("content.err_summary_long", field="summary", max=SUMMARY_MAX,
                              length=len(summary))
    if len(body) > BODY_MAX:
        raise ValidationError("content.err_body_long", field="body", max=BODY_MAX)
    try:
        category = Category(draft.category)
    except ValueError:
        raise ValidationError("content.err_category", field="category",
                              category=str(draft.category)[:50]) from None
    tags = _clean_tags(draft.tags)
    return replace(
        draft, title=title, summary=summary.strip(), body=body, category=category, tags=tags,
        status=Status(draft.status),
    )


def _clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for raw in tags:
        tag = clean_text(raw).strip().lstrip("#").strip()
        if not tag or tag in cleaned:
            continue
        if len(tag) > TAG_MAX:
            raise ValidationError("content.err_tag_long", field="tags", max=TAG_MAX)
        if tag_problem(tag):
            raise ValidationError("content.err_tag_chars", field="tags")
        cleaned.append(tag)
    if len(cleaned) > TAGS_MAX:
        raise ValidationError("content.err_too_many_tags", field="tags", max=TAGS_MAX)
    return tuple(cleaned)


def tag_problem(tag: str) -> bool:
    """Whether ``tag`` is more than one line of plain text (markup, control characters,
    line or paragraph separators)."""
    return bool(TAG_MARKUP.search(tag)) or any(
        unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in tag)


def clean_query(query: SearchQuery) -> SearchQuery:
    """The search in NFC (stored text is NFC); ValidationError for unreadable text."""
    return replace(query, text=clean_text(query.text),
                   tags=tuple(clean_text(tag) for tag in query.tags))


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags typed as one comma-separated string."""
    return tuple(part for part in (p.strip() for p in text.split(",")) if part)
