"""Local sign-in with streamlit-authenticator.

The authenticator is rebuilt on every run from ``accounts.authenticator_credentials()``, so
new users, role changes, disabled and locked-out accounts take effect at once. Its cookie (an
HS256 JWT signed with ``cookie_key(settings)``) keeps a session signed in across a browser
refresh. Roles always come from our directory: the cookie only names the user.

The sign-in form is our own (translated labels, keyed widgets) because the package's form does
not expose the typed user name, which the per-user lockout needs; the password check, the
session keys and the cookie are the package's. Writing or deleting the cookie renders a small
component; that is done at the start of the run *after* a sign-in or sign-out, because the run
that signs in ends with a page switch, which would cut the component off before it is drawn.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from services.bootstrap import Services, cookie_key
from services.domain.permissions import Actor
from services.errors import NotFound, PermissionDenied, ValidationError
from services.ui import cognito_session, session, tracking
from services.users import AccountService

# The package waits before its pre-login cookie check (PRE_LOGIN_SLEEP_TIME, 0.7 s) on every
# anonymous run. Version 0.4.2 reads the cookie from the request headers (st.context.cookies),
# so the wait buys nothing; tests and users both run without it.
LOGIN_SLEEP_SECONDS = 0.0

LOGIN_USERNAME_KEY = "login_username"
_AUTHENTICATOR_KEY = "_df_authenticator"
_COOKIE_OP_KEY = "_df_cookie_op"
# Session keys of streamlit-authenticator that describe the signed-in user.
_PACKAGE_KEYS = ("authentication_status", "username", "name", "email", "roles")
# Prefixes of our own per-user session keys (editor text, admin forms, confirm steps).
USER_STATE_PREFIXES = ("ed_", "adm_", "confirm_", "my_")

CookieOp = Literal["set", "delete"]


def start(services: Services) -> Actor:
    """Run at the top of every app run: build the authenticator, finish a pending cookie
    write, sign in from a remembered cookie, and return the actor of this session."""
    if services.cognito is not None:  # DEMO_FACTORY_AUTH=cognito: see cognito_session.py
        return cognito_session.start(services)
    settings = services.settings
    authenticator = stauth.Authenticate(
        services.accounts.authenticator_credentials(),
        settings.cookie_name,
        cookie_key(settings),
        settings.cookie_expiry_days,
        auto_hash=False,  # the directory stores bcrypt hashes only
        login_sleep_time=LOGIN_SLEEP_SECONDS,
    )
    st.session_state[_AUTHENTICATOR_KEY] = authenticator
    _apply_cookie_op(authenticator)
    _restore_from_cookie(authenticator)
    return _resolve_actor(services.accounts)


def _authenticator() -> stauth.Authenticate:
    found: stauth.Authenticate = st.session_state[_AUTHENTICATOR_KEY]
    return found


def _queue_cookie_op(op: CookieOp) -> None:
    st.session_state[_COOKIE_OP_KEY] = op


def _apply_cookie_op(authenticator: stauth.Authenticate) -> None:
    op = st.session_state.pop(_COOKIE_OP_KEY, None)
    if op == "set" and st.session_state.get("authentication_status"):
        authenticator.cookie_controller.set_cookie()
    elif op == "delete":
        authenticator.cookie_controller.delete_cookie()


def _restore_from_cookie(authenticator: stauth.Authenticate) -> None:
    """Sign in from the cookie if it is valid and names a user who may still sign in."""
    if st.session_state.get("authentication_status"):
        return
    try:
        authenticator.login(location="unrendered")
    except LoginError:
        # Disabled, locked out or removed since the cookie was written: forget the cookie.
        st.session_state["logout"] = True
        _queue_cookie_op("delete")


def _resolve_actor(accounts: AccountService) -> Actor:
    username = st.session_state.get("username")
    if not st.session_state.get("authentication_status") or not username:
        return Actor.anonymous()
    try:
        user = accounts.get(username)
    except NotFound:
        user = None
    if user is None or user.disabled:
        sign_out()
        return Actor.anonymous()
    return user.as_actor()


def sign_in(accounts: AccountService, username: str, password: str) -> None:
    """Check the password with the authenticator; rate-limited per user name.

    A locked name is refused before its password is looked at; a wrong password counts as a
    failure (``login_max_failures`` of them lock the name for ``login_lockout_minutes``).
    Raises a DemoFactoryError with the message to show.
    """
    name = username.strip().lower()
    if not name or not password:
        raise ValidationError("auth.err_missing_fields")
    accounts.check_not_locked(name)
    authenticator = _authenticator()
    authenticator.authentication_controller.login(name, password)
    if st.session_state.get("authentication_status") is not True:
        accounts.record_login_failure(name)
        tracking.login_failed()
        raise PermissionDenied("auth.err_bad_credentials")
    accounts.record_login(name)
    tracking.login(name)
    _queue_cookie_op("set")


def prefill_login(username: str) -> None:
    """Put ``username`` into the sign-in form (after creating the first administrator)."""
    st.session_state[LOGIN_USERNAME_KEY] = username


def sign_out() -> None:
    """Forget the user in this session and (on the next run) delete the cookie."""
    if _AUTHENTICATOR_KEY not in st.session_state:  # Cognito sign-in
        cognito_session.sign_out(session.services())
        for key in [k for k in st.session_state if str(k).startswith(USER_STATE_PREFIXES)]:
            del st.session_state[key]
        return
    if st.session_state.get("authentication_status"):
        _authenticator().authentication_controller.logout()
    st.session_state["logout"] = True  # the package then ignores the old cookie this session
    for key in _PACKAGE_KEYS:
        st.session_state[key] = None
    for key in [k for k in st.session_state if str(k).startswith(USER_STATE_PREFIXES)]:
        del st.session_state[key]
    _queue_cookie_op("delete")
