"""The users section of the admin page: search and paging, create or invite, and for one user
at a time: roles, disable/enable, password reset, delete. Local accounts and Cognito alike;
every rule (admins only, last admin, own admin role) is enforced by AccountService."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.models import Page
from services.domain.permissions import Action, Actor, Role, can
from services.domain.users import AccountStatus, User
from services.errors import DemoFactoryError, NotFound
from services.i18n.times import format_date
from services.ui import admin_signups, confirm, form_reset, resubmit
from services.ui.field_errors import FieldSlots, optional, required_note
from services.ui.i18n import relabel, role_label, t
from services.ui.table_widths import grid
from services.ui.widgets import (
    act,
    app_tz,
    current_page,
    flash,
    md_escape,
    reset_page,
    show_error,
)

PAGE_SIZE = 20
PAGE_KEY = "adm_users_page"
_OTP_KEY = "adm_one_time_password"
# The action waiting for its second click, about a user name: "disable", "reset" or "delete"
# (each has admin.<kind>_confirm and admin.<kind>_yes texts).
_CONFIRM = "adm_confirm_action"
_CREATE_FORM = "adm_create_user"
# The create form as it is first drawn, set again after a user is made.
_NEW_USER_EMPTY: dict[str, object] = {
    "adm_new_username": "", "adm_new_name": "", "adm_new_email": "",
    "adm_new_roles": [Role.VIEWER], "adm_new_password": "", "adm_new_invite": True,
}


def users_section(services: Services, actor: Actor) -> None:
    admin_signups.pending_section(services, actor)  # what waits for a decision comes first
    st.subheader(t("admin.users_title"), anchor=False)
    search = st.text_input(t("admin.search"), key="adm_search", on_change=reset_page,
                           args=(PAGE_KEY,))
    result = services.accounts.find_users(actor, search, current_page(PAGE_KEY), PAGE_SIZE)
    if search.strip() and not result.items:
        st.info(t("admin.search_none"), icon=":material/person_search:")
    else:
        users_table(result.items)
        pager(result)
    one_time_password()
    create_col, manage_col = st.columns(2)
    with create_col:
        create_user_form(services, actor)
    with manage_col:
        manage_user(services, actor, result.items)


def _roles_text(user: User) -> str:
    return ", ".join(role_label(r) for r in sorted(user.roles))


def _state(user: User) -> str:
    if user.disabled:
        return t("admin.disabled")
    if user.status != AccountStatus.ACTIVE:  # a sign-up waiting or declined
        return t(f"signup.status_{user.status.value}")
    return t("admin.active")


def users_table(users: list[User]) -> None:
    """Roles and state beside the user name, what an administrator manages here: on a phone
    they sat past the right edge, behind the name and the email. Each column fitted, as every
    other table's."""
    rows = [
        {
            t("auth.username"): u.username,
            t("admin.roles"): _roles_text(u),
            t("admin.state"): _state(u),
            t("auth.name"): u.name,
            t("auth.email"): u.email,
            t("admin.created"): format_date(u.created_at, app_tz()),
        }
        for u in users
    ]
    grid(rows, wide=(t("auth.name"), t("auth.email")))


def _step(delta: int, pages: int) -> None:
    st.session_state[PAGE_KEY] = min(max(1, current_page(PAGE_KEY) + delta), pages)


def pager(result: Page[User]) -> None:
    """The count, with "previous" and "next" beside the page number when there is more than
    one page (as browse's pager: two disabled buttons around "1 / 1" said nothing)."""
    if result.pages <= 1:
        st.caption(t("admin.users_total", total=result.total))
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(t("common.prev"), key="adm_users_prev", disabled=result.page <= 1,
                  on_click=_step, args=(-1, result.pages), icon=":material/chevron_left:")
        st.caption(t("admin.users_page", page=result.page, pages=result.pages,
                     total=result.total), width="content")
        st.button(t("common.next"), key="adm_users_next",
                  disabled=result.page >= result.pages, on_click=_step,
                  args=(1, result.pages), icon=":material/chevron_right:")


