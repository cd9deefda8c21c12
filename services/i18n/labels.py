"""The names people know for values the app stores as ids: content categories and visit
purposes, in a language. One definition for pages, reports, answers and digest mails."""

from __future__ import annotations

from services.domain.analytics import Purpose
from services.domain.models import Category
from services.i18n import translate


def category_name(lang: str, value: object) -> str | None:
    """A category's name in ``lang``; None for a value that is none of ours (an imported
    event's), which each caller shows as text in its own way."""
    try:
        return translate(lang, f"content.category.{Category(str(value)).name.lower()}")
    except ValueError:
        return None


def purpose_name(lang: str, value: object) -> str | None:
    """A visit purpose's name in ``lang``; None for a value that is none of ours."""
    try:
        return translate(lang, f"analytics.purpose.{Purpose(str(value)).name.lower()}")
    except ValueError:
        return None
