"""Cognito sign-in in the browser session: the live session in server memory, a signed cookie
holding only a random session id, and the forms' actions.

What the browser holds: cookie ``<cookie_name>_sid``, an HS256 JWT (signed with the cookie
key, like streamlit-authenticator's) whose only claims are the random session id and an
expiry. No Cognito token ever reaches the browser; the refresh token stays on the server,
encrypted (see ``services.cognito_sign_in``). Streamlit cannot set HttpOnly cookies (they are
written by the page's JavaScript), which is why the cookie carries nothing but that id.

Cookie writes follow the pattern of ``services.ui.auth``: queued, and done at the start of the
next run, because the run that signs in ends with a page switch (see ``services.ui.cookies``).
"""

from __future__ import annotations

import logging
import time
from typing import Literal

import jwt
import streamlit as st

from services.accounts.cognito import CognitoSignIn, LiveSession
from services.bootstrap import Services, cookie_key
from services.domain.identity import Challenge
from services.domain.models import utcnow
from services.domain.permissions import Actor
from services.errors import DemoFactoryError, ServiceUnavailable
from services.ui import cookies
from services.ui.cookies import write_cookie

log = logging.getLogger(__name__)

LIVE_KEY = "_df_cognito_live"
CHALLENGE_KEY = "_df_cognito_challenge"
_COOKIE_OP_KEY = "_df_cognito_cookie_op"
_PACKAGE_KEYS = ("authentication_status", "username", "name", "email", "roles")

CookieOp = tuple[Literal["set", "delete"], str]


def cookie_name(services: Services) -> str:
    return f"{services.settings.cookie_name}_sid"


def _service(services: Services) -> CognitoSignIn:
    assert services.cognito is not None
    return services.cognito


def start(services: Services) -> Actor:
    """At the top of every run: finish a pending cookie write, keep or resume the session."""
    _apply_cookie_op(services)
    held = live_session()
    live = _still_live(services, held) if held else _from_cookie(services)
    _remember(live)
    return live.actor if live else Actor.anonymous()


def _still_live(services: Services, live: LiveSession) -> LiveSession | None:
    try:
        current = _service(services).current(live)
    except ServiceUnavailable:
        # Cognito did not answer the re-check: keep a session whose tokens are still valid.
        return live if utcnow() < live.expires_at else None
    if current is None:
        _queue_cookie_op(("delete", ""))
    return current


def _from_cookie(services: Services) -> LiveSession | None:
    if st.session_state.get(_COOKIE_OP_KEY, ("", ""))[0] == "delete":
        return None
    session_id = read_cookie(services)
    if not session_id:
        return None
    try:
        live = _service(services).resume(session_id)
    except DemoFactoryError as exc:
        log.warning("could not resume a Cognito session: %s", exc)
        return None
    if live is None:
        _queue_cookie_op(("delete", ""))
    return live


def read_cookie(services: Services) -> str | None:
    """The session id of a valid, unexpired cookie signed with our key, else None."""
    token = cookies.read_cookie(cookie_name(services))
    if not token:
        return None
    try:
        claims = jwt.decode(token, cookie_key(services.settings), algorithms=["HS256"],
                            options={"require": ["exp", "sid"]})
    except jwt.PyJWTError:
        return None
    sid = claims.get("sid")
    return sid if isinstance(sid, str) else None


def cookie_token(services: Services, session_id: str) -> str:
    expires = int(time.time() + services.settings.session_days * 86400)
    return jwt.encode({"sid": session_id, "exp": expires}, cookie_key(services.settings),
                      algorithm="HS256")


def _remember(live: LiveSession | None) -> None:
    if live is None:
        st.session_state.pop(LIVE_KEY, None)
        for key in _PACKAGE_KEYS:
            st.session_state[key] = None
        return
    st.session_state[LIVE_KEY] = live
    st.session_state["authentication_status"] = True
    st.session_state["username"] = live.actor.user_id
    st.session_state["name"] = live.actor.name
    st.session_state["email"] = live.actor.email
    st.session_state["roles"] = sorted(r.value for r in live.actor.roles)


def _queue_cookie_op(op: CookieOp) -> None:
    st.session_state[_COOKIE_OP_KEY] = op


def _apply_cookie_op(services: Services) -> None:
    op = st.session_state.pop(_COOKIE_OP_KEY, None)
    if not op:
        return
    kind, session_id = op
    name = cookie_name(services)
    if kind == "set":
        value = cookie_token(services, session_id)
        max_age = int(services.settings.session_days * 86400)
    else:
        value, max_age = "", 0
    write_cookie(name, value, max_age)


def live_session() -> LiveSession | None:
    live = st.session_state.get(LIVE_KEY)
    return live if isinstance(live, LiveSession) else None


# ---- actions of the forms -----------------------------------------------------------------


def sign_in(services: Services, login: str, password: str) -> Challenge | None:
    """Signs in (None) or returns the challenge to answer (kept for the challenge form)."""
    step = _service(services).sign_in(login, password)
    if isinstance(step, Challenge):
        st.session_state[CHALLENGE_KEY] = step
        return step
    _signed_in(step)
    return None


def pending_challenge() -> Challenge | None:
    found = st.session_state.get(CHALLENGE_KEY)
    return found if isinstance(found, Challenge) else None


def complete_new_password(services: Services, new_password: str) -> None:
    challenge = pending_challenge()
    if challenge is None:
        raise ServiceUnavailable("cognito.err_session_expired")
    live = _service(services).complete_new_password(challenge, new_password)
    st.session_state.pop(CHALLENGE_KEY, None)
    _signed_in(live)


def cancel_challenge() -> None:
    st.session_state.pop(CHALLENGE_KEY, None)


def _signed_in(live: LiveSession) -> None:
    st.session_state["logout"] = False
    _remember(live)
    _queue_cookie_op(("set", live.session_id))


def sign_out(services: Services) -> None:
    live = live_session()
    if live is not None:
        _service(services).sign_out(live.session_id, live.access_token)
    _remember(None)
    _queue_cookie_op(("delete", ""))


def change_password(services: Services, current: str, new: str) -> None:
    live = live_session()
    if live is None:
        raise ServiceUnavailable("cognito.err_session_expired")
    _service(services).change_password(live, current, new)
