"""The simple admin page's sections: sample content, the user list, new users, roles.
(A later issue builds the full admin console.)"""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.domain.users import User
from services.errors import DemoFactoryError
from services.ui.i18n import role_label, t
from services.ui.widgets import flash, format_date, show_error

_CONFIRM_SAMPLES = "confirm_remove_samples"
_NEW_USER_KEYS = ("adm_new_username", "adm_new_name", "adm_new_email", "adm_new_roles",
                  "adm_new_password")


def samples_section(services: Services, actor: Actor) -> None:
    st.subheader(t("admin.samples_title"))
    if not services.content.sample_count():
        st.caption(t("admin.samples_none"))
        return
    st.write(t("admin.samples_text"))
    if st.button(t("admin.samples_remove"), key="adm_samples_remove", icon=":material/delete:"):
        st.session_state[_CONFIRM_SAMPLES] = True
    if not st.session_state.get(_CONFIRM_SAMPLES):
        return
    st.warning(t("admin.samples_confirm"), icon=":material/warning:")
    yes_col, no_col = st.columns(2)
    if yes_col.button(t("admin.samples_confirm_yes"), key="adm_samples_yes", type="primary"):
        st.session_state.pop(_CONFIRM_SAMPLES, None)
        try:
            removed = services.content.remove_samples(actor)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        flash(t("admin.samples_removed", count=removed))
        st.rerun()
    if no_col.button(t("common.cancel"), key="adm_samples_no"):
        st.session_state.pop(_CONFIRM_SAMPLES, None)
        st.rerun()


def _roles_text(user: User) -> str:
    return ", ".join(role_label(r) for r in sorted(user.roles))


def users_table(users: list[User]) -> None:
    st.subheader(t("admin.users_title"))
    rows = [
        {
            t("auth.username"): u.username,
            t("auth.name"): u.name,
            t("auth.email"): u.email,
            t("admin.roles"): _roles_text(u),
            t("admin.state"): t("admin.disabled") if u.disabled else t("admin.active"),
            t("admin.created"): format_date(u.created_at),
        }
        for u in users
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def create_user_form(services: Services, actor: Actor) -> None:
    with st.form("adm_create_user", clear_on_submit=False):
        st.markdown(f"**{t('admin.create_title')}**")
        username = st.text_input(t("auth.username"), key="adm_new_username",
                                 help=t("auth.username_help"))
        name = st.text_input(t("auth.name"), key="adm_new_name")
        email = st.text_input(t("auth.email"), key="adm_new_email")
        roles = st.multiselect(t("admin.roles"), options=list(Role), default=[Role.VIEWER],
                               format_func=role_label, key="adm_new_roles")
        password = st.text_input(t("admin.initial_password"), type="password",
                                 key="adm_new_password", help=t("auth.password_help"),
                                 autocomplete="new-password")
        submitted = st.form_submit_button(t("admin.create_button"), type="primary")
    if not submitted:
        return
    try:
        user = services.accounts.create_user(
            actor, username, name, email, password.strip(), frozenset(roles)
        )
    except DemoFactoryError as exc:
        show_error(exc)
        return
    for key in _NEW_USER_KEYS:
        st.session_state.pop(key, None)
    flash(t("admin.user_created", username=user.username))
    st.rerun()


def roles_form(services: Services, actor: Actor, users: list[User]) -> None:
    if not users:
        return
    by_name = {u.username: u for u in users}
    with st.container(border=True):
        st.markdown(f"**{t('admin.roles_title')}**")
        username = st.selectbox(t("auth.username"), options=list(by_name), key="adm_roles_user")
        if username is None:
            return
        roles = st.multiselect(
            t("admin.roles"), options=list(Role), default=sorted(by_name[username].roles),
            format_func=role_label, key=f"adm_roles_{username}", help=t("admin.roles_help"),
        )
        if not st.button(t("admin.roles_button"), key="adm_roles_save"):
            return
    try:
        services.accounts.set_roles(actor, username, frozenset(roles))
    except DemoFactoryError as exc:
        show_error(exc)
        return
    flash(t("admin.roles_saved", username=username))
    st.rerun()
