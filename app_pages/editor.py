"""Create or edit content (``?id=`` edits). Keeps the typed text when a save conflicts."""

import streamlit as st

from services.content.drafts import SUMMARY_MAX, TAGS_MAX, TITLE_MAX
from services.domain.models import Category, Status
from services.domain.permissions import Action, can
from services.errors import ConflictError, DemoFactoryError
from services.ui import editor, editor_files, routes, session
from services.ui.assets import render_text
from services.ui.field_errors import FieldSlots, optional, required_note
from services.ui.i18n import category_label, relabel, status_label, t
from services.ui.widgets import flash, md_escape, show_error

services = session.services()
actor = session.actor()
content_id = st.query_params.get("id", "")

item = None
if content_id:
    try:
        item = services.content.get(content_id, actor)
    except DemoFactoryError as exc:
        show_error(exc)
        st.stop()
    if not can(actor, Action.EDIT_CONTENT, item.author_id):
        st.error(t("errors.permission_denied"), icon=":material/block:")
        st.stop()
editor.ensure_loaded(content_id, item)

st.title(t("content.edit_title") if item else t("content.new_title"), anchor=False)
if item:
    st.page_link(routes.CONTENT, label=t("content.view_item"), icon=":material/visibility:",
                 query_params={"id": item.id})

required_note()
slots = FieldSlots()  # each field's refusal is shown right under it
# No max_chars: Streamlit drops a paste longer than it without a word. The limit is in the help
# text, and saving a longer text is refused with its length while the text stays in the box.
title = st.text_input(t("content.title_label"), key=editor.TITLE,
                      help=t("content.limit_help", max=TITLE_MAX))
if len(title) > TITLE_MAX:  # said at once, not only on save
    st.caption(t("content.count", length=len(title), max=TITLE_MAX))
slots.under("title")
summary = st.text_area(optional(t("content.summary_label")), key=editor.SUMMARY, height=80,
                       help=t("content.limit_help", max=SUMMARY_MAX))
st.caption(t("content.count", length=len(summary), max=SUMMARY_MAX))
slots.under("summary")
cat_col, status_col = st.columns(2)
cat_col.selectbox(t("content.category_label"), options=list(Category), key=relabel(editor.CATEGORY),
                  format_func=category_label, placeholder=t("content.category_choose"))
slots.under("category", cat_col)
status_col.radio(t("content.status_label"), options=list(Status), key=relabel(editor.STATUS),
                 format_func=status_label, horizontal=True)
st.text_input(optional(t("content.tags_label")), key=editor.TAGS,
              help=t("content.tags_help", max=TAGS_MAX))
slots.under("tags")

write_tab, preview_tab = st.tabs([t("content.write_tab"), t("content.preview_tab")])
with write_tab:
    st.text_area(optional(t("content.body_label")), key=editor.BODY, height=360,
                 help=t("content.body_help"))
    slots.under("body")
with preview_tab:
    body = st.session_state.get(editor.BODY, "")
    if body.strip():  # as the item's page shows it, its stored files in place
        render_text(services.content, item, body, actor)
    else:
        st.caption(t("content.preview_empty"))

chosen = editor_files.new_files(services.settings, slots)
remove_ids = editor_files.stored_files(item)

save_clicked = st.button(t("content.save"), type="primary", icon=":material/save:", key="ed_save")
if save_clicked:
    try:
        saved = editor.save(services.content, actor, content_id, chosen, remove_ids)
    except ConflictError as exc:
        show_error(exc)
        st.button(t("content.reload_latest"), key="ed_reload", icon=":material/refresh:",
                  on_click=editor.reload_latest, args=(services.content, content_id, actor),
                  help=t("content.reload_latest_help"))
    except DemoFactoryError as exc:
        slots.show_error(exc)
    else:
        flash(t("content.saved", title=md_escape(saved.title)))
        st.query_params["id"] = saved.id
        st.rerun()
