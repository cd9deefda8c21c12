"""Change password, on the profile page (the sidebar's user box links to it), for local and
Cognito accounts: one form, one flow (``auth.change_password``), one password rule. Its new-password
pair, its settling in the form's callback and its refusals under their fields are shared with
the other forms that set a new password (Cognito's forgot password)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from services.bootstrap import Services
from services.errors import DemoFactoryError
from services.ui import auth, form_reset, resubmit
from services.ui.field_errors import FieldSlots
from services.ui.fragments import signed_in_callback
from services.ui.i18n import t

# The form's widget keys (its name, the current password, the new one and its repeat).
FORM = "my_pw_change_form"
KEYS = ("my_pw_current", "my_pw_new", "my_pw_repeat")
_OUTCOME_KEY = "_my_pw_change_outcome"


def password_form(services: Services) -> None:
    """What was typed stays after an error (a mismatch, a wrong current password) and goes
    after a change (``form_reset``)."""
    form_reset.empty_if_marked(FORM, dict.fromkeys(KEYS, ""))
    # No Enter to submit: Streamlit's "Press Enter to submit form" cannot be translated.
    slots = FieldSlots()  # a refusal is shown under the field it names
    with st.form(FORM, clear_on_submit=False, enter_to_submit=False):
        st.text_input(t("cognito.current_password"), type="password", key=KEYS[0],
                      autocomplete="current-password")
        slots.under("current_password")
        new_password_fields(slots, KEYS[1], KEYS[2])
        st.form_submit_button(t("cognito.change_button"), type="primary",
                              on_click=signed_in_callback(_submit), args=(services,))
    outcome = st.session_state.pop(_OUTCOME_KEY, None)
    if not show_refusal(slots, outcome) and outcome == DONE:
        st.success(t("cognito.changed"), icon=":material/check_circle:")


def new_password_fields(slots: FieldSlots, new_key: str, repeat_key: str) -> None:
    """A new password and its repeat, drawn inside a form (read when it is sent: a box's value
    the browser has not passed on yet, its eye button having the focus, goes with the form);
    their refusals go to ``slots``' "password" and "password2"."""
    st.text_input(t("cognito.new_password"), type="password", key=new_key,
                  help=t("auth.password_help"), autocomplete="new-password")
    slots.under("password")
    st.text_input(t("cognito.new_password_repeat"), type="password", key=repeat_key,
                  autocomplete="new-password")
    slots.under("password2")


MISMATCH, DONE = "mismatch", "done"
Outcome = str | DemoFactoryError


def settle(form: str, new: str, repeat: str, save: Callable[[], object],
           sent: Sequence[str] = ()) -> Outcome:
    """In a new-password form's callback: ``save`` unless the two passwords differ, or the
    same form (``new`` and the rest it ``sent``) just succeeded: a double click's second
    submission. Success empties the form on its next drawing; a refusal keeps what was typed."""
    if new != repeat:
        return MISMATCH
    memo, fingerprint = resubmit.sends(form), resubmit.fingerprint(new, *sent)
    if memo.repeat_of(fingerprint) is None:
        try:
            save()
        except DemoFactoryError as exc:
            return exc
        memo.note(fingerprint, DONE)
    form_reset.empty_next_run(form)
    return DONE


def show_refusal(slots: FieldSlots, outcome: object) -> bool:
    """A settled form's refusal under its field; whether there was one."""
    if isinstance(outcome, DemoFactoryError):
        slots.show_error(outcome)
        return True
    if outcome == MISMATCH:
        slots.show([("password2", t("auth.err_password_mismatch"))])
        return True
    return False


def _submit(services: Services) -> None:
    current, new, repeat = (str(st.session_state.get(key) or "") for key in KEYS)
    st.session_state[_OUTCOME_KEY] = settle(
        FORM, new, repeat, lambda: auth.change_password(services, current, new),
        sent=(current,))