def one_time_password() -> None:
    """Shown in the run right after the reset, then gone (popped from the session)."""
    shown = st.session_state.pop(_OTP_KEY, None)
    if shown:
        username, password = shown
        st.warning(t("admin.one_time_password", username=md_escape(username), password=password),
                   icon=":material/key:")


def create_user_form(services: Services, actor: Actor) -> None:
    invites = services.accounts.sends_invitations
    form_reset.empty_if_marked(_CREATE_FORM, _NEW_USER_EMPTY)
    # No Enter to submit: Streamlit's "Press Enter to submit form" hint cannot be translated.
    slots = FieldSlots()  # each refusal is shown under the field it names
    with st.form(_CREATE_FORM, clear_on_submit=False, enter_to_submit=False):
        st.markdown(f"**{t('admin.create_title')}**")
        required_note()
        username = st.text_input(t("auth.username"), key="adm_new_username",
                                 help=t("auth.username_help"))
        slots.under("username")
        # Either may be left empty: the name is then the user name.
        name = st.text_input(optional(t("auth.name")), key="adm_new_name")
        slots.under("name")
        email = st.text_input(optional(t("auth.email")), key="adm_new_email")
        slots.under("email")
        roles = st.multiselect(t("admin.roles"), options=list(Role), default=[Role.VIEWER],
                               format_func=role_label, key=relabel("adm_new_roles"),
                               placeholder=t("common.choose"), select_all=False)
        slots.under("roles")
        invite = invites and st.checkbox(t("admin.invite"), value=True, key="adm_new_invite")
        label = t("admin.temporary_password") if invites else t("admin.initial_password")
        # With the invitation ticked the pool makes the password: what is typed here is not used.
        password = st.text_input(label, type="password", key="adm_new_password",
                                 help=t("admin.invite_password_help") if invites
                                 else t("auth.password_help"), autocomplete="new-password")
        slots.under("password")
        submitted = st.form_submit_button(t("admin.create_button"), type="primary")
    if not submitted:
        return
    memo = resubmit.sends(_CREATE_FORM)
    sent = resubmit.fingerprint(username, name, email, password, sorted(roles), invite)
    told = memo.repeat_of(sent)
    if told is None or not _exists(services, username):  # deleted meanwhile: made again
        try:
            user = services.accounts.create_user(
                actor, username, name, email, None if invite else password,
                frozenset(roles),
            )
        except DemoFactoryError as exc:
            slots.show_error(exc)
            return
        done = "admin.user_invited" if invite else "admin.user_created"
        told = t(done, username=md_escape(user.username))
        memo.note(sent, told)
    form_reset.empty_next_run(_CREATE_FORM)
    flash(told)
    st.rerun()


def _exists(services: Services, username: str) -> bool:
    try:
        services.accounts.get(username)
    except NotFound:
        return False
    return True


def manage_user(services: Services, actor: Actor, users: list[User]) -> None:
    if not users:
        return
    by_name = {u.username: u for u in users}
    with st.container(border=True):
        st.markdown(f"**{t('admin.user_actions')}**")
        names = list(by_name)
        # Start on somebody else: the admin's own account is the one most costly to hit.
        first = next((i for i, name in enumerate(names) if name != actor.user_id), 0)
        username = st.selectbox(t("admin.selected_user"), options=names, index=first,
                                key="adm_roles_user", placeholder=t("common.choose"))
        if username is None:
            return
        user = by_name[username]
        roles_form(services, actor, user)
        st.divider()
        account_buttons(services, actor, user)
        confirm_action(services, actor, user)


