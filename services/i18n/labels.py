"""The names people know for values the app stores as ids or marks: content categories, visit
purposes, visit sources and devices, the pages visitors were on, in a language. One definition
for pages, reports, answers and digest mails."""

from __future__ import annotations

from services.domain.analytics import DIRECT, UNKNOWN_SEGMENT, Device, Purpose
from services.domain.models import Category
from services.i18n import translate

_DEVICES = frozenset(d.value for d in Device)
# Each page's name (the menu's title) by the address its page views record; the category pages
# are named by their category. ``services/ui/page_names.py`` titles the menu from this table,
# and a test holds it to every page the app serves.
PAGE_KEYS: dict[str, str] = {
    "home": "nav.home", "browse": "nav.browse", "contact": "inquiries.nav_contact",
    "content": "nav.content", "editor": "nav.editor", "my_content": "nav.my_content",
    "login": "nav.login", "profile": "profile.nav", "signup": "signup.nav",
    "reset": "reset.nav", "verify": "verify.title", "first_admin": "nav.first_admin",
    "dashboard": "analytics.nav", "reports": "reports.nav", "item-stats": "itempage.nav_item",
    "author-stats": "itempage.nav_author", "admin": "nav.admin",
    "admin_inquiries": "inquiries.nav_admin", "admin_bedrock": "admin_tools.nav_bedrock",
    "admin_doctor": "admin_tools.nav_doctor", "admin_audit": "admin_tools.nav_audit",
}
_CATEGORY_PAGES = {category.page: category for category in Category}


def is_app_page(address: str) -> bool:
    """Whether page views recorded with ``address`` are of one of the app's pages."""
    return address in PAGE_KEYS or address in _CATEGORY_PAGES


def page_name(lang: str, address: str) -> str:
    """A page as visitors know it, from the address its page views record; an address that
    is none of the app's pages (an older or imported event's) is said to be unknown, with the
    name it was recorded under (never a bare key as if it were a page's name)."""
    if address in _CATEGORY_PAGES:
        return category_name(lang, _CATEGORY_PAGES[address]) or address
    if address in PAGE_KEYS:
        return translate(lang, PAGE_KEYS[address])
    return translate(lang, "analytics.unknown_page", page=" ".join(address.split()) or "-")


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
