"""The sign-in page's Cognito forms: sign in, the first-password challenge, forgot password."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.identity import Challenge
from services.errors import DemoFactoryError, ServiceUnavailable
from services.ui import auth, gate
from services.ui.i18n import t
from services.ui.widgets import flash, md_escape, show_error

CHALLENGE_KEY = "cg_challenge"
_FORGOT_LOGIN = "cg_forgot_login"
_FORGOT_SENT = "cg_forgot_sent"


def render(services: Services) -> None:
    form_col, _ = st.columns([3, 2])
    with form_col:
        if pending_challenge() is not None:
            new_password_form(services)
            return
        sign_in_form(services)
        forgot_password(services)


def pending_challenge() -> Challenge | None:
    found = st.session_state.get(CHALLENGE_KEY)
    return found if isinstance(found, Challenge) else None


def _welcome() -> None:
    flash(t("auth.welcome", name=md_escape(st.session_state.get("name") or "")))
    gate.go_next()


def sign_in_form(services: Services) -> None:
    with st.form("cg_login_form"):
        login = st.text_input(t("cognito.login_field"), key="cg_login", autocomplete="username")
        password = st.text_input(t("auth.password"), type="password", key="cg_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("auth.login_button"), type="primary",
                                          icon=":material/login:")
    if not submitted:
        return
    try:
        challenge = auth.sign_in(services, login, password)
    except DemoFactoryError as exc:
        show_error(exc)
        return
    if challenge is not None:
        st.session_state[CHALLENGE_KEY] = challenge
        st.rerun()
    _welcome()


def new_password_form(services: Services, intro: str = "cognito.new_password_intro") -> None:
    """The NEW_PASSWORD_REQUIRED challenge of either mode: Cognito's first sign-in, or a local
    account's sign-in with an administrator's one-time password (``intro`` says which)."""
    st.subheader(t("cognito.new_password_title"), anchor=False)
    st.info(t(intro), icon=":material/key:")
    with st.form("cg_new_password_form"):
        new = st.text_input(t("cognito.new_password"), type="password", key="cg_new_password",
                            help=t("auth.password_help"), autocomplete="new-password")
        repeat = st.text_input(t("cognito.new_password_repeat"), type="password",
                               key="cg_new_password2", autocomplete="new-password")
        submitted = st.form_submit_button(t("cognito.new_password_button"), type="primary")
    if st.button(t("common.cancel"), key="cg_challenge_cancel"):
        st.session_state.pop(CHALLENGE_KEY, None)
        st.rerun()
    if not submitted:
        return
    if new != repeat:
        st.error(t("auth.err_password_mismatch"), icon=":material/error:")
        return
    challenge = pending_challenge()
    try:
        if challenge is None:
            raise ServiceUnavailable("cognito.err_session_expired")
        signed_in = auth.complete_new_password(services, challenge, new)
    except DemoFactoryError as exc:
        show_error(exc)
        return
    st.session_state.pop(CHALLENGE_KEY, None)
    auth.complete_sign_in(services, signed_in)
    _welcome()


def forgot_password(services: Services) -> None:
    sign_in = services.cognito
    assert sign_in is not None
    with st.expander(t("cognito.forgot_title"), icon=":material/lock_reset:",
                     expanded=bool(st.session_state.get(_FORGOT_SENT))):
        st.caption(t("cognito.forgot_intro"))
        login = st.text_input(t("cognito.login_field"), key=_FORGOT_LOGIN)
        if st.button(t("cognito.send_code"), key="cg_forgot_send"):
            try:
                sign_in.forgot_password(login)
            except DemoFactoryError as exc:
                show_error(exc)
            else:
                st.session_state[_FORGOT_SENT] = True
                st.success(t("cognito.code_sent"), icon=":material/mail:")
        if not st.session_state.get(_FORGOT_SENT):
            return
        if services.settings.emulation:  # scripts/emulate.py prints the code AWS would mail
            st.info(t("cognito.emulated_code"), icon=":material/terminal:")
        code = st.text_input(t("cognito.code"), key="cg_forgot_code")
        new = st.text_input(t("cognito.new_password"), type="password", key="cg_forgot_new",
                            help=t("auth.password_help"), autocomplete="new-password")
        if st.button(t("cognito.reset_button"), key="cg_forgot_confirm", type="primary"):
            try:
                sign_in.confirm_forgot_password(login, code, new)
            except DemoFactoryError as exc:
                show_error(exc)
                return
            st.session_state.pop(_FORGOT_SENT, None)
            st.success(t("cognito.reset_done"), icon=":material/check_circle:")
