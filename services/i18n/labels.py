"""The names people know for values the app stores as ids or marks: content categories, visit
purposes, visit sources and devices, in a language. One definition for pages, reports, answers
and digest mails."""

from __future__ import annotations

from services.domain.analytics import DIRECT, UNKNOWN_SEGMENT, Device, Purpose
from services.domain.models import Category
from services.i18n import translate

_DEVICES = frozenset(d.value for d in Device)


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


def segment_mark_name(lang: str, value: object, *, device: bool) -> str | None:
    """Our words for a visit source or device value that is one of the app's marks ("no
    source", "unknown") or device classes; None for a label someone chose (a utm value, a
    referrer's host), which callers show as that text."""
    if value == UNKNOWN_SEGMENT:
        return translate(lang, "insights.unknown")
    if value == DIRECT:
        return translate(lang, "visits.direct")
    if device and value in _DEVICES:
        return translate(lang, f"visits.device_class.{value}")
    return None
