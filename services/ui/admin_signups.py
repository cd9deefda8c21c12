"""The users page's pending sign-ups and role requests: who asked for what, and approve (as the
role asked for) or decline, each after a second, explicit click. SignupService checks that
the actor is an administrator and audits every decision."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.permissions import Actor
from services.domain.users import User
from services.i18n.times import format_time
from services.ui import confirm
from services.ui.i18n import role_label, t
from services.ui.table_widths import grid
from services.ui.tracking import purpose_label
from services.ui.widgets import act, app_tz, md_escape

# The decision waiting for its second click, about a user name: "approve" or "decline".
_CONFIRM = "adm_signup_confirm"


def pending_section(services: Services, actor: Actor) -> None:
    if services.signup is None:  # no sign-up in this sign-in mode (OIDC)
        return
    waiting = services.signup.pending(actor)
    st.subheader(t("signup.pending_title"), anchor=False)
    _handled_meanwhile({u.username for u in waiting})
    if not waiting:
        st.caption(t("signup.pending_none"))
        return
    pending_table(waiting, verified=services.signup.verifies_email)
    by_name = {u.username: u for u in waiting}
    username = st.selectbox(t("signup.pick"), options=list(by_name), key="adm_signup_user")
    if username is None:
        return
    user = by_name[username]
    row = st.container(horizontal=True, gap="small")
    if row.button(t("signup.approve"), key="adm_signup_approve", icon=":material/check:"):
        confirm.ask(_CONFIRM, "approve", about=username)
    if row.button(t("signup.decline"), key="adm_signup_decline", icon=":material/close:"):
        confirm.ask(_CONFIRM, "decline", about=username)
    confirm_decision(services, actor, user)


def _handled_meanwhile(waiting: set[str]) -> None:
    """A question about a request that no longer waits (another administrator, or another
    tab, approved or declined it meanwhile): said once, instead of a "yes" that did nothing."""
    asked = confirm.about(_CONFIRM)
    if asked is not None and asked not in waiting:
        confirm.answered(_CONFIRM)
        st.info(t("signup.handled_meanwhile", username=md_escape(str(asked))),
                icon=":material/info:")


def pending_table(users: list[User], *, verified: bool = False) -> None:
    """``verified``: sign-ups confirm their email, so a column says whose is confirmed."""
    rows = [
        {
            t("auth.name"): u.name,
            t("auth.email"): u.email,
            t("signup.company_short"): u.company or "-",
            t("signup.purpose"): purpose_label(u.purpose) if u.purpose else "-",
            t("signup.requested"): role_label(u.pending_role) if u.pending_role else "-",
            t("signup.status"): t(f"signup.status_{u.status.value}"),
            t("profile.request_reason"): u.request_reason or "-",
            t("signup.when"): format_time(u.requested_at or u.signed_up_at or u.created_at,
                                          app_tz()),
            t("auth.username"): u.username,
            **({t("signup.email_verified"): t("signup.verified_yes" if u.email_verified
                                              else "signup.verified_no")} if verified else {}),
        }
        for u in users
    ]
    grid(rows, wide=(t("auth.email"), t("profile.request_reason")))


def confirm_decision(services: Services, actor: Actor, user: User) -> None:
    """The second click; cancel changes nothing."""
    kind = confirm.pending(_CONFIRM, about=user.username)
    if kind is None or services.signup is None:
        return
    role = role_label(user.pending_role) if user.pending_role else "-"
    st.warning(t(f"signup.{kind}_confirm", username=md_escape(user.username), role=role),
               icon=":material/warning:")
    signup = services.signup
    if confirm.answers(_CONFIRM, t(f"signup.{kind}_yes"), f"adm_signup_{kind}"):
        if kind == "approve":
            act(lambda: signup.approve(actor, user.username),
                t("signup.approved", username=md_escape(user.username), role=role))
        else:
            act(lambda: signup.decline(actor, user.username),
                t("signup.declined", username=md_escape(user.username)))

