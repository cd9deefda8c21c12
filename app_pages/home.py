"""Home: the latest and the most viewed published content; first steps when empty."""

import streamlit as st

from services.domain.models import SearchQuery, Sort
from services.domain.permissions import Action, can
from services.ui import auth, gate, routes, session
from services.ui.cards import card_grid
from services.ui.i18n import t
from services.ui.my_insights import my_insights
from services.ui.visit_purpose import purpose_prompt
from services.ui.widgets import empty_state

HOME_ITEMS = 6

services = session.services()
actor = session.actor()

st.title(t("common.home_title"), anchor=False)
st.caption(t("common.home_subtitle"))
purpose_prompt()

if auth.needs_first_admin(services):
    with st.container(border=True):
        st.markdown(f"**{t('common.home_first_admin_title')}**")
        st.write(t("common.home_first_admin_text"))
        st.page_link(routes.FIRST_ADMIN, label=t("common.home_first_admin_link"),
                     icon=":material/admin_panel_settings:")
elif auth.first_admin_by_command(services):
    st.info(t("auth.err_first_admin_by_command"), icon=":material/admin_panel_settings:")

my_insights(services, actor)  # signed-in analysts and authors only

latest = services.content.browse(SearchQuery(sort=Sort.NEWEST, page_size=HOME_ITEMS), actor)
if not latest.items and gate.may_request_role():
    # A signed-in reader cannot write yet: the way there is the request on their profile.
    empty_state(t("common.home_empty_title"),
                t("common.home_empty_hint_request", profile=t("profile.nav")))
    gate.request_link()
elif not latest.items:
    # The menu item by its own label, so that the hint and the menu never disagree.
    empty_state(t("common.home_empty_title"), t("common.home_empty_hint", menu=t("nav.editor")))
    if can(actor, Action.CREATE_CONTENT):
        st.page_link(routes.EDITOR, label=t("common.home_empty_link_create"),
                     icon=":material/edit_note:")
    elif not actor.is_authenticated:
        st.page_link(routes.LOGIN, label=t("common.home_empty_link_login"), icon=":material/login:")
else:
    st.header(t("common.home_latest"), anchor=False)
    card_grid(latest.items)
    popular = services.content.browse(
        SearchQuery(sort=Sort.MOST_VIEWED, page_size=HOME_ITEMS), actor
    )
    # Counters follow usage events: before any view this would repeat the latest items.
    if any(item.views for item in popular.items):
        st.header(t("common.home_most_viewed"), anchor=False)
        card_grid(popular.items)
    st.page_link(routes.BROWSE, label=t("common.home_browse_all"), icon=":material/arrow_forward:")
