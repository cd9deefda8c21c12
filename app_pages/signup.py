"""Create an account (local or Cognito sign-in, DEMO_FACTORY_SIGNUP not "off"): the request is
kept, and an administrator approves it on the users page where the mode asks for that. With
Cognito the pool emails a code, asked for in a second step."""

import streamlit as st

from services.ui import routes, session, signup_code
from services.ui import signup as signup_ui
from services.ui.i18n import t

services = session.services()

st.title(t("signup.title"), anchor=False)
if services.signup is None:  # accounts live at the OIDC provider
    st.info(t("signup.cognito"), icon=":material/info:")
    st.stop()
if not services.signup.is_open:
    st.info(t("signup.off"), icon=":material/info:")
    st.stop()
if session.actor().is_authenticated:
    st.switch_page(routes.HOME)
by_code = services.signup.confirms_by_code
opens = services.signup.mode == "open"
if by_code:  # Cognito: the pool mails a code
    st.write(t("signup.intro_open_code" if opens else "signup.intro_approval_code"))
elif services.signup.verifies_email:
    st.write(t("signup.intro_open" if opens else "signup.intro_approval_verified"))
    st.caption(t("signup.verify_note", hours=services.signup.verify_hours))
else:  # the administrator's approval stands in for verification (and says so)
    st.write(t("signup.intro_open" if opens else "signup.intro_approval"))
form_col, _ = st.columns([3, 1])
with form_col:
    if by_code and signup_code.active():
        signup_code.code_step(services)
    else:
        signup_ui.signup_form(services)
        if by_code:
            signup_code.have_a_code()
    st.page_link(routes.LOGIN, label=t("signup.have_account"), icon=":material/login:")