def roles_form(services: Services, actor: Actor, user: User) -> None:
    roles = st.multiselect(
        t("admin.roles"), options=list(Role), default=sorted(user.roles),
        format_func=role_label, key=relabel(f"adm_roles_{user.username}"),
        help=t("admin.roles_help"), placeholder=t("common.choose"), select_all=False,
    )
    if st.button(t("admin.roles_button"), key="adm_roles_save"):
        act(lambda: services.accounts.set_roles(actor, user.username, frozenset(roles)),
            t("admin.roles_saved", username=md_escape(user.username)))


def account_buttons(services: Services, actor: Actor, user: User) -> None:
    # One row that wraps (not three fixed columns of half the page, which cut "비밀번호 초기화").
    row = st.container(horizontal=True, gap="small")
    disabled = not user.disabled
    if row.button(t("admin.disable") if disabled else t("admin.enable"),
                  key="adm_toggle_disabled",
                  icon=":material/block:" if disabled else ":material/check_circle:"):
        if disabled:
            confirm.ask(_CONFIRM, "disable", about=user.username)
        else:  # enabling takes nothing away: no confirmation
            act(lambda: services.accounts.set_disabled(actor, user.username, False),
                t("admin.user_enabled", username=md_escape(user.username)))
    if row.button(t("admin.reset_password"), key="adm_reset", icon=":material/lock_reset:"):
        confirm.ask(_CONFIRM, "reset", about=user.username)
    if row.button(t("admin.delete_user"), key="adm_delete", icon=":material/delete:"):
        confirm.ask(_CONFIRM, "delete", about=user.username)
    if services.accounts.ends_sessions and st.button(
        t("admin.sign_out_everywhere"), key="adm_sign_out_everywhere",
        icon=":material/logout:", help=t("admin.sign_out_everywhere_help"),
    ):
        act(lambda: services.accounts.sign_out_everywhere(actor, user.username),
            t("admin.user_signed_out", username=md_escape(user.username)))


def reset_password(services: Services, actor: Actor, user: User) -> None:
    try:
        reset = services.accounts.reset_password(actor, user.username)
    except DemoFactoryError as exc:
        show_error(exc)
        return
    if reset.one_time_password is not None:
        st.session_state[_OTP_KEY] = (user.username, reset.one_time_password)
    elif reset.invitation_resent:
        flash(t("admin.reset_invitation_sent", username=md_escape(user.username)))
    else:
        flash(t("admin.reset_sent", username=md_escape(user.username)))
    st.rerun()


def confirm_action(services: Services, actor: Actor, user: User) -> None:
    """The second, explicit click for disable, reset and delete; cancel changes nothing."""
    kind = confirm.pending(_CONFIRM, about=user.username)
    if kind is None:
        return
    st.warning(t(f"admin.{kind}_confirm", username=md_escape(user.username)),
               icon=":material/warning:")
    heir = _heir_choice(services, actor, user) if kind == "delete" else None
    if confirm.answers(_CONFIRM, t(f"admin.{kind}_yes"), f"adm_{kind}"):
        if kind == "reset":
            reset_password(services, actor, user)
        elif kind == "disable":
            act(lambda: services.accounts.set_disabled(actor, user.username, True),
                t("admin.user_disabled", username=md_escape(user.username)))
        else:
            act(lambda: services.accounts.delete_user(actor, user.username, content_to=heir),
                t("admin.user_deleted", username=md_escape(user.username)))


def _heir_choice(services: Services, actor: Actor, user: User) -> str | None:
    """Who gets the deleted user's content: by default nobody ("former author"), or another
    account that can write."""
    writers = sorted(u.username for u in services.accounts.list_users(actor)
                     if u.username != user.username
                     and can(u.as_actor(), Action.CREATE_CONTENT))
    options: list[str | None] = [None, *writers]
    chosen: str | None = st.selectbox(
        t("profile.heir"), options=options, key="adm_delete_heir",
        format_func=lambda name: t("profile.former_author") if name is None else str(name),
    )
    return chosen

