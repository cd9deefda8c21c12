"""The sign-in page's Cognito forms: sign in, the first-password challenge, forgot password."""

from __future__ import annotations

import streamlit as st

from services.accounts.sign_in.cognito import CognitoSignIn
from services.bootstrap import Services
from services.domain.identity import Challenge
from services.errors import DemoFactoryError, ServiceUnavailable
from services.ui import auth, form_reset, password_box, profile
from services.ui.field_errors import FieldSlots
from services.ui.i18n import t
from services.ui.widgets import show_error

CHALLENGE_KEY = "cg_challenge"
_FORGOT_LOGIN = "cg_forgot_login"
_FORGOT_FOR = "cg_forgot_for"  # the login a code was sent for; unset: no code step
_FORGOT_OUTCOME = "_cg_forgot_outcome"
_RESET_FORM = "cg_forgot_form"
_RESET_KEYS = ("cg_forgot_code", "cg_forgot_new", "cg_forgot_repeat")
_NEW_KEYS = ("cg_new_password", "cg_new_password2")


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
    profile.welcome(services)


def new_password_form(services: Services, intro: str = "cognito.new_password_intro") -> None:
    """The NEW_PASSWORD_REQUIRED challenge of either mode: Cognito's first sign-in, or a local
    account's sign-in with an administrator's one-time password (``intro`` says which)."""
    st.subheader(t("cognito.new_password_title"), anchor=False)
    st.info(t(intro), icon=":material/key:")
    slots = FieldSlots()  # a refusal is shown under the field it names, as in every password form
    with st.form("cg_new_password_form"):
        password_box.new_password_fields(slots, _NEW_KEYS[0], _NEW_KEYS[1])
        submitted = st.form_submit_button(t("cognito.new_password_button"), type="primary")
    if st.button(t("common.cancel"), key="cg_challenge_cancel"):
        st.session_state.pop(CHALLENGE_KEY, None)
        st.rerun()
    if not submitted:
        return
    new, repeat = (str(st.session_state.get(key) or "") for key in _NEW_KEYS)
    if new != repeat:
        password_box.show_refusal(slots, password_box.MISMATCH)
        return
    challenge = pending_challenge()
    try:
        if challenge is None:
            raise ServiceUnavailable("cognito.err_session_expired")
        signed_in = auth.complete_new_password(services, challenge, new)
    except DemoFactoryError as exc:
        slots.show_error(exc)
        return
    st.session_state.pop(CHALLENGE_KEY, None)
    auth.complete_sign_in(services, signed_in)
    profile.welcome(services)


def forgot_password(services: Services) -> None:
    """A code mailed for a user name or email, then the code and the new password twice: two
    forms, read when sent, like every password entry."""
    sign_in = services.cognito
    assert sign_in is not None
    outcome = st.session_state.pop(_FORGOT_OUTCOME, None)
    with st.expander(t("cognito.forgot_title"), icon=":material/lock_reset:",
                     expanded=bool(st.session_state.get(_FORGOT_FOR)) or outcome is not None):
        st.caption(t("cognito.forgot_intro"))
        _send_code_form(sign_in, services.settings.emulation)
        if outcome == password_box.DONE:
            st.success(t("cognito.reset_done"), icon=":material/check_circle:")
        elif st.session_state.get(_FORGOT_FOR):
            if services.settings.emulation:  # scripts/emulate.py prints the code AWS would mail
                st.info(t("cognito.emulated_code"), icon=":material/terminal:")
            _reset_form(sign_in, outcome)


def _send_code_form(sign_in: CognitoSignIn, emulated: bool) -> None:
    with st.form("cg_forgot_send_form", enter_to_submit=False):
        st.text_input(t("cognito.login_field"), key=_FORGOT_LOGIN, autocomplete="username")
        sent = st.form_submit_button(t("cognito.send_code"), key="cg_forgot_send")
    if not sent:
        return
    login = str(st.session_state.get(_FORGOT_LOGIN) or "")
    try:
        sign_in.forgot_password(login)
    except DemoFactoryError as exc:
        show_error(exc)
        return
    st.session_state[_FORGOT_FOR] = login  # the code belongs to this login, whatever is typed next
    if emulated:  # no mailbox to check: the note under it says where the code is
        st.success(t("cognito.code_sent_emulated"), icon=":material/terminal:")
    else:
        st.success(t("cognito.code_sent"), icon=":material/mail:")


def _reset_form(sign_in: CognitoSignIn, outcome: object) -> None:
    form_reset.empty_if_marked(_RESET_FORM, dict.fromkeys(_RESET_KEYS, ""))
    slots = FieldSlots()  # a refusal is shown under the field it names
    with st.form(_RESET_FORM, clear_on_submit=False, enter_to_submit=False):
        st.text_input(t("cognito.code"), key=_RESET_KEYS[0], autocomplete="one-time-code")
        slots.under("code")
        password_box.new_password_fields(slots, _RESET_KEYS[1], _RESET_KEYS[2])
        st.form_submit_button(t("cognito.reset_button"), key="cg_forgot_confirm",
                              type="primary", on_click=_confirm_reset, args=(sign_in,))
    password_box.show_refusal(slots, outcome)


def _confirm_reset(sign_in: CognitoSignIn) -> None:
    login = str(st.session_state.get(_FORGOT_FOR) or "")
    code, new, repeat = (str(st.session_state.get(key) or "") for key in _RESET_KEYS)
    outcome = password_box.settle(
        _RESET_FORM, new, repeat, lambda: sign_in.confirm_forgot_password(login, code, new),
        sent=(login, code))
    if outcome == password_box.DONE:
        st.session_state.pop(_FORGOT_FOR, None)
    st.session_state[_FORGOT_OUTCOME] = outcome
