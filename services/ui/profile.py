"""The profile page: own details, preferred language, password, sign out everywhere, the
author-role request and its outcome. ``ProfileService`` checks that a user acts only on their
own account and audits; this module only draws and calls."""

from __future__ import annotations

import streamlit as st

from services.accounts.profile import (
    REASON_LIMIT,
    ProfileService,
    RequestOutcome,
    may_request_author,
    request_outcome,
)
from services.accounts.verification import VERIFY_HOURS
from services.bootstrap import Services
from services.domain.models import Status
from services.domain.permissions import Actor
from services.domain.users import User
from services.errors import DemoFactoryError, NotFound
from services.i18n import LANGUAGES, translate
from services.i18n.times import format_time
from services.ui import auth, form_reset, gate, password_box, routes
from services.ui.field_errors import FieldSlots, optional, required_note
from services.ui.i18n import (
    LANG_KEY,
    LANGUAGE_NAMES,
    browser_language,
    chosen_here,
    relabel,
    status_label,
    t,
)
from services.ui.widgets import (
    WORD_JOINER,
    act,
    app_tz,
    content_link,
    empty_state,
    flash,
    md_escape,
    show_error,
)

# The user whose preferred language this browser session already applied.
_LANG_APPLIED_KEY = "_df_profile_lang_user"
_REQUEST_FORM = "my_role_request_form"


def apply_preferred_language(services: Services, actor: Actor) -> None:
    """At a sign-in made on this tab (once per session and user), the profile's language wins
    over the language the browser remembered (its cookie) or the default; so it does in a
    browser with no language of its own. A reload or a new tab restoring the sign-in keeps the
    language the browser last showed (its cookie: the sidebar's choice, a link's, or the
    profile's applied at sign-in), and a language asked for in this session (a ``?lang=`` link,
    the sidebar) holds, as does a later switch in the sidebar."""
    if not actor.is_authenticated:
        st.session_state.pop(_LANG_APPLIED_KEY, None)
        return
    if (services.profile is None or chosen_here()
            or st.session_state.get(_LANG_APPLIED_KEY) == actor.user_id):
        return
    st.session_state[_LANG_APPLIED_KEY] = actor.user_id
    if not auth.signed_in_here() and browser_language() is not None:
        return
    try:
        preferred = services.accounts.get(str(actor.user_id)).language
    except NotFound:
        return
    if preferred in LANGUAGES:
        st.session_state[LANG_KEY] = preferred


def welcome(services: Services) -> None:
    """After a sign-in on this tab: the account's language first, so that the welcome is worded
    in the language the next page is drawn in; then on to the page asked for."""
    current = auth.signed_in()
    if current is not None:
        apply_preferred_language(services, current.actor)
    flash(t("auth.welcome", name=md_escape(st.session_state.get("name") or "")))
    gate.go_next()


def details_section(services: Services, actor: Actor, user: User | None) -> None:
    st.subheader(t("profile.details_title"), anchor=False)
    if services.profile is None or user is None:
        st.markdown(f"**{t('auth.name')}**: {md_escape(actor.name)}  \n"
                    f"**{t('auth.email')}**: {md_escape(actor.email)}")
        st.caption(t("profile.provider_managed"))
        return
    profiles = services.profile
    slots = FieldSlots()  # each refusal is shown under the field it names
    with st.form("my_profile_form", enter_to_submit=False):
        required_note()
        name = st.text_input(t("auth.name"), value=user.name, key="my_profile_name")
        slots.under("name")
        email = st.text_input(t("auth.email"), value=user.pending_email or user.email,
                              key="my_profile_email")
        slots.under("email")
        company = st.text_input(optional(t("signup.company_short")), value=user.company,
                                key="my_profile_company")
        slots.under("company")
        saved = st.form_submit_button(t("profile.save"), type="primary")
    if saved:
        _save_details(profiles, actor, user, slots, name=name, email=email, company=company)
    if user.pending_email:
        _email_code_form(services, actor, user)
    elif user.email and not user.email_verified and not profiles.checks_email_codes:
        _unverified_email(profiles, actor, user)


