"""Sign in: a local account (checked by the account service), the Cognito forms
(DEMO_FACTORY_AUTH=cognito, services/ui/cognito_login.py; both rate-limited per user name), or
one button that leaves for an OpenID Connect provider (DEMO_FACTORY_AUTH=oidc)."""

import streamlit as st

from services.errors import DemoFactoryError
from services.ui import auth, cognito_login, gate, item_actions, profile, routes, session
from services.ui.i18n import t
from services.ui.widgets import show_error

services = session.services()

st.title(t("auth.login_title"), anchor=False)
auth.ended_notice()
if not item_actions.sign_in_reason():  # the like's own reason, else the page's behind it
    gate.sign_in_reason()
if auth.needs_first_admin(services):
    st.info(t("auth.no_admin_yet"), icon=":material/info:")
    st.page_link(routes.FIRST_ADMIN, label=t("nav.first_admin"),
                 icon=":material/admin_panel_settings:")

if services.sign_in.mode == "oidc":
    gate.remember_return()  # the provider brings the browser back to home, in a new session
    st.write(t("auth.oidc_intro"))
    if st.button(t("auth.oidc_button"), type="primary", icon=":material/login:", key="oidc_login"):
        auth.start_oidc_sign_in(services)
    st.stop()
if services.cognito is not None:
    cognito_login.render(services)
    st.stop()

form_col, _ = st.columns([3, 2])
if cognito_login.pending_challenge() is not None:
    # An administrator's one-time password: a new one is set before anything else.
    with form_col:
        cognito_login.new_password_form(services, intro="auth.new_password_intro")
    st.stop()
with form_col, st.form("login_form"):
    username = st.text_input(t("auth.username"), key=auth.LOGIN_USERNAME_KEY,
                             autocomplete="username")
    password = st.text_input(t("auth.password"), type="password", key="login_password",
                             autocomplete="current-password")
    submitted = st.form_submit_button(t("auth.login_button"), type="primary",
                                      icon=":material/login:")

if services.signup is not None and services.signup.is_open:
    form_col.page_link(routes.SIGNUP, label=t("signup.login_link"), icon=":material/person_add:")
if services.password_reset is not None:
    form_col.page_link(routes.RESET, label=t("reset.login_link"), icon=":material/lock_reset:")

if submitted:
    try:
        challenge = auth.sign_in(services, username, password)
    except DemoFactoryError as exc:
        show_error(exc)
    else:
        if challenge is not None:
            st.session_state[cognito_login.CHALLENGE_KEY] = challenge
            st.rerun()
        profile.welcome(services)
