"""The sign-up form (local sign-in): what a visitor types, a hidden honeypot, and one answer
for every sign-up that passes the form's own checks (the service decides the rest quietly)."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.accounts.rules import PASSWORD_MIN
from services.bootstrap import Services
from services.domain.analytics import Purpose
from services.domain.permissions import Role
from services.domain.signup import (
    LIMITS,
    PURPOSES,
    SignupDraft,
    field_length,
    signup_problems,
    stripped,
)
from services.domain.users import REQUESTABLE_ROLES
from services.errors import DemoFactoryError
from services.ui import form_reset, signup_code, tracking
from services.ui.field_errors import FieldSlots, required_note
from services.ui.i18n import language, relabel, t
from services.ui.widgets import flash

_TEXT_FIELDS = {"name": "su_name", "email": "su_email", "username": "su_username",
                "company": "su_company"}
_PASSWORDS = ("su_password", "su_password_again")
# The form after a sign-up (the role asked for stays: the next person likely asks the same).
_EMPTY: dict[str, object] = {
    **dict.fromkeys((*_TEXT_FIELDS.values(), *_PASSWORDS, "su_website"), ""),
    "su_consent": False, "su_purpose": None,
}
_TRAP = "su_trap"  # the honeypot's container: moved off screen, so people never see it
_FORM = "su_form"
_FIELD_LABELS = {"company": "signup.company_short"}
# Off screen rather than display:none, which some bots recognise.
_TRAP_CSS = (f"<style>.st-key-{_TRAP} {{ position: absolute; left: -10000px; top: auto;"
             " width: 1px; height: 1px; overflow: hidden; }}</style>")
# Off screen, its box still took a tab stop and a screen reader read its label ("leave this
# empty"): the container is hidden from assistive technology and its box leaves the tab order,
# while a bot filling every box still finds it. Streamlit's widgets take neither attribute, so
# a script sets them, again whenever Streamlit draws the box anew (a change of language).
_TRAP_JS = f"""<script>(() => {{
  const started = Date.now();
  const hide = (trap) => {{
    trap.setAttribute("aria-hidden", "true");
    trap.querySelectorAll("input").forEach((box) => box.setAttribute("tabindex", "-1"));
  }};
  const timer = setInterval(() => {{
    const trap = document.querySelector(".st-key-{_TRAP}");
    if (!trap) {{
      if (Date.now() - started > 10000) clearInterval(timer);
      return;
    }}
    clearInterval(timer);
    hide(trap);
    new MutationObserver(() => hide(trap)).observe(trap, {{childList: true, subtree: true}});
  }}, 50);
}})();</script>"""


def role_option(role: Role) -> str:
    return t(f"signup.role_{role.value}")


def signup_form(services: Services) -> None:
    """The form; on success a flash message with the one answer, and empty fields."""
    assert services.signup is not None
    form_reset.empty_if_marked(_FORM, _EMPTY)
    st.html(_TRAP_CSS)
    st.html(_TRAP_JS, unsafe_allow_javascript=True)
    # No max_chars (Streamlit drops a longer paste without a word): the limit is in the help
    # text and a longer text is refused with its length. No Enter to send (its hint is not
    # translated).
    slots = FieldSlots()  # each field's problem is shown right under it
    with st.form(_FORM, enter_to_submit=False):
        required_note()
        name_col, email_col = st.columns(2)
        name = _text_input(name_col, "name", slots)
        email = _text_input(email_col, "email", slots)
        user_col, company_col = st.columns(2)
        username = _text_input(user_col, "username", slots, help_key="signup.username_help")
        company = _text_input(company_col, "company", slots)
        purpose = st.selectbox(t("signup.purpose"), options=list(PURPOSES), index=None,
                               format_func=tracking.purpose_label, key=relabel("su_purpose"),
                               placeholder=t("common.choose"))
        slots.under("purpose")
        role = st.radio(t("signup.role"), options=list(REQUESTABLE_ROLES),
                        format_func=role_option, key=relabel("su_role"))
        slots.under("role")
        first_col, again_col = st.columns(2)
        password = first_col.text_input(
            t("signup.password"), type="password", key=_PASSWORDS[0],
            autocomplete="new-password", placeholder=t("signup.password_placeholder"),
            help=t("signup.password_help", min=PASSWORD_MIN))
        slots.under("password", first_col)
        again = again_col.text_input(t("signup.password_again"), type="password",
                                     key=_PASSWORDS[1], autocomplete="new-password")
        slots.under("password_again", again_col)
        with st.container(key=_TRAP):
            trap = st.text_input(t("signup.trap"), key="su_website", autocomplete="off")
        consent = st.checkbox(t("signup.consent"), key="su_consent")
        slots.under("consent")
        submitted = st.form_submit_button(t("signup.submit"), type="primary",
                                          icon=":material/person_add:")
    if not submitted:
        return
    draft = SignupDraft(name, email, username, company, _purpose(purpose), role, password,
                        again, consent, honeypot=trap, language=language())
    problems = signup_problems(stripped(draft))
    if problems:  # nothing is cleared: the person fixes what they typed
        slots.show((field, _problem_text(stripped(draft), field, key))
                   for field, key in problems)
        return
    try:
        services.signup.sign_up(draft, tracking.session_id())
    except DemoFactoryError as exc:
        slots.show_error(exc)  # what was typed stays in the fields
        return
    form_reset.empty_next_run(_FORM)
    if services.signup.confirms_by_code:  # the pool mailed a code: ask for it next
        signup_code.start(username)
    elif services.signup.verifies_email:  # nothing more happens until the mailed link
        flash(t("signup.received_verify", hours=services.signup.verify_hours))
    else:
        flash(t("signup.received"))
    st.rerun()


def _purpose(value: object) -> Purpose | None:
    return Purpose(str(value)) if value in set(Purpose) else None


def _text_input(where: DeltaGenerator, field: str, slots: FieldSlots,
                help_key: str = "signup.limit_help") -> str:
    typed = where.text_input(
        t(f"signup.{field}"), key=_TEXT_FIELDS[field],
        placeholder=t(f"signup.{field}_placeholder"),
        help=t(help_key, max=LIMITS[field]),
        autocomplete={"name": "name", "email": "email", "username": "username",
                      "company": "organization"}[field],
    )
    slots.under(field, where)
    return typed


def _problem_text(draft: SignupDraft, field: str, key: str) -> str:
    if key != "signup.err_too_long":
        return t(key)
    label = t(_FIELD_LABELS.get(field, f"signup.{field}"))
    return t("signup.err_field_too_long", field=label, length=field_length(draft, field),
             max=LIMITS[field])
