"""The second step of a sign-up through a user pool (Cognito): the code the pool emailed, a
new code on request, and what happens next (sign in now, or wait for an administrator).

The step is shown after every sign-up the form accepted, whether or not an account was made,
so that it tells nobody which names or emails are in use."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.users import AccountStatus
from services.errors import DemoFactoryError
from services.ui import routes, tracking
from services.ui.i18n import t
from services.ui.widgets import md_escape, show_error

CODE_FOR = "su_code_for"  # the user name the code step is for; unset: the form is shown
_DONE = "su_code_done"  # the status after confirmation, shown until the visitor moves on


def start(username: str) -> None:
    """Show the code step on the next run (for the name as typed; the service normalises)."""
    st.session_state[CODE_FOR] = username
    st.session_state.pop(_DONE, None)


def active() -> bool:
    return bool(st.session_state.get(CODE_FOR))


def have_a_code() -> None:
    """For a visitor who signed up earlier: go straight to the code step for a user name."""
    with st.expander(t("signup.have_code"), icon=":material/pin:"), \
            st.form("su_have_code", enter_to_submit=False):
        username = st.text_input(t("signup.username"), key="su_code_username",
                                 autocomplete="username")
        if st.form_submit_button(t("signup.have_code_go")) and username.strip():
            start(username.strip())
            st.rerun()


def code_step(services: Services) -> None:
    signup = services.signup
    assert signup is not None
    username = str(st.session_state[CODE_FOR])
    done = st.session_state.get(_DONE)
    if done is not None:
        _confirmed(AccountStatus(done))
        return
    st.info(t("signup.code_sent", username=md_escape(username)), icon=":material/mail:")
    with st.form("su_code_form", enter_to_submit=False):
        code = st.text_input(t("signup.code"), key="su_code", autocomplete="one-time-code",
                             placeholder=t("signup.code_placeholder"))
        confirmed = st.form_submit_button(t("signup.code_submit"), type="primary",
                                          icon=":material/verified:")
    with st.container(horizontal=True):  # side by side, not half a page apart
        resend = st.button(t("signup.code_resend"), key="su_code_resend",
                           icon=":material/forward_to_inbox:")
        restart = st.button(t("signup.code_restart"), key="su_code_restart",
                            icon=":material/arrow_back:")
    if restart:
        st.session_state.pop(CODE_FOR, None)
        st.rerun()
    try:
        if confirmed:
            if not code.strip():
                st.error(t("signup.code_missing"), icon=":material/error:")
                return
            st.session_state[_DONE] = signup.confirm(username, code).value
            st.rerun()
        if resend:
            signup.resend(username, tracking.session_id())
            st.success(t("signup.code_resent"), icon=":material/check_circle:")
    except DemoFactoryError as exc:
        show_error(exc)


def _confirmed(status: AccountStatus) -> None:
    if status == AccountStatus.ACTIVE:
        st.success(t("signup.confirmed_active"), icon=":material/check_circle:")
        st.page_link(routes.LOGIN, label=t("signup.have_account"), icon=":material/login:")
    else:
        st.success(t("signup.confirmed_pending"), icon=":material/hourglass_top:")
