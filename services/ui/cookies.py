"""Cookies the app writes from the page: an inline script (``st.html``), read back through
``st.context.cookies`` on the next run.

Not a cookie component: a component reports back to the server when it mounts, and that extra
rerun can carry a user who has just clicked on to another page back to the one they left.
Scripts cannot set HttpOnly cookies, so what is written here must be worthless to a thief
(random ids, a signed session handle, a flag).
"""

from __future__ import annotations

import json

import streamlit as st


def cookie_script(name: str, value: str, max_age_s: int | None) -> str:
    """JavaScript writing one cookie for the whole app, Secure on HTTPS. ``max_age_s`` None
    makes a browser-session cookie (gone when the browser closes); 0 deletes the cookie."""
    age = "" if max_age_s is None else f"; max-age={int(max_age_s)}"
    attributes = f"; path=/{age}; SameSite=Strict"
    return ("<script>document.cookie = " + json.dumps(f"{name}={value}{attributes}")
            + " + (location.protocol === 'https:' ? '; Secure' : '');</script>")


def write_cookie(name: str, value: str, max_age_s: int | None = None) -> None:
    """In the sidebar, where the invisible element takes no room in the page."""
    st.sidebar.html(cookie_script(name, value, max_age_s), unsafe_allow_javascript=True)


def read_cookie(name: str) -> str | None:
    """The cookie's value as the browser sent it with this session's first request, if any.
    (A test harness without a browser hands back something else: treated as no cookie.)"""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else None
