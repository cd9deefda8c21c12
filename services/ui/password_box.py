"""Change password, in the sidebar's user box and on the profile page, for local and Cognito
accounts: one form, one flow (``auth.change_password``), one password rule."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui import auth
from services.ui.i18n import t
from services.ui.widgets import show_error


def change_password(services: Services, actor: Actor) -> None:
    if services.sign_in.mode == "oidc":  # the provider owns the password
        return
    with st.sidebar.popover(t("cognito.change_title"), icon=":material/password:"):
        password_form(services, actor, "pw")


def password_form(services: Services, actor: Actor, prefix: str) -> None:
    """The form itself; ``prefix`` keeps its widget keys apart from another copy on screen."""
    # No Enter to submit: Streamlit's "Press Enter to submit form" cannot be translated.
    with st.form(f"{prefix}_change_form", clear_on_submit=True, enter_to_submit=False):
        current = st.text_input(t("cognito.current_password"), type="password",
                                key=f"{prefix}_current", autocomplete="current-password")
        new = st.text_input(t("cognito.new_password"), type="password", key=f"{prefix}_new",
                            help=t("auth.password_help"), autocomplete="new-password")
        repeat = st.text_input(t("cognito.new_password_repeat"), type="password",
                               key=f"{prefix}_repeat", autocomplete="new-password")
        submitted = st.form_submit_button(t("cognito.change_button"), type="primary")
    if submitted:
        _submit(services, actor, current, new, repeat)


def _submit(services: Services, actor: Actor, current: str, new: str, repeat: str) -> None:
    if new != repeat:
        st.error(t("auth.err_password_mismatch"), icon=":material/error:")
        return
    try:
        auth.change_password(services, current, new)
    except DemoFactoryError as exc:
        show_error(exc)
        return
    st.success(t("cognito.changed"), icon=":material/check_circle:")
