"""Pages a mailed link opens, and "forgot password" (local sign-in), without being signed in.

A link's token is read from the address once and then removed from it (and kept in this
browser session only), so that it does not stay in the address bar or the history after it
has been used; it is never shown, logged or tracked.
"""

from __future__ import annotations

import streamlit as st

from services.accounts.rules import PASSWORD_MIN
from services.accounts.verification import VerifyOutcome
from services.bootstrap import Services
from services.errors import DemoFactoryError
from services.ui import routes, tracking
from services.ui.i18n import t
from services.ui.widgets import flash, show_error

TOKEN_PARAM = "token"  # noqa: S105 (a query parameter name)
_VERIFY_RESULT = "acct_verify_result"
_RESET_TOKEN = "acct_reset_token"  # noqa: S105 (a session-state key)
_RESET_SENT = "acct_reset_sent"


def take_token(state_key: str | None = None) -> str:
    """The link's token: from the address on the first run (then removed from it), kept in
    ``state_key`` of the session when given."""
    token = st.query_params.get(TOKEN_PARAM, "")
    if token:
        del st.query_params[TOKEN_PARAM]
        if state_key is not None:
            st.session_state[state_key] = token
        return token
    return str(st.session_state.get(state_key, "")) if state_key else ""


def verify_page(services: Services) -> None:
    st.title(t("verify.title"), anchor=False)
    outcome = st.session_state.get(_VERIFY_RESULT)
    token = take_token()
    if token and services.signup is not None:
        outcome = services.signup.verify(token)  # once: a rerun reads the kept outcome
        st.session_state[_VERIFY_RESULT] = outcome
    if outcome is None:
        # No link (a reload too: a new session, and the token left the address when the link
        # was opened): whether this browser confirmed already is not known, so both are said.
        st.info(t("verify.missing"), icon=":material/info:")
        st.page_link(routes.LOGIN, label=t("nav.login"), icon=":material/login:")
        return
    if outcome == VerifyOutcome.INVALID:
        st.error(t("verify.invalid"), icon=":material/link_off:")
        return
    st.success(t(f"verify.{outcome.value}"), icon=":material/mark_email_read:")
    if outcome == VerifyOutcome.ACTIVE:
        st.page_link(routes.LOGIN, label=t("nav.login"), icon=":material/login:")


def reset_page(services: Services) -> None:
    """With a link's token: set a new password; otherwise: ask for a link (or, without
    mail, how to reach an administrator)."""
    resets = services.password_reset
    if resets is None:  # Cognito or OIDC: the sign-in page has the provider's own way
        st.switch_page(routes.LOGIN)
    token = take_token(_RESET_TOKEN)
    if token and not resets.peek(token):
        # Used, expired or ended: said at once, not after the password was typed twice.
        st.session_state.pop(_RESET_TOKEN, None)
        st.title(t("reset.title"), anchor=False)
        _dead_link()
        return
    if token:
        _new_password_form(services, token)
        return
    st.title(t("reset.title"), anchor=False)
    if not resets.available:
        st.info(t("reset.no_mail"), icon=":material/info:")
        st.page_link(routes.CONTACT, label=t("reset.contact_link"), icon=":material/mail:")
        return
    _request_form(services)


def _request_form(services: Services) -> None:
    assert services.password_reset is not None
    st.write(t("reset.intro"))
    if st.session_state.get(_RESET_SENT):
        st.success(t("reset.sent"), icon=":material/forward_to_inbox:")
    with st.form("reset_request", enter_to_submit=False, clear_on_submit=True):
        identifier = st.text_input(t("reset.identifier"), key="reset_identifier",
                                   autocomplete="username")
        submitted = st.form_submit_button(t("reset.submit"), type="primary",
                                          icon=":material/send:")
    if not submitted:
        return
    try:
        services.password_reset.request(identifier, tracking.session_id())
    except DemoFactoryError as exc:
        show_error(exc)
        return
    st.session_state[_RESET_SENT] = True
    st.rerun()


def _new_password_form(services: Services, token: str) -> None:
    assert services.password_reset is not None
    st.title(t("reset.new_title"), anchor=False)
    st.write(t("reset.new_intro"))
    with st.form("reset_new", enter_to_submit=False):
        new = st.text_input(t("reset.password"), type="password", key="reset_new",
                            autocomplete="new-password",
                            help=t("signup.password_help", min=PASSWORD_MIN),
                            placeholder=t("signup.password_placeholder"))
        again = st.text_input(t("reset.password_again"), type="password", key="reset_again",
                              autocomplete="new-password")
        submitted = st.form_submit_button(t("reset.save"), type="primary",
                                          icon=":material/lock_reset:")
    if not submitted:
        return
    try:
        services.password_reset.reset(token, new, again)
    except DemoFactoryError as exc:
        if exc.key != "reset.err_link":
            show_error(exc)
            return
        st.session_state.pop(_RESET_TOKEN, None)  # used meanwhile, in another tab say
        _dead_link()
        return
    st.session_state.pop(_RESET_TOKEN, None)
    flash(t("reset.done"))
    st.switch_page(routes.LOGIN)


def _dead_link() -> None:
    """A reset link that cannot set a password, and the way to a new one."""
    st.error(t("reset.err_link"), icon=":material/link_off:")
    st.page_link(routes.RESET, label=t("reset.submit"), icon=":material/send:")
