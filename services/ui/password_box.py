"""Change password, in the sidebar's user box and on the profile page, for local and Cognito
accounts: one form, one flow (``auth.change_password``), one password rule."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui import auth, form_reset
from services.ui.field_errors import FieldSlots
from services.ui.i18n import t


def change_password(services: Services, actor: Actor) -> None:
    if services.sign_in.mode == "oidc":  # the provider owns the password
        return
    with st.sidebar.popover(t("cognito.change_title"), icon=":material/password:"):
        password_form(services, actor, "pw")


def password_form(services: Services, actor: Actor, prefix: str) -> None:
    """The form itself; ``prefix`` keeps its widget keys apart from another copy on screen.
    What was typed stays after an error (a mismatch, a wrong current password) and goes after
    a change (``form_reset``)."""
    keys = (f"{prefix}_current", f"{prefix}_new", f"{prefix}_repeat")
    form_reset.empty_if_marked(_form(prefix), dict.fromkeys(keys, ""))
    # No Enter to submit: Streamlit's "Press Enter to submit form" cannot be translated.
    slots = FieldSlots()  # a refusal is shown under the field it names
    with st.form(_form(prefix), clear_on_submit=False, enter_to_submit=False):
        st.text_input(t("cognito.current_password"), type="password", key=keys[0],
                      autocomplete="current-password")
        slots.under("current_password")
        st.text_input(t("cognito.new_password"), type="password", key=keys[1],
                      help=t("auth.password_help"), autocomplete="new-password")
        slots.under("password")
        st.text_input(t("cognito.new_password_repeat"), type="password", key=keys[2],
                      autocomplete="new-password")
        slots.under("password2")
        st.form_submit_button(t("cognito.change_button"), type="primary", on_click=_submit,
                              args=(services, prefix, keys))
    outcome = st.session_state.pop(_outcome_key(prefix), None)
    if isinstance(outcome, DemoFactoryError):
        slots.show_error(outcome)
    elif outcome == _MISMATCH:
        slots.show([("password2", t("auth.err_password_mismatch"))])
    elif outcome == _CHANGED:
        st.success(t("cognito.changed"), icon=":material/check_circle:")


_MISMATCH, _CHANGED = "mismatch", "changed"


def _form(prefix: str) -> str:
    return f"{prefix}_change_form"


def _outcome_key(prefix: str) -> str:
    return f"_{prefix}_change_outcome"


def _submit(services: Services, prefix: str, keys: tuple[str, str, str]) -> None:
    current, new, repeat = (str(st.session_state.get(key) or "") for key in keys)
    outcome: str | DemoFactoryError = _CHANGED
    if new != repeat:
        outcome = _MISMATCH
    else:
        try:
            auth.change_password(services, current, new)
        except DemoFactoryError as exc:
            outcome = exc
    if outcome == _CHANGED:
        form_reset.empty_next_run(_form(prefix))
    st.session_state[_outcome_key(prefix)] = outcome