def _save_details(profiles: ProfileService, actor: Actor, user: User, slots: FieldSlots, *,
                  name: str, email: str, company: str) -> None:
    """Save; a new address is said to be unverified, and where its link went."""
    try:
        saved = profiles.update_profile(actor, user.username, name=name, email=email,
                                        company=company)
    except DemoFactoryError as exc:
        slots.show_error(exc)
        return
    flash(_saved_message(profiles, user, saved))
    st.rerun()


def _saved_message(profiles: ProfileService, before: User, after: User) -> str:
    if after.email_verified or after.email == before.email or profiles.checks_email_codes:
        return t("profile.saved")  # Cognito: the code form below says the rest
    if profiles.sends_email_links:
        return t("profile.saved_link_sent", email=md_escape(after.email))
    return t("profile.saved_unverified")


def _unverified_email(profiles: ProfileService, actor: Actor, user: User) -> None:
    """Local accounts: the address was changed (or signed up with) and not verified yet. Until
    it is, the legacy import links no old author's items to it and no digest is mailed."""
    how = ("profile.email_unverified_link" if profiles.sends_email_links
           else "profile.email_unverified_no_mail")
    st.info(f"{t('profile.email_unverified', email=md_escape(user.email))} "
            f"{t(how, hours=VERIFY_HOURS)}", icon=":material/mark_email_unread:")
    if profiles.sends_email_links and st.button(t("profile.email_link_send"),
                                                key="my_email_link_send"):
        act(lambda: profiles.send_email_link(actor, user.username),
            t("profile.email_link_sent", email=md_escape(user.email)))


def _email_code_form(services: Services, actor: Actor, user: User) -> None:
    """Cognito mode: the new email waits for the code the pool mailed to it; the check goes
    with this session's own access token."""
    assert services.profile is not None
    profiles = services.profile
    held = auth.signed_in()
    token = held.access_token if held is not None else None
    st.info(t("profile.email_pending", email=md_escape(user.pending_email)),
            icon=":material/mark_email_unread:")
    with st.form("my_email_code_form", clear_on_submit=True, enter_to_submit=False):
        code = st.text_input(t("profile.email_code"), key="my_email_code")
        confirm = st.form_submit_button(t("profile.email_confirm"), key="my_email_confirm")
    if confirm:
        act(lambda: profiles.verify_email(actor, user.username, token, code),
            t("profile.email_confirmed"))
    if st.button(t("profile.email_resend"), key="my_email_resend"):
        act(lambda: profiles.resend_email_code(actor, user.username, token),
            t("profile.email_resent"))


def language_section(services: Services, actor: Actor, user: User | None) -> None:
    if services.profile is None or user is None:
        return
    profiles = services.profile
    st.subheader(t("profile.language_title"), anchor=False)
    current = user.language if user.language in LANGUAGES else st.session_state.get(LANG_KEY)
    options = list(LANGUAGES)
    chosen = st.radio(t("profile.language_title"), options=options,
                      index=options.index(current) if current in options else 0,
                      format_func=LANGUAGE_NAMES.__getitem__, horizontal=True,
                      key=relabel("my_profile_language"), label_visibility="collapsed",
                      help=t("profile.language_help"))
    if st.button(t("profile.save"), key="my_profile_language_save"):
        def save() -> None:
            profiles.set_language(actor, user.username, str(chosen))
            st.session_state[LANG_KEY] = chosen  # this visit too, at once
        # Said in the language just chosen: the page that follows speaks it.
        act(save, translate(str(chosen), "profile.language_saved"))


def password_section(services: Services) -> None:
    if services.sign_in.mode == "oidc":  # the provider owns the password
        return
    st.subheader(t("profile.password_title"), anchor=False)
    password_box.password_form(services)


