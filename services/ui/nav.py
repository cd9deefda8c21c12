"""Which pages a visitor sees: the navigation follows the actor's permissions.

Services enforce every permission again; hiding a page only keeps the menu honest.
"""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from services.domain.models import Category
from services.domain.permissions import Action, Actor, can
from services.ui.browse import render_browse
from services.ui.i18n import category_label, t
from services.ui.routes import (
    ADMIN,
    ADMIN_AUDIT,
    ADMIN_BEDROCK,
    ADMIN_DOCTOR,
    ADMIN_INQUIRIES,
    BROWSE,
    CONTACT,
    CONTENT,
    DASHBOARD,
    EDITOR,
    FIRST_ADMIN,
    HOME,
    LOGIN,
    MY_CONTENT,
    REPORTS,
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
        _page(HOME, t("nav.home"), ":material/home:", default=True),
        _page(BROWSE, t("nav.browse"), ":material/search:"),
        _page(CONTACT, t("inquiries.nav_contact"), ":material/mail:"),
        _page(CONTENT, t("nav.content"), ":material/article:", visibility="hidden"),
    ]


def _categories() -> list[StreamlitPage]:
    return [
        st.Page(partial(render_browse, c), title=category_label(c), icon=_CATEGORY_ICONS[c],
                url_path=category_url_path(c))
        for c in Category
    ]


def _create() -> list[StreamlitPage]:
    return [
        _page(EDITOR, t("nav.editor"), ":material/edit_note:"),
        _page(MY_CONTENT, t("nav.my_content"), ":material/folder_open:"),
    ]


def _account(actor: Actor, needs_first_admin: bool) -> list[StreamlitPage]:
    pages: list[StreamlitPage] = []
    if not actor.is_authenticated:
        pages.append(_page(LOGIN, t("nav.login"), ":material/login:"))
    if needs_first_admin:
        pages.append(
            _page(FIRST_ADMIN, t("nav.first_admin"), ":material/admin_panel_settings:")
        )
    return pages


def _admin_tools(actor: Actor) -> list[StreamlitPage]:
    pages: list[StreamlitPage] = []
    if can(actor, Action.CHECK_SETTINGS):
        pages += [
            _page(ADMIN_BEDROCK, t("admin_tools.nav_bedrock"), ":material/network_check:"),
            _page(ADMIN_DOCTOR, t("admin_tools.nav_doctor"), ":material/health_and_safety:"),
        ]
    if can(actor, Action.VIEW_AUDIT):
        pages.append(_page(ADMIN_AUDIT, t("admin_tools.nav_audit"), ":material/history:"))
    return pages


def pages_for(actor: Actor, needs_first_admin: bool) -> dict[str, list[StreamlitPage]]:
    """Navigation sections for ``actor``: everyone browses; authors write; admins manage."""
    sections = {
        t("nav.section_explore"): _explore(),
        t("nav.section_categories"): _categories(),
    }
    if can(actor, Action.CREATE_CONTENT):
        sections[t("nav.section_create")] = _create()
    if can(actor, Action.VIEW_DASHBOARDS):
        sections[t("analytics.nav_section")] = [
            _page(DASHBOARD, t("analytics.nav"), ":material/monitoring:")
        ]
    if can(actor, Action.GENERATE_REPORTS):
        sections.setdefault(t("analytics.nav_section"), []).append(
            _page(REPORTS, t("reports.nav"), ":material/auto_awesome:"))
    if can(actor, Action.MANAGE_USERS):
        sections[t("nav.section_admin")] = [
            _page(ADMIN, t("nav.admin"), ":material/manage_accounts:"),
            _page(ADMIN_INQUIRIES, t("inquiries.nav_admin"), ":material/inbox:"),
        ]
    tools = _admin_tools(actor)
    if tools:
        sections.setdefault(t("nav.section_admin"), []).extend(tools)
    account = _account(actor, needs_first_admin)
    if account:
        sections[t("nav.section_account")] = account
    return sections
