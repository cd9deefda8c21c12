"""Create an account (local sign-in, DEMO_FACTORY_SIGNUP not "off"): the request is kept, and
an administrator approves it on the users page where the mode asks for that."""

import streamlit as st

from services.ui import routes, session
from services.ui import signup as signup_ui
from services.ui.i18n import t

services = session.services()

st.title(t("signup.title"))
if services.signup is None:  # accounts live in Cognito or at the OIDC provider
    st.info(t("signup.cognito"), icon=":material/info:")
    st.stop()
if not services.signup.is_open:
    st.info(t("signup.off"), icon=":material/info:")
    st.stop()
if session.actor().is_authenticated:
    st.switch_page(routes.HOME)
if services.signup.verifies_email:
    st.write(t("signup.intro_open" if services.signup.mode == "open"
               else "signup.intro_approval_verified"))
    st.caption(t("signup.verify_note"))
else:  # the administrator's approval stands in for verification (and says so)
    st.write(t("signup.intro_open" if services.signup.mode == "open"
               else "signup.intro_approval"))
form_col, _ = st.columns([3, 1])
with form_col:
    signup_ui.signup_form(services)
    st.page_link(routes.LOGIN, label=t("signup.have_account"), icon=":material/login:")
