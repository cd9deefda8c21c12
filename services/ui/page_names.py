"""What each page is called: the menu's titles, and the names the dashboard gives the pages
visitors were on (events record a page by its address: ``home``, ``category_finance``)."""

from __future__ import annotations

import streamlit as st

from services.i18n import labels
from services.i18n.labels import PAGE_KEYS
from services.ui import routes
from services.ui.gate import url_path
from services.ui.i18n import language, t

# The menu's pages; each is titled by the name its address has (``PAGE_KEYS``).
_ROUTES = (
    routes.HOME, routes.BROWSE, routes.CONTACT, routes.CONTENT, routes.EDITOR,
    routes.MY_CONTENT, routes.LOGIN, routes.PROFILE, routes.SIGNUP, routes.RESET, routes.VERIFY,
    routes.FIRST_ADMIN, routes.DASHBOARD, routes.REPORTS, routes.ITEM_STATS,
    routes.AUTHOR_STATS, routes.ADMIN, routes.ADMIN_INQUIRIES, routes.ADMIN_BEDROCK,
    routes.ADMIN_DOCTOR, routes.ADMIN_AUDIT,
)
TITLE_KEYS: dict[str, str] = {route: PAGE_KEYS[url_path(route)] for route in _ROUTES}
APP_NAME = "Demo Factory"


def name_tab(name: str) -> None:
    """The browser tab's title: the page's ``name``, then the app's. Streamlit applies its
    page config calls in order within a run, so the last one (the page's own) wins without
    a rerun; before the page is known the tab says the app's name alone (``app.py``)."""
    st.set_page_config(page_title=f"{name} · {APP_NAME}")


def title(route: str) -> str:
    """The menu's title of the page at ``route`` (``routes.HOME``...)."""
    return t(TITLE_KEYS[route])


def page_label(address: str) -> str:
    """A page as visitors know it, in the page's language (``labels.page_name``)."""
    return labels.page_name(language(), address)
