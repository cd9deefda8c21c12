"""One content item (``?id=``): text, files, likes and the owner's actions."""

import streamlit as st

from services.errors import DemoFactoryError
from services.ui import routes, session
from services.ui.assets import render_body
from services.ui.i18n import t
from services.ui.item_actions import action_notes, count_view_once, like_button, owner_actions
from services.ui.own_stats import item_stats_panel
from services.ui.page_names import name_tab
from services.ui.widgets import md_escape, meta_line, show_error, tag_links

services = session.services()
actor = session.actor()
content_id = st.query_params.get("id", "")

if not content_id:
    st.info(t("content.choose_item"), icon=":material/info:")
    st.page_link(routes.BROWSE, label=t("nav.browse"), icon=":material/search:")
    st.stop()

try:
    item = services.content.get(content_id, actor)
    views = count_view_once(services.content, item, actor)
except DemoFactoryError as exc:
    show_error(exc)
    st.page_link(routes.BROWSE, label=t("nav.browse"), icon=":material/search:")
    st.stop()

name_tab(item.title)
st.title(md_escape(item.title), anchor=False)
st.caption(meta_line(item, services.settings.tz))
if item.tags:
    tag_links(item.tags)
if item.summary:
    st.markdown(f"*{md_escape(item.summary)}*")

# The item's controls on one line, side by side; what they answer goes under it.
with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
    st.caption(t("content.views_count", views=views), width="content")
    like_button(services.content, item, actor)
    owner_actions(item, actor)
action_notes(services.content, item, actor)
item_stats_panel(services.analytics, actor, item)

st.divider()
render_body(services.content, item, actor)
