"""Demo Factory: page config, services built once, sign-in, navigation by permission."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from services.bootstrap import Services
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui import (
    auth,
    browse,
    confirm,
    gate,
    lazy,
    nav,
    page_names,
    profile,
    routes,
    session,
    tracking,
    url_params,
)
from services.ui.emulation import emulation_banner
from services.ui.i18n import (
    init_language,
    language_selector,
    mark_page_language,
    role_label,
    t,
)
from services.ui.styles import app_style
from services.ui.widgets import errors_shown, md_escape, show_error, show_flash, show_unexpected

log = logging.getLogger("demo_factory")

# A bundled icon: a ":material/..." page icon is fetched from a public font host on every page,
# which fails offline and tells a third party who visits.
ICON = Path(__file__).parent / "services" / "ui" / "static" / "icon.png"
st.set_page_config(page_title=page_names.APP_NAME, page_icon=str(ICON), layout="wide")


def user_box(actor: Actor, services: Services) -> None:
    with st.sidebar.container(border=True):
        if not actor.is_authenticated:
            st.caption(t("auth.not_signed_in"))
            st.page_link(routes.LOGIN, label=t("nav.login"), icon=":material/login:")
            return
        st.page_link(routes.PROFILE, label=f"**{md_escape(actor.name or str(actor.user_id))}**",
                     icon=":material/account_circle:", help=t("profile.nav"))
        st.caption(", ".join(role_label(r) for r in sorted(actor.roles)) or role_label("viewer"))
        if st.button(t("auth.logout"), key="df_logout", icon=":material/logout:"):
            auth.sign_out()
            st.switch_page(routes.HOME)
        if services.accounts.ends_sessions and st.button(
            t("auth.logout_everywhere"), key="df_logout_everywhere", icon=":material/devices:",
            help=t("auth.logout_everywhere_help"),
        ):
            auth.sign_out_everywhere()
            st.switch_page(routes.HOME)


def main() -> None:
    try:
        settings = session.current_settings()
    except DemoFactoryError as exc:
        init_language()
        show_error(exc)
        st.stop()
    init_language(settings.default_language)
    app_style()
    emulation_banner(settings)
    try:
        with st.spinner(t("common.starting")):
            services = session.load_services(settings)
        actor = auth.start(services)
        needs_first_admin = auth.needs_first_admin(services)
    except DemoFactoryError as exc:
        log.exception("start-up failed")
        show_error(exc)
        st.stop()
    except Exception:
        log.exception("start-up failed")
        show_unexpected()
        st.stop()
    session.set_actor(actor)
    profile.apply_preferred_language(services, actor)
    # Expanded: an admin sees many sections, and folding them would hide the editor link.
    page = st.navigation(nav.pages_for(actor, needs_first_admin), expanded=True)
    page_names.name_tab(page.title)  # as the menu names it; an item's page renames it
    url_params.note_page(page.url_path)  # before anything that may switch pages
    confirm.forget_elsewhere(page.url_path)  # a question belongs to the page that asked it
    lazy.keep(*browse.kept_widgets())  # a search survives a visit to the item it found
    gate.leave_sign_in(actor, page)
    gate.return_after_sign_in(actor)
    language_selector()
    mark_page_language()  # after the switch: the language this run draws in
    user_box(actor, services)
    show_flash()
    tracking.page_view(page.url_path or "home", st.query_params.get("id", ""))
    tracking.keep_visit()
    with errors_shown(f"page {page.url_path}"):
        if gate.allowed(actor, page):
            if not gate.is_sign_in(page):  # the sign-in page says it with its other reasons
                auth.ended_notice()
            page.run()


main()
