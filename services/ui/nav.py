"""Which pages a visitor sees: the navigation follows the actor's permissions.

Services enforce every permission again; hiding a page only keeps the menu honest.
"""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from services.domain.models import Category
from services.domain.permissions import Action, Actor, can
from services.ui import session
from services.ui.browse import render_browse
from services.ui.gate import may_open, url_path
from services.ui.i18n import category_label, t
from services.ui.page_names import title
from services.ui.routes import (
    ADMIN,
    ADMIN_AUDIT,
    ADMIN_BEDROCK,
    ADMIN_DOCTOR,
    ADMIN_INQUIRIES,
    AUTHOR_STATS,
    BROWSE,
    CONTACT,
    CONTENT,
    DASHBOARD,
    EDITOR,
    FIRST_ADMIN,
    HOME,
    ITEM_STATS,
    LOGIN,
    MY_CONTENT,
    PROFILE,
    REPORTS,
    RESET,
    SIGNUP,
    VERIFY,
    category_url_path,
)

_CATEGORY_ICONS: dict[Category, str] = {
    Category.GENERATIVE_AI: ":material/auto_awesome:",
    Category.MANUFACTURING: ":material/precision_manufacturing:",
    Category.RETAIL_CPG: ":material/storefront:",
    Category.TELCO_MEDIA: ":material/cell_tower:",
    Category.FINANCE: ":material/account_balance:",
    Category.AMAZON_Q: ":material/support_agent:",
    Category.ETC: ":material/category:",
}


def _page(path: str, title: str, icon: str, **kwargs: object) -> StreamlitPage:
    return st.Page(path, title=title, icon=icon, **kwargs)  # type: ignore[arg-type]


def _explore() -> list[StreamlitPage]:
    return [
        _page(HOME, title(HOME), ":material/home:", default=True),
        _page(BROWSE, title(BROWSE), ":material/search:"),
        _page(CONTACT, title(CONTACT), ":material/mail:"),
        _page(CONTENT, title(CONTENT), ":material/article:", visibility="hidden"),
    ]


def _categories() -> list[StreamlitPage]:
    return [
        st.Page(partial(render_browse, c), title=category_label(c), icon=_CATEGORY_ICONS[c],
                url_path=category_url_path(c))
        for c in Category
    ]


def _gated(actor: Actor, path: str, title: str, icon: str) -> StreamlitPage:
    """A page every visitor can reach by address; the menu lists it only for those who may
    open it (services/ui/gate.py decides what the others see there)."""
    visibility = "visible" if may_open(actor, path) else "hidden"
    return _page(path, title, icon, visibility=visibility)


def _create(actor: Actor) -> list[StreamlitPage]:
    return [
        _gated(actor, EDITOR, title(EDITOR), ":material/edit_note:"),
        _gated(actor, MY_CONTENT, title(MY_CONTENT), ":material/folder_open:"),
    ]


def _account(actor: Actor, needs_first_admin: bool) -> list[StreamlitPage]:
    # Registered for everyone so that ``?next=`` links work; listed only before sign-in.
    visibility = "hidden" if actor.is_authenticated else "visible"
    pages = [_page(LOGIN, title(LOGIN), ":material/login:", visibility=visibility)]
    # The profile: listed for signed-in users; registered always so that ``?next=`` works.
    pages.append(_page(PROFILE, title(PROFILE), ":material/account_circle:",
                       visibility="visible" if actor.is_authenticated else "hidden"))
    # Listed for visitors when sign-up is on; registered always (the page says when it is off).
    signup = session.services().signup
    listed = signup is not None and signup.is_open and not actor.is_authenticated
    pages.append(_page(SIGNUP, title(SIGNUP), ":material/person_add:",
                       visibility="visible" if listed else "hidden"))
    # Reached from the sign-in page and from mailed links only.
    pages.append(_page(RESET, title(RESET), ":material/lock_reset:", visibility="hidden"))
    pages.append(_page(VERIFY, title(VERIFY), ":material/mark_email_read:",
                       visibility="hidden"))
    # Listed while no administrator exists; registered always, so that a form sent just after
    # another tab made the first one (or a link kept) reaches the page, which says so.
    pages.append(_page(FIRST_ADMIN, title(FIRST_ADMIN), ":material/admin_panel_settings:",
                       visibility="visible" if needs_first_admin else "hidden"))
    return pages


def _analytics(actor: Actor) -> list[StreamlitPage]:
    return [
        _gated(actor, DASHBOARD, title(DASHBOARD), ":material/monitoring:"),
        _gated(actor, REPORTS, title(REPORTS), ":material/auto_awesome:"),
        # Reached by links only (dashboard tables, "my content"), at ``item-stats?id=...``.
        _page(ITEM_STATS, title(ITEM_STATS), ":material/insights:", visibility="hidden",
              url_path=url_path(ITEM_STATS)),
        _page(AUTHOR_STATS, title(AUTHOR_STATS), ":material/person_search:",
              visibility="hidden", url_path=url_path(AUTHOR_STATS)),
    ]


def _admin(actor: Actor) -> list[StreamlitPage]:
    return [
        _gated(actor, ADMIN, _with_count(title(ADMIN), _waiting(actor)),
               ":material/manage_accounts:"),
        _gated(actor, ADMIN_INQUIRIES, title(ADMIN_INQUIRIES), ":material/inbox:"),
        _gated(actor, ADMIN_BEDROCK, title(ADMIN_BEDROCK), ":material/network_check:"),
        _gated(actor, ADMIN_DOCTOR, title(ADMIN_DOCTOR),
               ":material/health_and_safety:"),
        _gated(actor, ADMIN_AUDIT, title(ADMIN_AUDIT), ":material/history:"),
    ]


def _waiting(actor: Actor) -> int:
    """How many sign-ups and role requests wait for an administrator (0 for the others)."""
    signup = session.services().signup
    if signup is None or not can(actor, Action.MANAGE_USERS):
        return 0
    return len(signup.pending(actor))


def _with_count(title: str, count: int) -> str:
    return f"{title} ({count})" if count else title


def pages_for(actor: Actor, needs_first_admin: bool) -> dict[str, list[StreamlitPage]]:
    """Navigation sections for ``actor``: every page is registered; the menu lists those the
    actor may open (everyone browses; authors write; analysts analyse; admins manage).

    A section whose pages are all hidden for the actor goes into "Explore" (with the hidden
    content page), so that the menu shows no empty section heading."""
    sections = {
        t("nav.section_explore"): _explore(),
        t("nav.section_categories"): _categories(),
    }
    groups = [
        (t("nav.section_create"), _create(actor)),
        (t("analytics.nav_section"), _analytics(actor)),
        (t("nav.section_admin"), _admin(actor)),
        (t("nav.section_account"), _account(actor, needs_first_admin)),
    ]
    for section, pages in groups:
        visible = [p for p in pages if p.visibility == "visible"]
        hidden = [p for p in pages if p.visibility != "visible"]
        if visible:
            sections.setdefault(section, []).extend(visible)
        sections[t("nav.section_explore")].extend(hidden)
    return sections
