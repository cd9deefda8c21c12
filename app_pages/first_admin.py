"""Create the first administrator. Offered only while no administrator exists."""

import streamlit as st

from services.errors import DemoFactoryError
from services.ui import auth, routes, session
from services.ui.field_errors import FieldSlots, optional, required_note
from services.ui.i18n import t
from services.ui.widgets import flash, md_escape

services = session.services()

st.title(t("auth.first_admin_title"), anchor=False)
if auth.first_admin_by_command(services):
    st.info(t("auth.err_first_admin_by_command"), icon=":material/info:")
    st.stop()
if not auth.needs_first_admin(services):
    st.info(t("auth.err_admin_exists"), icon=":material/info:")
    st.page_link(routes.LOGIN, label=t("nav.login"), icon=":material/login:")
    st.stop()

st.write(t("auth.first_admin_intro"))
form_col, _ = st.columns([3, 2])
slots = FieldSlots()  # each refusal is shown under the field it names
with form_col, st.form("first_admin_form", enter_to_submit=False):
    required_note()
    username = st.text_input(t("auth.username"), key="fa_username", help=t("auth.username_help"))
    slots.under("username")
    name = st.text_input(optional(t("auth.name")), key="fa_name")  # else the user name
    slots.under("name")
    email = st.text_input(optional(t("auth.email")), key="fa_email")
    slots.under("email")
    password = st.text_input(t("auth.password"), type="password", key="fa_password",
                             help=t("auth.password_help"), autocomplete="new-password")
    slots.under("password")
    repeat = st.text_input(t("auth.password_repeat"), type="password", key="fa_password2",
                           autocomplete="new-password")
    slots.under("password_again")
    submitted = st.form_submit_button(t("auth.first_admin_button"), type="primary")

if submitted:
    if password != repeat:
        slots.show([("password_again", t("auth.err_password_mismatch"))])
        st.stop()
    try:
        user = services.accounts.create_first_admin(username, name, email, password)
    except DemoFactoryError as exc:
        slots.show_error(exc)
    else:
        flash(t("auth.first_admin_done", username=md_escape(user.username)))
        auth.prefill_login(user.username)
        st.switch_page(routes.LOGIN)