def sessions_section(services: Services) -> None:
    if not services.accounts.ends_sessions:
        return
    st.subheader(t("profile.sessions_title"), anchor=False)
    if st.button(t("auth.logout_everywhere"), key="my_logout_everywhere",
                 icon=":material/devices:", help=t("profile.sessions_help")):
        auth.sign_out_everywhere()
        st.switch_page(routes.HOME)


def request_section(services: Services, actor: Actor, user: User | None) -> None:
    """The author-role request: its outcome, or the form while none waits."""
    if services.profile is None or user is None:
        return
    outcome = request_outcome(user)
    if outcome is None and not may_request_author(actor):
        return
    st.subheader(t("profile.request_title"), anchor=False)
    if outcome == RequestOutcome.WAITING and user.requested_at is not None:
        st.info(t("profile.request_waiting", when=format_time(user.requested_at, app_tz())),
                icon=":material/hourglass_top:")
        return
    if outcome == RequestOutcome.APPROVED:
        st.success(t("profile.request_approved"), icon=":material/check_circle:")
    elif outcome == RequestOutcome.DECLINED:
        st.warning(t("profile.request_declined"), icon=":material/block:")
    if not may_request_author(actor):
        return
    profiles = services.profile
    st.caption(t("profile.request_intro"))
    form_reset.empty_if_marked(_REQUEST_FORM, {"my_role_reason": ""})
    # No max_chars (a longer paste would vanish unseen) and no clearing on submit (a refused
    # reason stays in the box): the limit is in the help text, the service refuses a longer one.
    with st.form(_REQUEST_FORM, enter_to_submit=False):
        reason = st.text_area(t("profile.request_reason"), key="my_role_reason",
                              placeholder=t("profile.request_reason_placeholder"),
                              help=t("inquiries.limit_help", max=REASON_LIMIT))
        sent = st.form_submit_button(t("profile.request_send"), type="primary")
    if sent:
        try:
            profiles.request_author(actor, user.username, reason)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        form_reset.empty_next_run(_REQUEST_FORM)
        flash(t("profile.request_sent"))
        st.rerun()


def likes_section(services: Services, actor: Actor, user: User | None) -> None:
    if services.profile is None or user is None:
        return
    st.subheader(t("profile.likes_title"), anchor=False)
    liked = services.profile.liked_items(actor, user.username)
    if not liked.items and not liked.unavailable:
        # What to do about it: where the items are, and how one is liked.
        empty_state(t("profile.likes_none"), t("profile.likes_none_hint"))
        st.page_link(routes.BROWSE, label=t("nav.browse"), icon=":material/search:")
        return
    for item in liked.items:
        content_link(item, None if item.status == Status.PUBLISHED else
                     f"{md_escape(item.title)} · {status_label(item.status)}")
    if liked.unavailable:
        st.caption(t("profile.likes_unavailable", count=liked.unavailable))


def delete_section(services: Services, actor: Actor, user: User | None) -> None:
    """Delete my account, after typing the user name; the session ends with it."""
    if services.profile is None or user is None:
        return
    profiles = services.profile
    st.subheader(t("profile.delete_title"), anchor=False)
    st.caption(t("profile.delete_intro"))
    with st.form("my_delete_form", enter_to_submit=False):
        typed = st.text_input(t("profile.delete_confirm", username=md_escape(user.username)),
                              key="my_delete_confirm")
        # As the app's other delete buttons: secondary with the delete icon, never the save
        # buttons' primary; typing the name is this button's confirmation.
        sent = st.form_submit_button(t("profile.delete_button"), icon=":material/delete:")
    if not sent:
        return
    try:
        # The name shown is escaped with an invisible joiner after "@" (no e-mail link):
        # a name copied from the label carries it, and is still the name.
        profiles.delete_account(actor, user.username, confirm=typed.replace(WORD_JOINER, ""))
    except DemoFactoryError as exc:
        show_error(exc)
        return
    auth.sign_out()
    flash(t("profile.deleted"))
    st.switch_page(routes.HOME)

