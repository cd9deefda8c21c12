"""What each page is called: the menu's titles, and the names the dashboard gives the pages
visitors were on (events record a page by its address: ``home``, ``category_finance``)."""

from __future__ import annotations

from services.domain.models import Category
from services.ui import routes
from services.ui.gate import url_path
from services.ui.i18n import category_label, t

TITLE_KEYS: dict[str, str] = {
    routes.HOME: "nav.home",
    routes.BROWSE: "nav.browse",
    routes.CONTACT: "inquiries.nav_contact",
    routes.CONTENT: "nav.content",
    routes.EDITOR: "nav.editor",
    routes.MY_CONTENT: "nav.my_content",
    routes.LOGIN: "nav.login",
    routes.PROFILE: "profile.nav",
    routes.SIGNUP: "signup.nav",
    routes.RESET: "reset.nav",
    routes.VERIFY: "verify.title",
    routes.FIRST_ADMIN: "nav.first_admin",
    routes.DASHBOARD: "analytics.nav",
    routes.REPORTS: "reports.nav",
    routes.ITEM_STATS: "itempage.nav_item",
    routes.AUTHOR_STATS: "itempage.nav_author",
    routes.ADMIN: "nav.admin",
    routes.ADMIN_INQUIRIES: "inquiries.nav_admin",
    routes.ADMIN_BEDROCK: "admin_tools.nav_bedrock",
    routes.ADMIN_DOCTOR: "admin_tools.nav_doctor",
    routes.ADMIN_AUDIT: "admin_tools.nav_audit",
}
_BY_ADDRESS = {url_path(route): route for route in TITLE_KEYS}
_CATEGORY_PAGES = {routes.category_url_path(c): c for c in Category}


def title(route: str) -> str:
    """The menu's title of the page at ``route`` (``routes.HOME``...)."""
    return t(TITLE_KEYS[route])


def is_app_page(address: str) -> bool:
    """Whether page views recorded with ``address`` are of one of the app's pages."""
    return address in _CATEGORY_PAGES or address in _BY_ADDRESS


def page_label(address: str) -> str:
    """A page as visitors know it, from the address its page views record; an address that
    is none of the app's pages (an older or imported event's) is said to be unknown, with the
    name it was recorded under."""
    if address in _CATEGORY_PAGES:
        return category_label(_CATEGORY_PAGES[address])
    route = _BY_ADDRESS.get(address)
    if route is not None:
        return title(route)
    return t("analytics.unknown_page", page=" ".join(address.split()) or "-")
