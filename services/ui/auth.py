"""Local sign-in: the account service checks the password (bcrypt, per-user lockout); the
remember-me cookie is written by an inline script and read from the request.

The cookie keeps streamlit-authenticator's format (an HS256 JWT of the user name and an expiry,
signed with ``cookie_key(settings)``), so cookies written by earlier versions stay valid, and
its session keys (``authentication_status``, ``username``, ...). The package itself is not used
at run time any more: its constructor renders a cookie component on every run, and a component
reports back to the server when it mounts, which reran the script in the middle of a sign-in
or carried a user who had just clicked on back to the previous page (see
``services.ui.cookies``). Roles always come from our directory: the cookie only names the user.

Writing or deleting the cookie is done at the start of the run *after* a sign-in or sign-out,
because the run that signs in ends with a page switch.
"""

from __future__ import annotations

import time
from typing import Literal

import jwt
import streamlit as st

from services.accounts.service import AccountService
from services.bootstrap import Services, cookie_key
from services.domain.permissions import Actor
from services.domain.users import User
from services.errors import NotFound, PermissionDenied, ValidationError
from services.settings import Settings
from services.ui import cognito_session, oidc_session, session, tracking
from services.ui.cookies import read_cookie, write_cookie

LOGIN_USERNAME_KEY = "login_username"
_COOKIE_OP_KEY = "_df_cookie_op"
_SIGNED_OUT_KEY = "_df_signed_out"  # the cookie sent with this session's request is void
# Session keys of streamlit-authenticator that describe the signed-in user.
_PACKAGE_KEYS = ("authentication_status", "username", "name", "email", "roles")
# Prefixes of our own per-user session keys (editor text, admin forms, confirm steps).
USER_STATE_PREFIXES = ("ed_", "adm_", "confirm_", "my_")

CookieOp = Literal["set", "delete"]


def start(services: Services) -> Actor:
    """Run at the top of every app run: finish a pending cookie write, sign in from a
    remembered cookie, and return the actor of this session."""
    if services.settings.auth == "oidc":  # st.login: see oidc_session.py
        return oidc_session.actor(services)
    if services.cognito is not None:  # DEMO_FACTORY_AUTH=cognito: see cognito_session.py
        return cognito_session.start(services)
    for key in _PACKAGE_KEYS:  # as the package sets them up: present, None until signed in
        st.session_state.setdefault(key, None)
    _apply_cookie_op(services.settings)
    _restore_from_cookie(services)
    return _resolve_actor(services.accounts)


def cookie_token(settings: Settings, username: str) -> str:
    """The remember-me cookie's value: streamlit-authenticator's token format."""
    expires = time.time() + settings.cookie_expiry_days * 86400
    return jwt.encode({"username": username, "exp_date": expires}, cookie_key(settings),
                      algorithm="HS256")


def cookie_username(settings: Settings, token: str | None) -> str | None:
    """The user a valid, unexpired cookie names, else None."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, cookie_key(settings), algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return None
    username, expires = claims.get("username"), claims.get("exp_date")
    if not isinstance(username, str) or not isinstance(expires, int | float):
        return None
    return username if expires > time.time() else None


def _queue_cookie_op(op: CookieOp) -> None:
    st.session_state[_COOKIE_OP_KEY] = op


def _apply_cookie_op(settings: Settings) -> None:
    op = st.session_state.pop(_COOKIE_OP_KEY, None)
    username = st.session_state.get("username")
    if op == "set" and st.session_state.get("authentication_status") and username:
        write_cookie(settings.cookie_name, cookie_token(settings, username),
                     int(settings.cookie_expiry_days * 86400))
    elif op == "delete":
        write_cookie(settings.cookie_name, "", 0)


def _restore_from_cookie(services: Services) -> None:
    """Sign in from the cookie if it is valid and names a user who may still sign in."""
    if st.session_state.get("authentication_status") or st.session_state.get(_SIGNED_OUT_KEY):
        return
    settings = services.settings
    username = cookie_username(settings, read_cookie(settings.cookie_name))
    if username is None:
        return
    try:
        user = services.accounts.get(username)
    except NotFound:
        user = None
    if user is None or user.disabled or services.accounts.is_locked(username):
        # Disabled, locked out or removed since the cookie was written: forget the cookie.
        st.session_state[_SIGNED_OUT_KEY] = True
        _queue_cookie_op("delete")
        return
    _remember(user)


def _remember(user: User) -> None:
    """The session keys that say who is signed in (streamlit-authenticator's names)."""
    st.session_state["authentication_status"] = True
    st.session_state["username"] = user.username
    st.session_state["name"] = user.name
    st.session_state["email"] = user.email
    st.session_state["roles"] = sorted(r.value for r in user.roles)


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
    """Check the password (bcrypt, in the account service); rate-limited per user name.

    A locked name is refused before its password is looked at; a wrong password counts as a
    failure (``login_max_failures`` of them lock the name for ``login_lockout_minutes``).
    Raises a DemoFactoryError with the message to show.
    """
    name = username.strip().lower()
    if not name or not password:
        raise ValidationError("auth.err_missing_fields")
    try:
        user = accounts.authenticate(name, password)
    except PermissionDenied:
        tracking.login_failed()
        raise
    tracking.login(user.username)
    _remember(user)
    st.session_state.pop(_SIGNED_OUT_KEY, None)
    _queue_cookie_op("set")


def prefill_login(username: str) -> None:
    """Put ``username`` into the sign-in form (after creating the first administrator)."""
    st.session_state[LOGIN_USERNAME_KEY] = username


def needs_first_admin(services: Services) -> bool:
    """Whether to offer the "first administrator" form: never with an OIDC provider, whose
    groups make administrators (a local account could not sign in there)."""
    return services.settings.auth != "oidc" and services.accounts.needs_first_admin()


def sign_out() -> None:
    """Forget the user in this session and (on the next run) delete the cookie."""
    settings = session.services().settings
    _forget_user_state()
    if settings.auth == "oidc":
        oidc_session.sign_out()
        return
    if settings.auth == "cognito":
        cognito_session.sign_out(session.services())
        return
    for key in _PACKAGE_KEYS:
        st.session_state[key] = None
    st.session_state[_SIGNED_OUT_KEY] = True  # the request's cookie no longer counts
    _queue_cookie_op("delete")


def _forget_user_state() -> None:
    """The signed-out user's editor text, admin forms and confirm steps."""
    for key in [k for k in st.session_state if str(k).startswith(USER_STATE_PREFIXES)]:
        del st.session_state[key]
